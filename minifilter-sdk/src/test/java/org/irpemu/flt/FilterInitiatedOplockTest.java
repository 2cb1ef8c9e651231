package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.Out;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Oplocks a minifilter requests on its own handle, as the WDK's "Requesting and granting oplocks" prescribes:
 * FltAllocateCallbackData, an IRP_MJ_FILE_SYSTEM_CONTROL / FSCTL_REQUEST_OPLOCK with one buffer for input and
 * output, FltPerformAsynchronousIo (STATUS_PENDING when granted; the callback runs when the oplock breaks,
 * with the REQUEST_OPLOCK_OUTPUT_BUFFER in the same buffer); FltCancelIo; and FltFsControlFile, which is
 * synchronous and so cannot wait for a granted oplock on a dispatcher thread (/tmp/flt-notes.md 5.4-5.9, 9.1).
 */
@Timeout(60)
class FilterInitiatedOplockTest {
    static final String FILE = "\\f.txt";
    static final int READ = AccessMask.FILE_READ_DATA;
    static final int LENGTH = Math.max(RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);

    /** The initiating filter (no callbacks of its own) between a monitor above and a monitor below. */
    static final class Stack {
        final TestMachine m;
        final FltFilter filter;
        final FltInstance instance;
        final CallLog log = new CallLog();
        final List<Boolean> generatedSeenBelow = new CopyOnWriteArrayList<>();
        volatile Runnable teardownStart = () -> { };

        Stack(TestMachine m) {
            this.m = m;
            m.attach(new ScriptedFilter("Above", log).registration(), "385000");
            instance = m.attach(FltRegistration.builder("Initiator")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                    .instanceTeardownStart((objects, reason) -> teardownStart.run())
                    .build(), "300000");
            filter = instance.filter();
            m.attach(new ScriptedFilter("Below", log).observe(d -> {
                generatedSeenBelow.add(d.isGeneratedIo());
                return 0;
            }).registration(), "200000");
        }

        /** FltCreateFileEx2 below the initiator, from the test thread (which waits). */
        FileObject open() {
            Out<FileObject> fo = new Out<>();
            IoStatusBlock iosb = new IoStatusBlock();
            int status = Flt.createFileEx2(filter, instance, fo, READ | AccessMask.FILE_READ_ATTRIBUTES, FILE, iosb, 0,
                    TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN, 0, 0, null);
            assertThat(status).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(iosb.information()).isEqualTo(CreateDisposition.FILE_OPENED);
            return fo.get();
        }

        /** An FSCTL_REQUEST_OPLOCK callback data, ready for FltPerformAsynchronousIo. */
        FltCallbackData request(FileObject fo, int level) {
            Out<FltCallbackData> out = new Out<>();
            assertThat(Flt.allocateCallbackData(instance, fo, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltCallbackData data = out.get();
            data.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                    .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fsControlCode(FsControlCode.FSCTL_REQUEST_OPLOCK)
                    .inputBufferLength(LENGTH).outputBufferLength(LENGTH);
            new RequestOplockInputBuffer().wrap(data.ensureSystemBuffer(LENGTH), 0).set(level,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            return data;
        }

        /** The labels of the callbacks of the monitors, for one major function. */
        List<String> seen(int major) {
            return log.labels(major);
        }
    }

    /** What a completed-async-I/O callback received. */
    static final class Completion implements FltCompletedAsyncIoCallback {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile int status = -1;
        volatile long information = -1;
        volatile Object context;
        volatile byte[] output;

        @Override
        public void completed(FltCallbackData data, Object ctx) {
            calls.incrementAndGet();
            status = data.ioStatus().status();
            information = data.ioStatus().information();
            context = ctx;
            output = new byte[RequestOplockOutputBuffer.ENCODED_LENGTH];
            data.systemBuffer().getBytes(0, output);
            done.countDown();
        }

        void await() throws InterruptedException {
            assertThat(done.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("callback ran").isTrue();
        }

        RequestOplockOutputBuffer out() {
            return new RequestOplockOutputBuffer().wrap(new UnsafeBuffer(output), 0);
        }
    }

    private static TestMachine machine() {
        TestMachine m = new TestMachine(fs -> fs.createFile(FILE, 64, 0));
        m.verify();
        return m;
    }

    @Test
    void aGrantedRequestPendsAndItsCallbackRunsAtTheBreakWithTheOutputBuffer() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FltCallbackData data = s.request(fo, OplockLevel.RH);
            Completion c = new Completion();
            Object context = new Object();

            assertThat(Flt.performAsynchronousIo(data, c, context)).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(c.calls.get()).as("granted: the callback waits for the break").isZero();
            assertThat(m.fs.oplock(FILE).isEmpty()).isFalse();
            // Filter-initiated I/O goes only to the instances below the initiator, flagged as generated.
            assertThat(s.seen(IrpMajorFunction.IRP_MJ_CREATE)).containsExactly("pre Below", "post Below");
            assertThat(s.seen(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)).containsExactly("pre Below");
            assertThat(s.generatedSeenBelow).containsExactly(true, true);

            // A caller's open sharing nothing would fail because of the filter's handle: RH breaks to R, it waits.
            Overlapped caller = m.create(FILE, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            c.await();
            assertThat(c.calls.get()).isEqualTo(1);
            assertThat(c.context).isSameAs(context);
            assertThat(c.status).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(c.information).isEqualTo(RequestOplockOutputBuffer.ENCODED_LENGTH);
            RequestOplockOutputBuffer out = c.out();
            assertThat(out.structureVersion()).isEqualTo(1);
            assertThat(out.structureLength()).isEqualTo(RequestOplockOutputBuffer.ENCODED_LENGTH);
            assertThat(out.originalOplockLevel()).isEqualTo(OplockLevel.RH);
            assertThat(out.newOplockLevel()).isEqualTo(OplockLevel.R);
            assertThat(out.flags()).isEqualTo(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED
                    | RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED);
            assertThat(out.accessMode()).isEqualTo(READ);
            assertThat(out.shareMode()).isZero();
            m.quiesce();
            assertThat(caller.isDone()).isFalse();
            Flt.freeCallbackData(data);

            // The filter backs out: its close acknowledges the break and the caller's open goes on.
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(caller)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(Flt.close(fo)).as("closed already").isEqualTo(NtStatus.STATUS_INVALID_HANDLE);
            assertThat(m.awaitStatus(m.close(caller.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(s.log.callsOf("Above")).extracting(CallLog.Call::majorFunction).as("the caller's own operations")
                    .containsOnly(IrpMajorFunction.IRP_MJ_CREATE, IrpMajorFunction.IRP_MJ_CLEANUP,
                            IrpMajorFunction.IRP_MJ_CLOSE).hasSize(6);
        }
    }

    @Test
    void fltCancelIoCancelsAGrantedRequest() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FltCallbackData data = s.request(fo, OplockLevel.RH);
            Completion c = new Completion();
            assertThat(Flt.performAsynchronousIo(data, c, null)).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(c.calls.get()).isZero();

            assertThat(Flt.cancelIo(data)).isTrue();
            c.await();
            assertThat(c.status).as("FSCTL_REQUEST_OPLOCK: STATUS_CANCELLED").isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(c.calls.get()).isEqualTo(1);
            assertThat(m.fs.oplock(FILE).isEmpty()).as("the oplock was given up").isTrue();
            assertThat(Flt.cancelIo(data)).as("nothing left to cancel").isFalse();

            // FltReuseCallbackData: the same callback data carries a new request.
            Flt.reuseCallbackData(data);
            data.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                    .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fsControlCode(FsControlCode.FSCTL_REQUEST_OPLOCK)
                    .inputBufferLength(LENGTH).outputBufferLength(LENGTH);
            new RequestOplockInputBuffer().wrap(data.ensureSystemBuffer(LENGTH), 0).set(OplockLevel.R,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            Completion again = new Completion();
            assertThat(Flt.performAsynchronousIo(data, again, null)).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(again.calls.get()).isZero();
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            again.await();
            assertThat(again.status).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(again.out().originalOplockLevel()).isEqualTo(OplockLevel.R);
            Flt.freeCallbackData(data);
        }
    }

    @Test
    void usingCallbackDataAgainWithoutReuseIsReported() throws Exception {
        try (TestMachine m = machine()) {
            m.verifier.policy(FltVerifier.Rule.CALLBACK_DATA_REUSED, FltVerifier.Policy.WARN).warnings(null);
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FltCallbackData data = s.request(fo, 0); // level 0: completes at once with STATUS_SUCCESS
            Completion c = new Completion();
            Flt.performAsynchronousIo(data, c, null);
            c.await();
            assertThat(c.status).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            Completion second = new Completion();
            assertThat(Flt.performAsynchronousIo(data, second, null)).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(second.calls.get()).as("the callback always runs").isEqualTo(1);
            assertThat(second.status).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(FltTestSupport.findings(m.verifier, FltVerifier.Rule.CALLBACK_DATA_REUSED)).hasSize(1);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void aRefusedRequestCompletesAtOnceAndItsCallbackHasRunWhenCalledOnTheDispatcher() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FileObject caller = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            FltCallbackData data = s.request(fo, OplockLevel.RWH); // two opens: not granted
            Completion c = new Completion();
            AtomicInteger returned = new AtomicInteger(-1);
            AtomicInteger callsWhenReturned = new AtomicInteger(-1);
            CountDownLatch ran = new CountDownLatch(1);
            // A generic work item runs on the stream's dispatcher (one dispatcher here).
            Flt.queueGenericWorkItem(s.instance, (instance, ctx) -> {
                returned.set(Flt.performAsynchronousIo(data, c, null));
                callsWhenReturned.set(c.calls.get());
                ran.countDown();
            }, null);
            assertThat(ran.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            // "Requesting and granting oplocks": when the oplock cannot be granted, the error comes back at once.
            assertThat(returned.get()).isEqualTo(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(callsWhenReturned.get()).isEqualTo(1);
            assertThat(c.status).isEqualTo(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(caller))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void anAsynchronousCreateIsRefused() {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            Out<FltCallbackData> out = new Out<>();
            assertThat(Flt.allocateCallbackData(s.instance, null, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
            out.get().iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CREATE);
            AtomicInteger seen = new AtomicInteger();
            assertThat(Flt.performAsynchronousIo(out.get(), (d, c) -> seen.set(d.ioStatus().status()), null))
                    .isEqualTo(NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST);
            assertThat(seen.get()).isEqualTo(NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST);
            Flt.freeCallbackData(out.get());
        }
    }

    @Test
    void fltFsControlFileCannotWaitForAGrantedOplockOnADispatcherThread() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
            new RequestOplockInputBuffer().wrap(in, 0).set(OplockLevel.RH,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            UnsafeBuffer outBuffer = new UnsafeBuffer(new byte[24]);
            AtomicInteger status = new AtomicInteger(-1);
            CountDownLatch ran = new CountDownLatch(1);
            Flt.queueGenericWorkItem(s.instance, (instance, ctx) -> {
                status.set(Flt.fsControlFile(instance, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 12, outBuffer, 24,
                        null));
                ran.countDown();
            }, null);
            assertThat(ran.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            m.quiesce();
            // Windows would block the thread until the oplock breaks: irpemu answers STATUS_CANT_WAIT and reports it.
            assertThat(status.get()).isEqualTo(NtStatus.STATUS_CANT_WAIT);
            List<FltVerifier.Finding> blocking = FltTestSupport.findings(m.verifier, FltVerifier.Rule.BLOCKING_WAIT);
            assertThat(blocking).hasSize(1);
            assertThat(blocking.get(0).filter()).isEqualTo("Initiator");
            m.verifier.clear();

            // The abandoned request still holds the oplock until the filter closes its handle.
            assertThat(m.fs.oplock(FILE).isEmpty()).isFalse();
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(m.fs.oplock(FILE).isEmpty()).isTrue();
        }
    }

    @Test
    void fltFsControlFileReturnsWhatCompletesAtOnce() {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FileObject caller = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
            UnsafeBuffer out = new UnsafeBuffer(new byte[24]);
            Out<Integer> returned = new Out<>();

            new RequestOplockInputBuffer().wrap(in, 0).set(OplockLevel.RWH,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            assertThat(Flt.fsControlFile(s.instance, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 12, out, 24, returned))
                    .as("two opens").isEqualTo(NtStatus.STATUS_OPLOCK_NOT_GRANTED);

            new RequestOplockInputBuffer().wrap(in, 0).set(0, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            assertThat(Flt.fsControlFile(s.instance, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 12, out, 24, returned))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(returned.get()).isZero();

            assertThat(Flt.fsControlFile(s.instance, fo, FsControlCode.FSCTL_GET_REPARSE_POINT, null, 0, out, 24, returned))
                    .isEqualTo(NtStatus.STATUS_NOT_A_REPARSE_POINT);
            assertThat(Flt.fsControlFile(s.instance, fo, FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY, null, 0, null, 0, null))
                    .as("no break under way").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(s.seen(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)).as("only below the initiator")
                    .containsOnly("pre Below", "post Below");
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(caller))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void aCloseThatCouldNotWaitForItsCleanupIsFinishedWhenTheCleanupCompletes() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            AtomicReference<FltCallbackData> heldCleanup = new AtomicReference<>();
            List<String> seen = new CopyOnWriteArrayList<>();
            m.attach(FltRegistration.builder("CleanupPender")
                    .operation(IrpMajorFunction.IRP_MJ_CLEANUP, (data, objects, ctx) -> {
                        seen.add("cleanup");
                        return data.isGeneratedIo() && heldCleanup.compareAndSet(null, data)
                                ? FltPreopCallbackStatus.FLT_PREOP_PENDING : FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_CLOSE, (data, objects, ctx) -> {
                        seen.add("close");
                        return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                    }, null).build(), "100000");
            FileObject fo = s.open();
            AtomicInteger status = new AtomicInteger(-1);
            CountDownLatch ran = new CountDownLatch(1);
            Flt.queueGenericWorkItem(s.instance, (instance, ctx) -> {
                status.set(Flt.close(fo));
                ran.countDown();
            }, null);
            assertThat(ran.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            m.quiesce();
            assertThat(status.get()).as("FltClose would wait for the pended cleanup").isEqualTo(NtStatus.STATUS_CANT_WAIT);
            assertThat(FltTestSupport.findings(m.verifier, FltVerifier.Rule.BLOCKING_WAIT)).hasSize(1);
            m.verifier.clear();
            assertThat(seen).containsExactly("cleanup");

            // The cleanup goes on: the close the caller could not wait for follows, and the handle is gone.
            Flt.completePendedPreOperation(heldCleanup.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            m.quiesce();
            assertThat(seen).containsExactly("cleanup", "close");
            Overlapped exclusive = m.create(FILE, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(exclusive)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(exclusive.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void teardownStartCancelsTheFiltersOutstandingRequest() throws Exception {
        try (TestMachine m = machine()) {
            Stack s = new Stack(m);
            FileObject fo = s.open();
            FltCallbackData data = s.request(fo, OplockLevel.RH);
            Completion c = new Completion();
            assertThat(Flt.performAsynchronousIo(data, c, null)).isEqualTo(NtStatus.STATUS_PENDING);
            AtomicReference<Boolean> cancelled = new AtomicReference<>();
            s.teardownStart = () -> {
                cancelled.set(Flt.cancelIo(data));
                assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            };
            m.quiesce();
            assertThat(m.flt.detachVolume(s.instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            c.await();
            assertThat(cancelled.get()).isTrue();
            assertThat(c.status).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(c.calls.get()).isEqualTo(1);
            m.quiesce();
            assertThat(m.fs.oplock(FILE).isEmpty()).isTrue();
            Overlapped exclusive = m.create(FILE, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(exclusive)).as("the filter's handle is gone").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(exclusive.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }
}
