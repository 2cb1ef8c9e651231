package org.irpemu.flt;

import org.irpemu.irp.DriverCancel;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.status.NtStatus;

/**
 * The cancel-safe queue routines behind {@code Flt.cbdq*}. Each queued operation's IRP carries the
 * queue's cancel routine and, in {@code DriverContext[0]} (the Filter Manager's while a filter holds the
 * operation), its {@link FltCallbackDataQueue.IoContext}. Whoever takes an entry out first — the filter
 * (RemoveIo, RemoveNextIo) or a cancel — owns the operation; the other finds it gone.
 */
final class FltCbdq {
    private static final int DRIVER_CONTEXT_ENTRY = 0;

    private FltCbdq() {
    }

    private static final DriverCancel CANCEL = (device, irp) -> {
        Object entry = irp.driverContext()[DRIVER_CONTEXT_ENTRY];
        if (entry instanceof FltCallbackDataQueue.IoContext) {
            cancel((FltCallbackDataQueue.IoContext) entry);
        }
    };

    static int initialize(FltInstance instance, FltCallbackDataQueue queue, FltCallbackDataQueue.InsertIo insertIo,
            FltCallbackDataQueue.RemoveIo removeIo, FltCallbackDataQueue.PeekNextIo peekNextIo,
            FltCallbackDataQueue.Acquire acquire, FltCallbackDataQueue.Release release,
            FltCallbackDataQueue.CompleteCanceledIo completeCanceledIo) {
        if (instance == null || queue == null || insertIo == null || removeIo == null || peekNextIo == null
                || acquire == null || release == null || completeCanceledIo == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        synchronized (queue) {
            queue.instance = instance;
            queue.insertIo = insertIo;
            queue.removeIo = removeIo;
            queue.peekNextIo = peekNextIo;
            queue.acquire = acquire;
            queue.release = release;
            queue.completeCanceledIo = completeCanceledIo;
            queue.enabled = true;
            queue.initialized = true;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    static int insert(FltCallbackDataQueue queue, FltCallbackData data, FltCallbackDataQueue.IoContext context,
            Object insertContext) {
        if (!queue.initialized || data == null || data.irp == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        FltCallbackDataQueue.IoContext entry = context != null ? context : new FltCallbackDataQueue.IoContext();
        boolean cancelled;
        synchronized (queue) {
            queue.acquire.acquire(queue);
            try {
                if (!queue.enabled) {
                    return NtStatus.STATUS_FLT_CBDQ_DISABLED;
                }
                int status = queue.insertIo.insertIo(queue, data, insertContext);
                if (!NtStatus.ntSuccess(status)) {
                    return status;
                }
                entry.data = data;
                entry.queue = queue;
                entry.removed = false;
                Irp irp = data.irp;
                irp.driverContext()[DRIVER_CONTEXT_ENTRY] = entry;
                Io.setCancelRoutine(irp, CANCEL);
                cancelled = irp.isCancel();
            } finally {
                queue.release.release(queue);
            }
        }
        if (cancelled && Io.setCancelRoutine(data.irp, null) != null) {
            // Cancelled before it was queued (while a filter above held it): CompleteCanceledIo completes it, but
            // only once the filter has returned FLT_PREOP_PENDING, as the Filter Manager allows that race; until
            // then the entry stays queued, and RemoveIo or a removal by the filter would still win.
            cancelAfterPending(queue, entry);
        }
        // The WDK page: STATUS_PENDING when the operation was queued (its sample tests STATUS_SUCCESS).
        return NtStatus.STATUS_PENDING;
    }

    private static void cancelAfterPending(FltCallbackDataQueue queue, FltCallbackDataQueue.IoContext entry) {
        IoSystem io = queue.instance.frame.ioSystem();
        if (io == null) {
            cancel(entry);
            return;
        }
        io.queueWorkItem(Math.max(0, io.currentDispatcher()), context -> cancel(entry), null);
    }

    /** A queued operation's IRP was cancelled: take it out unless the filter already did, then complete it. */
    private static void cancel(FltCallbackDataQueue.IoContext entry) {
        FltCallbackDataQueue queue = entry.queue;
        FltCallbackData data;
        synchronized (queue) {
            queue.acquire.acquire(queue);
            try {
                if (entry.removed) {
                    return;
                }
                entry.removed = true;
                data = entry.data;
                queue.removeIo.removeIo(queue, data);
                data.irp.driverContext()[DRIVER_CONTEXT_ENTRY] = null;
            } finally {
                queue.release.release(queue);
            }
        }
        queue.completeCanceledIo.completeCanceledIo(queue, data);
    }

    static FltCallbackData remove(FltCallbackDataQueue queue, FltCallbackDataQueue.IoContext entry) {
        if (entry == null || entry.queue != queue) {
            return null;
        }
        synchronized (queue) {
            queue.acquire.acquire(queue);
            try {
                if (entry.removed) {
                    return null;
                }
                return take(queue, entry);
            } finally {
                queue.release.release(queue);
            }
        }
    }

    static FltCallbackData removeNext(FltCallbackDataQueue queue, Object peekContext) {
        if (!queue.initialized) {
            return null;
        }
        synchronized (queue) {
            queue.acquire.acquire(queue);
            try {
                for (FltCallbackData d = queue.peekNextIo.peekNextIo(queue, null, peekContext); d != null;
                        d = queue.peekNextIo.peekNextIo(queue, d, peekContext)) {
                    Object entry = d.irp == null ? null : d.irp.driverContext()[DRIVER_CONTEXT_ENTRY];
                    if (entry instanceof FltCallbackDataQueue.IoContext && !d.irp.isCancel()
                            && !((FltCallbackDataQueue.IoContext) entry).removed) {
                        return take(queue, (FltCallbackDataQueue.IoContext) entry);
                    }
                }
                return null;
            } finally {
                queue.release.release(queue);
            }
        }
    }

    /** Under the queue's locks: the filter takes the entry; its IRP loses the queue's cancel routine. */
    private static FltCallbackData take(FltCallbackDataQueue queue, FltCallbackDataQueue.IoContext entry) {
        entry.removed = true;
        FltCallbackData data = entry.data;
        queue.removeIo.removeIo(queue, data);
        Io.setCancelRoutine(data.irp, null);
        data.irp.driverContext()[DRIVER_CONTEXT_ENTRY] = null;
        return data;
    }

    static void enable(FltCallbackDataQueue queue, boolean enabled) {
        synchronized (queue) {
            queue.acquire.acquire(queue);
            try {
                queue.enabled = enabled;
            } finally {
                queue.release.release(queue);
            }
        }
    }
}
