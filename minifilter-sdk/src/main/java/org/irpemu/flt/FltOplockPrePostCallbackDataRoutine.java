package org.irpemu.flt;

/**
 * {@code PFLTOPLOCK_PREPOST_CALLBACKDATA_ROUTINE}: called just before the oplock package pends the
 * operation (the Flt oplock routine then returns FLT_PREOP_PENDING).
 */
@FunctionalInterface
public interface FltOplockPrePostCallbackDataRoutine {
    /**
     * @param data the operation about to wait
     * @param context the Context given to the Flt oplock routine
     */
    void prePost(FltCallbackData data, Object context);
}
