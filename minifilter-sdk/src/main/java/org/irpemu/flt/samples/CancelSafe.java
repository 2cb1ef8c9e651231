package org.irpemu.flt.samples;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.irpemu.flt.CompletionContext;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltCallbackDataQueue;
import org.irpemu.flt.FltContext;
import org.irpemu.flt.FltContextType;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltRelatedObjects;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;

/**
 * A sample minifilter in the spirit of the WDK's cancelSafe: it pends the creates of some files in a
 * cancel-safe callback data queue ({@code FltCbdq*}) and resumes them later, in arrival order, from its
 * own worker thread — after a delay, or when {@link #releaseAll()} is called. A create cancelled while
 * queued ({@code CancelIoEx}) completes with STATUS_CANCELLED through CompleteCanceledIo, never twice.
 * At instance teardown the queue is disabled and drained: every queued create goes on.
 *
 * <p>It shows an instance context (holding the queue), the queue's six callbacks under the filter's own
 * lock, FLT_PREOP_PENDING with {@code FltCompletePendedPreOperation} from another thread, and teardown
 * obligations.
 */
public final class CancelSafe {
    /** The filter's name. */
    public static final String NAME = "CancelSafe";
    /** An altitude in the FSFilter Activity Monitor group, below the activity monitor. */
    public static final String DEFAULT_ALTITUDE = "361000";
    /** The file names (last component, any directory) whose creates are queued by default. */
    public static final String DEFAULT_SUFFIX = ".csq";

    /** Per-instance state, the attachment of the instance context. */
    private static final class InstanceState {
        final ReentrantLock lock = new ReentrantLock();
        final ArrayDeque<FltCallbackData> pending = new ArrayDeque<>();
        final FltCallbackDataQueue queue = new FltCallbackDataQueue();
        /** The instance's worker thread: it resumes the queued creates (stopped at TeardownComplete). */
        final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "CancelSafe worker");
            t.setDaemon(true);
            return t;
        });
    }

    private final String suffix;
    private final long delayMillis;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong resumed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private volatile FltRegistration registration;
    private volatile InstanceState state;

    /** Queues creates of files ending in {@value #DEFAULT_SUFFIX} and resumes them after 20 ms. */
    public CancelSafe() {
        this(DEFAULT_SUFFIX, 20);
    }

    /**
     * @param suffix creates of paths ending in it (case-insensitive) are queued
     * @param delayMillis how long a create stays queued, ms; 0 or less: until {@link #releaseAll()}
     */
    public CancelSafe(String suffix, long delayMillis) {
        this.suffix = suffix.toLowerCase(Locale.ROOT);
        this.delayMillis = delayMillis;
    }

    /** @return the registration (one per filter object) */
    public synchronized FltRegistration registration() {
        if (registration == null) {
            registration = FltRegistration.builder(NAME)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, this::preCreate, null)
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 16, null)
                    .instanceSetup(this::instanceSetup)
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                    .instanceTeardownStart((objects, reason) -> drain(objects.instance()))
                    .instanceTeardownComplete((objects, reason) -> stopWorker())
                    .filterUnload(flags -> NtStatus.STATUS_SUCCESS)
                    .build();
        }
        return registration;
    }

    /** @return creates queued so far */
    public long queued() {
        return queued.get();
    }

    /** @return queued creates resumed so far */
    public long resumed() {
        return resumed.get();
    }

    /** @return queued creates cancelled so far */
    public long cancelled() {
        return cancelled.get();
    }

    /** @return creates in the queue now */
    public int queueLength() {
        InstanceState s = state;
        if (s == null) {
            return 0;
        }
        s.lock.lock();
        try {
            return s.pending.size();
        } finally {
            s.lock.unlock();
        }
    }

    /** Resumes every queued create now, from the worker thread. */
    public void releaseAll() {
        InstanceState s = state;
        if (s != null && !s.worker.isShutdown()) {
            s.worker.execute(() -> resumeAll(s));
        }
    }

    /** InstanceTeardownComplete: the queue was drained at TeardownStart; the worker has nothing left to do. */
    private void stopWorker() {
        InstanceState s = state;
        if (s != null) {
            s.worker.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Instance setup: the queue lives in the instance context
    // ---------------------------------------------------------------------------------------------

    private int instanceSetup(FltRelatedObjects objects, int flags, int deviceType, int fileSystemType) {
        Out<FltContext> context = new Out<>();
        int status = Flt.allocateContext(objects.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 16, context);
        if (!NtStatus.ntSuccess(status)) {
            return status;
        }
        InstanceState s = new InstanceState();
        context.get().attachment(s);
        status = Flt.cbdqInitialize(objects.instance(), s.queue,
                (queue, data, insertContext) -> {
                    s.pending.addLast(data);
                    return NtStatus.STATUS_SUCCESS;
                },
                (queue, data) -> s.pending.remove(data),
                (queue, data, peekContext) -> next(s, data),
                queue -> s.lock.lock(),
                queue -> s.lock.unlock(),
                (queue, data) -> {
                    cancelled.incrementAndGet();
                    data.ioStatus().set(NtStatus.STATUS_CANCELLED, 0);
                    Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null);
                });
        if (NtStatus.ntSuccess(status)) {
            status = Flt.setInstanceContext(objects.instance(), FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                    context.get(), null);
        }
        Flt.releaseContext(context.get());
        if (NtStatus.ntSuccess(status)) {
            state = s;
        } else {
            s.worker.shutdownNow();
        }
        return status;
    }

    /** PeekNextIo: the entry after {@code after} (or the first), in arrival order. */
    private static FltCallbackData next(InstanceState s, FltCallbackData after) {
        Iterator<FltCallbackData> it = s.pending.iterator();
        if (after == null) {
            return it.hasNext() ? it.next() : null;
        }
        while (it.hasNext()) {
            if (it.next() == after) {
                return it.hasNext() ? it.next() : null;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Pre-create: queue the matching creates
    // ---------------------------------------------------------------------------------------------

    private int preCreate(FltCallbackData data, FltRelatedObjects objects, CompletionContext completionContext) {
        FileObject fo = data.iopb().targetFileObject();
        if (fo == null || data.isGeneratedIo() || !fo.fileName().toLowerCase(Locale.ROOT).endsWith(suffix)) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        Out<FltContext> context = new Out<>();
        if (Flt.getInstanceContext(objects.instance(), context) != NtStatus.STATUS_SUCCESS) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        InstanceState s = (InstanceState) context.get().attachment();
        Flt.releaseContext(context.get());
        int status = Flt.cbdqInsertIo(s.queue, data, null, null);
        if (!NtStatus.ntSuccess(status)) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK; // disabled (teardown): let it go
        }
        queued.incrementAndGet();
        if (delayMillis > 0) {
            s.worker.schedule(() -> resumeOne(s), delayMillis, TimeUnit.MILLISECONDS);
        }
        return FltPreopCallbackStatus.FLT_PREOP_PENDING;
    }

    /** On the worker: the oldest queued create goes on (unless a cancel took it). */
    private void resumeOne(InstanceState s) {
        FltCallbackData data = Flt.cbdqRemoveNextIo(s.queue, null);
        if (data != null) {
            resumed.incrementAndGet();
            Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
        }
    }

    private void resumeAll(InstanceState s) {
        FltCallbackData data;
        while ((data = Flt.cbdqRemoveNextIo(s.queue, null)) != null) {
            resumed.incrementAndGet();
            Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
        }
    }

    /** InstanceTeardownStart: no new entries; everything queued goes on. */
    private void drain(FltInstance instance) {
        InstanceState s = state;
        if (s == null) {
            return;
        }
        Flt.cbdqDisable(s.queue);
        resumeAll(s);
    }
}
