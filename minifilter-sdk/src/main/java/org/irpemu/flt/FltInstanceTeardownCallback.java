package org.irpemu.flt;

/**
 * {@code PFLT_INSTANCE_TEARDOWN_CALLBACK}, for both InstanceTeardownStartCallback and
 * InstanceTeardownCompleteCallback. At the start the filter must resume or complete every operation it
 * pended ({@code Flt.completePendedPreOperation}, {@code Flt.completePendedPostOperation}), disable its
 * cancel-safe queues and stop pending new ones; at the end (after every operation drained and all its
 * filter-initiated I/O completed) it must have closed the files it opened.
 *
 * <p>Called on the thread that tears the instance down (not a dispatcher thread): the filter's state it
 * touches must be safe to reach from there.
 */
@FunctionalInterface
public interface FltInstanceTeardownCallback {
    int FLTFL_INSTANCE_TEARDOWN_MANUAL = 0x00000001;
    int FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD = 0x00000002;
    int FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD = 0x00000004;
    int FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT = 0x00000008;
    int FLTFL_INSTANCE_TEARDOWN_INTERNAL_ERROR = 0x00000010;

    /**
     * @param fltObjects the filter, instance and volume
     * @param reason FLTFL_INSTANCE_TEARDOWN_*
     */
    void teardown(FltRelatedObjects fltObjects, int reason);
}
