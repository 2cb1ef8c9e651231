package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLT_PREOP_PENDING and FltCompletePendedPreOperation: FltMgr stops processing the operation until the
 * filter resumes it, then goes on as the status given to FltCompletePendedPreOperation says (continue down
 * with or without the post-operation callback, or complete with Data->IoStatus).
 */
@Timeout(60)
class PendedPreOperationTest {
    /** Three filters; the middle one pends every create and hands its callback data to the test. */
    private static final class Stack {
        final TestMachine m;
        final CallLog log = new CallLog();
        final AtomicReference<FltCallbackData> pended = new AtomicReference<>();

        Stack(TestMachine m) {
            this.m = m;
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Pender", log).onPre((data, ctx) -> {
                if (data.iopb().majorFunction() != IrpMajorFunction.IRP_MJ_CREATE) {
                    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                }
                pended.set(data);
                return FLT_PREOP_PENDING;
            }).registration(), "370000");
            m.attach(new ScriptedFilter("Bottom", log).registration(), "320000");
        }

        /** Submits a create and checks that it is held by the pending filter. */
        Overlapped createAndHold(String path) {
            Overlapped ov = m.create(path, AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(ov.isDone()).as("create held by FLT_PREOP_PENDING").isFalse();
            assertThat(ov.status()).isEqualTo(NtStatus.STATUS_PENDING);
            assertThat(pended.get()).isNotNull();
            assertThat(m.fs.exists(path)).as("file system reached").isFalse();
            assertThat(log.labels()).containsExactly("pre Top", "pre Pender");
            return ov;
        }
    }

    /**
     * WDK "Writing preoperation callback routines": returning FLT_PREOP_PENDING races with
     * FltCompletePendedPreOperation and the Filter Manager handles it — here the callback resumes its own
     * operation before it returns PENDING.
     */
    @Test
    void resumedBeforeTheCallbackReturnsPendingGoesOn() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Hasty", log).onPre((data, ctx) -> {
                if (data.iopb().majorFunction() != IrpMajorFunction.IRP_MJ_CREATE) {
                    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                }
                Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, "context");
                return FLT_PREOP_PENDING;
            }).registration(), "370000");
            m.attach(new ScriptedFilter("Below", log).registration(), "320000");

            Overlapped ov = m.create("hasty.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("hasty.txt")).isTrue();
            assertThat(log.labels()).containsExactly("pre Hasty", "pre Below", "post Below", "post Hasty");
        }
    }

    /** Resuming from inside a callback that then does not pend is a bug: reported, and the resume ignored. */
    @Test
    void resumedByACallbackThatDoesNotPendIsReportedAndIgnored() {
        try (TestMachine m = new TestMachine()) {
            m.attach(new ScriptedFilter("Confused", new CallLog()).onPre((data, ctx) -> {
                Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");

            Overlapped ov = m.create("confused.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);

            assertThat(m.awaitStatus(ov)).as("the operation goes on once").isEqualTo(NtStatus.STATUS_SUCCESS);
            List<Throwable> failures = m.drainFailures();
            assertThat(failures).singleElement().asString().contains("CALLBACK_DATA_REUSED");
        }
    }

    @Test
    void operationStaysPendingUntilResumed() {
        try (TestMachine m = new TestMachine()) {
            Stack s = new Stack(m);
            Overlapped ov = s.createAndHold("held.txt");
            m.quiesce();
            assertThat(ov.isDone()).isFalse();
            assertThat(m.io.outstandingIrps()).isEqualTo(1);

            Flt.completePendedPreOperation(s.pended.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(m.io.outstandingIrps()).isZero();
        }
    }

    @Test
    void resumedWithCallbackContinuesDownAndCallsThePostCallbackWithTheGivenContext() {
        try (TestMachine m = new TestMachine()) {
            Stack s = new Stack(m);
            Overlapped ov = s.createAndHold("with.txt");
            Object context = new Object();

            Flt.completePendedPreOperation(s.pended.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK, context);

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(ov.fileObject()).isNotNull();
            assertThat(m.fs.exists("with.txt")).isTrue();
            assertThat(s.log.labels()).containsExactly("pre Top", "pre Pender", "pre Bottom",
                    "post Bottom", "post Pender", "post Top");
            assertThat(s.log.post("Pender", IrpMajorFunction.IRP_MJ_CREATE).context()).isSameAs(context);
            assertThat(s.log.post("Pender", IrpMajorFunction.IRP_MJ_CREATE).status())
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void resumedWithoutCallbackContinuesDownButSkipsThePendingFiltersPostCallback() {
        try (TestMachine m = new TestMachine()) {
            Stack s = new Stack(m);
            Overlapped ov = s.createAndHold("without.txt");

            Flt.completePendedPreOperation(s.pended.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("without.txt")).isTrue();
            assertThat(s.log.labels()).containsExactly("pre Top", "pre Pender", "pre Bottom",
                    "post Bottom", "post Top");
        }
    }

    @Test
    void resumedWithCompleteFinishesWithTheCallbackDataStatus() {
        try (TestMachine m = new TestMachine()) {
            Stack s = new Stack(m);
            Overlapped ov = s.createAndHold("denied.txt");
            FltCallbackData data = s.pended.get();

            data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
            Flt.completePendedPreOperation(data, FLT_PREOP_COMPLETE, null);

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(ov.fileObject()).isNull();
            m.quiesce();
            assertThat(m.fs.exists("denied.txt")).isFalse();
            assertThat(s.log.labels()).containsExactly("pre Top", "pre Pender", "post Top");
            assertThat(s.log.post("Top", IrpMajorFunction.IRP_MJ_CREATE).status())
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
        }
    }

    @Test
    void resumingTwiceIsReportedAsIllegalState() {
        try (TestMachine m = new TestMachine()) {
            Stack s = new Stack(m);
            Overlapped ov = s.createAndHold("twice.txt");
            FltCallbackData data = s.pended.get();

            Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            List<Throwable> failures = m.drainFailures();
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0)).isInstanceOf(IllegalStateException.class);
            assertThat(s.log.labels()).containsExactly("pre Top", "pre Pender", "pre Bottom",
                    "post Bottom", "post Pender", "post Top");
        }
    }

    @Test
    void otherOperationsProceedWhileOneIsPended() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            Stack s = new Stack(m);
            // The pending filter pends creates only; open data.bin first by resuming its create.
            Overlapped open = m.create("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            m.quiesce();
            Flt.completePendedPreOperation(s.pended.getAndSet(null), FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            assertThat(m.awaitStatus(open)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FileObject fo = open.fileObject();
            s.log.clear();

            Overlapped held = m.create("held.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            m.quiesce();
            FltCallbackData heldData = s.pended.get();
            assertThat(heldData).isNotNull();
            Overlapped read = m.read(fo, 10, 0);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(10);
            assertThat(held.isDone()).isFalse();

            Flt.completePendedPreOperation(heldData, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            assertThat(m.awaitStatus(held)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void pendedOperationsOnSeveralDispatchersAreResumedOnTheirOwn() {
        try (TestMachine m = new TestMachine(4, fs -> { })) {
            CallLog log = new CallLog();
            java.util.Queue<FltCallbackData> pended = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.Set<String> resumedOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger wrongThread = new java.util.concurrent.atomic.AtomicInteger();
            m.attach(new ScriptedFilter("Pender", log).onPre((data, ctx) -> {
                pended.add(data);
                return FLT_PREOP_PENDING;
            }).onPost((data, ctx) -> {
                // The post callback runs on the dispatcher that owns the stream, never on the test thread.
                if (m.io.currentDispatcher() != data.iopb().targetFileObject().dispatcher()) {
                    wrongThread.incrementAndGet();
                }
                resumedOn.add(Thread.currentThread().getName());
                return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");

            List<Overlapped> ovs = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ovs.add(m.create("p" + i + ".txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE));
            }
            m.quiesce();
            assertThat(pended).hasSize(40);
            assertThat(ovs).noneMatch(Overlapped::isDone);

            for (FltCallbackData data : pended) {
                Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            }
            for (Overlapped ov : ovs) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            assertThat(wrongThread).hasValue(0);
            assertThat(resumedOn).allMatch(name -> name.startsWith("irpemu-dispatcher-"));
            for (int i = 0; i < 40; i++) {
                assertThat(m.fs.exists("p" + i + ".txt")).isTrue();
            }
        }
    }

    @Test
    void twoFiltersPendingTheSameOperationInTurn() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> upper = new AtomicReference<>();
            AtomicReference<FltCallbackData> lower = new AtomicReference<>();
            m.attach(new ScriptedFilter("Upper", log).onPre((d, c) -> {
                upper.set(d);
                return FLT_PREOP_PENDING;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "385100");
            m.attach(new ScriptedFilter("Lower", log).onPre((d, c) -> {
                lower.set(d);
                return FLT_PREOP_PENDING;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "320000");

            Overlapped ov = m.create("nested.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(log.labels()).containsExactly("pre Upper");
            Flt.completePendedPreOperation(upper.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK, "upper");
            m.quiesce();
            assertThat(ov.isDone()).isFalse();
            assertThat(log.labels()).containsExactly("pre Upper", "pre Lower");
            assertThat(m.fs.exists("nested.txt")).isFalse();
            Flt.completePendedPreOperation(lower.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK, "lower");

            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(log.labels()).containsExactly("pre Upper", "pre Lower", "post Lower", "post Upper");
            assertThat(log.post("Upper", IrpMajorFunction.IRP_MJ_CREATE).context()).isEqualTo("upper");
            assertThat(log.post("Lower", IrpMajorFunction.IRP_MJ_CREATE).context()).isEqualTo("lower");
        }
    }
}
