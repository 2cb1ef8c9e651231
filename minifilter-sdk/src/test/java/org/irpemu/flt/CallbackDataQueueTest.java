package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancel-safe callback data queues (FltCbdqInitialize, FltCbdqInsertIo, FltCbdqRemoveIo, FltCbdqRemoveNextIo,
 * FltCbdqEnable / FltCbdqDisable) as their WDK pages describe them (/tmp/flt-notes.md section 7): the queue
 * calls the filter's InsertIo, RemoveIo and PeekNextIo under its Acquire/Release lock; a cancel removes the
 * operation (RemoveIo) before CompleteCanceledIo, outside the lock; whoever removes an entry first owns it.
 */
@Timeout(60)
class CallbackDataQueueTest {
    /** A filter that queues the creates of *.q files and leaves their resumption to the test. */
    static final class QueueFilter {
        final ReentrantLock lock = new ReentrantLock();
        final ArrayDeque<FltCallbackData> pending = new ArrayDeque<>();
        final FltCallbackDataQueue queue = new FltCallbackDataQueue();
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Integer> insertStatuses = new CopyOnWriteArrayList<>();
        final List<String> unlockedCallbacks = new CopyOnWriteArrayList<>();
        final Map<String, FltCallbackDataQueue.IoContext> contexts = new ConcurrentHashMap<>();
        volatile int insertResult = NtStatus.STATUS_SUCCESS;
        volatile int initializeStatus = -1;

        static String name(FltCallbackData data) {
            return data.iopb().targetFileObject().fileName();
        }

        private void checkLocked(String callback) {
            if (!lock.isHeldByCurrentThread()) {
                unlockedCallbacks.add(callback);
            }
        }

        FltRegistration registration() {
            return FltRegistration.builder("QueueFilter")
                    .instanceSetup((objects, flags, type, fs) -> {
                        initializeStatus = Flt.cbdqInitialize(objects.instance(), queue,
                                (q, data, insertContext) -> {
                                    checkLocked("InsertIo");
                                    if (insertResult != NtStatus.STATUS_SUCCESS) {
                                        return insertResult;
                                    }
                                    pending.addLast(data);
                                    events.add("insert " + name(data) + (insertContext == null ? "" : " " + insertContext));
                                    return NtStatus.STATUS_SUCCESS;
                                },
                                (q, data) -> {
                                    checkLocked("RemoveIo");
                                    pending.remove(data);
                                    events.add("remove " + name(data));
                                },
                                (q, data, peekContext) -> {
                                    checkLocked("PeekNextIo");
                                    return next(data, (String) peekContext);
                                },
                                q -> lock.lock(),
                                q -> lock.unlock(),
                                (q, data) -> {
                                    if (lock.isHeldByCurrentThread()) {
                                        unlockedCallbacks.add("CompleteCanceledIo called under the lock");
                                    }
                                    events.add("cancelled " + name(data));
                                    data.ioStatus().set(NtStatus.STATUS_CANCELLED, 0);
                                    Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null);
                                });
                        return initializeStatus;
                    })
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, ctx) -> {
                        FileObject fo = data.iopb().targetFileObject();
                        if (fo == null || !fo.fileName().endsWith(".q")) {
                            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        FltCallbackDataQueue.IoContext context = new FltCallbackDataQueue.IoContext();
                        int status = Flt.cbdqInsertIo(queue, data, context, "ctx");
                        insertStatuses.add(status);
                        if (status != NtStatus.STATUS_PENDING) {
                            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        contexts.put(fo.fileName(), context);
                        return FltPreopCallbackStatus.FLT_PREOP_PENDING;
                    }, null)
                    .build();
        }

        /** PeekNextIo: the entry after {@code after} (or the first) whose name starts with {@code prefix}. */
        private FltCallbackData next(FltCallbackData after, String prefix) {
            Iterator<FltCallbackData> it = pending.iterator();
            boolean passed = after == null;
            while (it.hasNext()) {
                FltCallbackData d = it.next();
                if (!passed) {
                    passed = d == after;
                    continue;
                }
                if (prefix == null || name(d).startsWith(prefix)) {
                    return d;
                }
            }
            return null;
        }

        int length() {
            lock.lock();
            try {
                return pending.size();
            } finally {
                lock.unlock();
            }
        }
    }

    private static TestMachine machine(QueueFilter f) {
        TestMachine m = new TestMachine();
        m.verify();
        m.attach(f.registration(), "330000");
        assertThat(f.initializeStatus).isEqualTo(NtStatus.STATUS_SUCCESS);
        return m;
    }

    private static Overlapped create(TestMachine m, String path) {
        return m.create(path, AccessMask.FILE_READ_DATA, TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN_IF, 0, null);
    }

    private static void resume(FltCallbackData data) {
        Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
    }

    private static void close(TestMachine m, Overlapped... creates) {
        for (Overlapped ov : creates) {
            assertThat(m.awaitStatus(m.close(ov.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void insertReturnsStatusPendingAndRemoveIoTakesTheEntryItsContextNames() {
        QueueFilter f = new QueueFilter();
        try (TestMachine m = machine(f)) {
            Overlapped a = create(m, "\\a.q");
            Overlapped b = create(m, "\\b.q");
            m.quiesce();
            assertThat(f.insertStatuses).containsExactly(NtStatus.STATUS_PENDING, NtStatus.STATUS_PENDING);
            assertThat(f.length()).isEqualTo(2);
            assertThat(f.events).containsExactly("insert \\a.q ctx", "insert \\b.q ctx");

            FltCallbackData taken = Flt.cbdqRemoveIo(f.queue, f.contexts.get("\\b.q"));
            assertThat(taken).isNotNull();
            assertThat(QueueFilter.name(taken)).isEqualTo("\\b.q");
            assertThat(Flt.cbdqRemoveIo(f.queue, f.contexts.get("\\b.q"))).as("removed already").isNull();
            assertThat(Flt.cbdqRemoveIo(f.queue, new FltCallbackDataQueue.IoContext())).as("never inserted").isNull();
            resume(taken);
            assertThat(m.awaitStatus(b)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(a.isDone()).isFalse();

            // A removed entry's IRP has no cancel routine any more: cancelling it after removal does nothing here.
            FltCallbackData first = Flt.cbdqRemoveNextIo(f.queue, null);
            assertThat(QueueFilter.name(first)).isEqualTo("\\a.q");
            assertThat(Flt.cbdqRemoveNextIo(f.queue, null)).isNull();
            assertThat(m.nt.cancelIoEx(null, a)).isTrue();
            m.quiesce();
            assertThat(a.isDone()).as("the filter owns it now; it decides").isFalse();
            resume(first);
            assertThat(m.awaitStatus(a)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.unlockedCallbacks).isEmpty();
            close(m, a, b);
        }
    }

    @Test
    void aCancelRemovesTheEntryBeforeCompleteCanceledIoWhichRunsOutsideTheLock() {
        QueueFilter f = new QueueFilter();
        try (TestMachine m = machine(f)) {
            Overlapped a = create(m, "\\a.q");
            Overlapped b = create(m, "\\b.q");
            m.quiesce();
            assertThat(m.nt.cancelIoEx(null, a)).isTrue();
            assertThat(m.awaitStatus(a)).isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(f.events).containsExactly("insert \\a.q ctx", "insert \\b.q ctx", "remove \\a.q",
                    "cancelled \\a.q");
            assertThat(f.length()).isEqualTo(1);
            assertThat(Flt.cbdqRemoveIo(f.queue, f.contexts.get("\\a.q"))).as("the cancel took it first").isNull();

            FltCallbackData next = Flt.cbdqRemoveNextIo(f.queue, null);
            assertThat(QueueFilter.name(next)).isEqualTo("\\b.q");
            resume(next);
            assertThat(m.awaitStatus(b)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.unlockedCallbacks).isEmpty();
            close(m, b);
        }
    }

    @Test
    void removeNextIoReturnsTheNextEntryPeekNextIoMatches() {
        QueueFilter f = new QueueFilter();
        try (TestMachine m = machine(f)) {
            List<Overlapped> creates = new ArrayList<>();
            for (String name : new String[] {"\\x1.q", "\\y1.q", "\\x2.q", "\\y2.q"}) {
                creates.add(create(m, name));
                m.quiesce();
            }
            List<String> order = new ArrayList<>();
            FltCallbackData d;
            while ((d = Flt.cbdqRemoveNextIo(f.queue, "\\y")) != null) {
                order.add(QueueFilter.name(d));
                resume(d);
            }
            while ((d = Flt.cbdqRemoveNextIo(f.queue, null)) != null) {
                order.add(QueueFilter.name(d));
                resume(d);
            }
            assertThat(order).containsExactly("\\y1.q", "\\y2.q", "\\x1.q", "\\x2.q");
            for (Overlapped ov : creates) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            assertThat(f.unlockedCallbacks).isEmpty();
            close(m, creates.toArray(new Overlapped[0]));
        }
    }

    @Test
    void aDisabledQueueRefusesInsertionsUntilEnabledAgain() {
        QueueFilter f = new QueueFilter();
        try (TestMachine m = machine(f)) {
            Flt.cbdqDisable(f.queue);
            Overlapped passed = create(m, "\\disabled.q");
            assertThat(m.awaitStatus(passed)).as("not queued: the filter let it go").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.insertStatuses).containsExactly(NtStatus.STATUS_FLT_CBDQ_DISABLED);
            assertThat(f.events).isEmpty();

            Flt.cbdqEnable(f.queue);
            Overlapped queued = create(m, "\\enabled.q");
            m.quiesce();
            assertThat(queued.isDone()).isFalse();
            assertThat(f.insertStatuses).last().isEqualTo(NtStatus.STATUS_PENDING);
            // Disabling does not drain: what is queued stays until removed.
            Flt.cbdqDisable(f.queue);
            FltCallbackData d = Flt.cbdqRemoveNextIo(f.queue, null);
            assertThat(d).isNotNull();
            resume(d);
            assertThat(m.awaitStatus(queued)).isEqualTo(NtStatus.STATUS_SUCCESS);
            close(m, passed, queued);
        }
    }

    @Test
    void anInsertIoErrorIsReturnedAndNothingIsQueued() {
        QueueFilter f = new QueueFilter();
        try (TestMachine m = machine(f)) {
            f.insertResult = NtStatus.STATUS_ACCESS_DENIED;
            Overlapped ov = create(m, "\\full.q");
            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.insertStatuses).containsExactly(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(Flt.cbdqRemoveNextIo(f.queue, null)).isNull();
            close(m, ov);
        }
    }

    @Test
    void initializeRefusesAMissingCallback() {
        FltCallbackDataQueue q = new FltCallbackDataQueue();
        try (TestMachine m = new TestMachine()) {
            FltInstance instance = m.attach(FltRegistration.builder("Nothing").build(), "330000");
            int status = Flt.cbdqInitialize(instance, q, (a, b, c) -> NtStatus.STATUS_SUCCESS, (a, b) -> { },
                    (a, b, c) -> null, a -> { }, a -> { }, null);
            assertThat(status).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(q.instance()).isNull();
            assertThat(Flt.cbdqRemoveNextIo(q, null)).isNull();
        }
    }
}
