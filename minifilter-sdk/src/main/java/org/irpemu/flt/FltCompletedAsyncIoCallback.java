package org.irpemu.flt;

/**
 * {@code PFLT_COMPLETED_ASYNC_IO_CALLBACK}: filter-initiated I/O ({@code Flt.performAsynchronousIo},
 * an asynchronous {@code Flt.readFile} / {@code Flt.writeFile}) completed; the status is in
 * {@code data.ioStatus()}. Runs on the stream's dispatcher thread, like a completion routine at
 * DISPATCH_LEVEL: it must not issue synchronous I/O (queue a work item with
 * {@code Flt.queueGenericWorkItem} for that).
 */
@FunctionalInterface
public interface FltCompletedAsyncIoCallback {
    /**
     * @param data the completed operation; it may be freed or reused from here on
     * @param context the CallbackContext given with the I/O
     */
    void completed(FltCallbackData data, Object context);
}
