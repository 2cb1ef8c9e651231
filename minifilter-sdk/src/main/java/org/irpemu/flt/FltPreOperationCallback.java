package org.irpemu.flt;

/**
 * {@code PFLT_PRE_OPERATION_CALLBACK}: called before the operation reaches the file system, highest
 * altitude first, on the dispatcher thread of the operation's stream.
 */
@FunctionalInterface
public interface FltPreOperationCallback {
    /**
     * @param data the operation ({@code PFLT_CALLBACK_DATA}); parameters may be changed, followed by
     *     {@code Flt.setCallbackDataDirty}
     * @param fltObjects the filter, instance, volume and file object ({@code PCFLT_RELATED_OBJECTS})
     * @param completionContext where the callback may store the context its post-operation callback
     *     receives ({@code PVOID *CompletionContext}); only with SUCCESS_WITH_CALLBACK or SYNCHRONIZE
     * @return an {@link FltPreopCallbackStatus} value
     */
    int preOperation(FltCallbackData data, FltRelatedObjects fltObjects, CompletionContext completionContext);
}
