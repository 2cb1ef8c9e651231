package org.irpemu.flt;

/**
 * {@code PFLT_FILTER_UNLOAD_CALLBACK}: asked to unload; the filter calls {@code FltUnregisterFilter} and
 * returns STATUS_SUCCESS, or refuses a non-mandatory unload with an error (STATUS_FLT_DO_NOT_DETACH). A
 * filter without one cannot be unloaded.
 */
@FunctionalInterface
public interface FltFilterUnloadCallback {
    /** Flags: the unload cannot be refused. */
    int FLTFL_FILTER_UNLOAD_MANDATORY = 0x00000001;

    /**
     * @param flags 0 or {@link #FLTFL_FILTER_UNLOAD_MANDATORY}
     * @return an NTSTATUS
     */
    int unload(int flags);
}
