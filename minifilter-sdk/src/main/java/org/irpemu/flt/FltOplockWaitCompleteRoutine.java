package org.irpemu.flt;

/**
 * {@code PFLTOPLOCK_WAIT_COMPLETE_ROUTINE}: the oplock break an operation waited for is over (or the
 * operation was cancelled). The routine resumes the operation it pended: when
 * {@code data.ioStatus()} holds STATUS_SUCCESS, typically {@code Flt.completePendedPreOperation(data,
 * FLT_PREOP_SUCCESS_WITH_CALLBACK, ...)}; otherwise (STATUS_CANCELLED) it completes it with
 * {@code FLT_PREOP_COMPLETE}. The WDK pages do not say who resumes the operation; irpemu follows
 * {@code FsRtlCheckOplock}, whose completion routine owns the IRP (see docs/source-choices.md).
 */
@FunctionalInterface
public interface FltOplockWaitCompleteRoutine {
    /**
     * @param data the operation, its IoStatus set to STATUS_SUCCESS or STATUS_CANCELLED
     * @param context the Context given to the Flt oplock routine
     */
    void waitComplete(FltCallbackData data, Object context);
}
