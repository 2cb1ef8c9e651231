package org.irpemu.flt;

/**
 * {@code PFLT_POST_OPERATION_CALLBACK}: called after the operation completed below, lowest altitude
 * first, for every instance whose pre-operation callback asked for it.
 */
@FunctionalInterface
public interface FltPostOperationCallback {
    /** Flags: the instance is being torn down; the callback must not pend the operation. */
    int FLTFL_POST_OPERATION_DRAINING = 0x00000001;

    /**
     * @param data the operation, with its final {@code IoStatus}
     * @param fltObjects the filter, instance, volume and file object
     * @param completionContext what the pre-operation callback stored, or {@code null}
     * @param flags {@link #FLTFL_POST_OPERATION_DRAINING} or 0
     * @return an {@link FltPostopCallbackStatus} value
     */
    int postOperation(FltCallbackData data, FltRelatedObjects fltObjects, Object completionContext, int flags);
}
