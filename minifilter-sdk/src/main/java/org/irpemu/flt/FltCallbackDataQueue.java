package org.irpemu.flt;

/**
 * {@code FLT_CALLBACK_DATA_QUEUE}: a cancel-safe queue of pended operations, as a minifilter that pends
 * many operations keeps them ({@code FltCbdqInitialize}, {@code FltCbdqInsertIo}, {@code FltCbdqRemoveIo},
 * {@code FltCbdqRemoveNextIo}, {@code FltCbdqEnable}, {@code FltCbdqDisable} in {@link Flt}). The filter
 * keeps the entries in its own structure through the callbacks; the queue makes cancellation safe: an
 * operation cancelled while queued is removed (RemoveIo) and handed to CompleteCanceledIo, and an
 * operation the filter removed is never handed there.
 *
 * <p>The callbacks run under the filter's Acquire/Release lock and must not take it themselves.
 */
public final class FltCallbackDataQueue {
    /** {@code PFLT_CALLBACK_DATA_QUEUE_INSERT_IO}: puts the operation in the filter's structure. */
    @FunctionalInterface
    public interface InsertIo {
        /** @return STATUS_SUCCESS, or an error: the operation was not inserted */
        int insertIo(FltCallbackDataQueue queue, FltCallbackData data, Object insertContext);
    }

    /** {@code PFLT_CALLBACK_DATA_QUEUE_REMOVE_IO}: takes the operation out of the filter's structure. */
    @FunctionalInterface
    public interface RemoveIo {
        void removeIo(FltCallbackDataQueue queue, FltCallbackData data);
    }

    /**
     * {@code PFLT_CALLBACK_DATA_QUEUE_PEEK_NEXT_IO}: the first matching entry (after {@code data}, or from
     * the start when it is {@code null}), or {@code null}.
     */
    @FunctionalInterface
    public interface PeekNextIo {
        FltCallbackData peekNextIo(FltCallbackDataQueue queue, FltCallbackData data, Object peekContext);
    }

    /** {@code PFLT_CALLBACK_DATA_QUEUE_ACQUIRE}: takes the filter's queue lock. */
    @FunctionalInterface
    public interface Acquire {
        void acquire(FltCallbackDataQueue queue);
    }

    /** {@code PFLT_CALLBACK_DATA_QUEUE_RELEASE}: releases it. */
    @FunctionalInterface
    public interface Release {
        void release(FltCallbackDataQueue queue);
    }

    /**
     * {@code PFLT_CALLBACK_DATA_QUEUE_COMPLETE_CANCELED_IO}: completes an operation cancelled while queued,
     * normally {@code Flt.completePendedPreOperation(data, FLT_PREOP_COMPLETE, null)} with STATUS_CANCELLED.
     * Called after RemoveIo, outside the lock.
     */
    @FunctionalInterface
    public interface CompleteCanceledIo {
        void completeCanceledIo(FltCallbackDataQueue queue, FltCallbackData data);
    }

    /**
     * {@code FLT_CALLBACK_DATA_QUEUE_IO_CONTEXT}: identifies one queued operation for
     * {@code FltCbdqRemoveIo}; the filter keeps it (per operation) from insertion to removal.
     */
    public static final class IoContext {
        FltCallbackData data;
        FltCallbackDataQueue queue;
        /** The operation was removed by the filter or by a cancel; guarded by the queue. */
        boolean removed;
    }

    FltInstance instance;
    InsertIo insertIo;
    RemoveIo removeIo;
    PeekNextIo peekNextIo;
    Acquire acquire;
    Release release;
    CompleteCanceledIo completeCanceledIo;
    boolean enabled;
    boolean initialized;

    /** An uninitialized queue; {@code Flt.cbdqInitialize} sets it up. */
    public FltCallbackDataQueue() {
    }

    /** @return the instance the queue belongs to */
    public FltInstance instance() {
        return instance;
    }
}
