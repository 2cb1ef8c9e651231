package org.irpemu.flt;

/**
 * {@code PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK}: may the instance be detached by hand
 * ({@code FltDetachVolume})? STATUS_SUCCESS allows it; STATUS_FLT_DO_NOT_DETACH (or any error) refuses.
 * Without one, instances cannot be detached by hand. Not called for an unload.
 */
@FunctionalInterface
public interface FltInstanceQueryTeardownCallback {
    /**
     * @param fltObjects the filter, instance and volume
     * @param flags none are defined: 0
     * @return an NTSTATUS
     */
    int queryTeardown(FltRelatedObjects fltObjects, int flags);
}
