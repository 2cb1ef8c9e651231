package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Filter-initiated I/O (/tmp/flt-notes.md section 5): it is sent only to the instances below the initiating
 * instance and the file system, flagged FLTFL_CALLBACK_DATA_GENERATED_IO; FltPerformAsynchronousIo always calls
 * its callback; IRP_MJ_CREATE cannot be asynchronous. Synchronous routines called from a thread outside the
 * dispatchers wait for the result.
 */
@Timeout(60)
class FilterInitiatedIoTest {
    private static final int READ = AccessMask.FILE_READ_DATA;
    private static final int[] LOGGED = {IrpMajorFunction.IRP_MJ_CREATE, IrpMajorFunction.IRP_MJ_READ,
        IrpMajorFunction.IRP_MJ_WRITE, IrpMajorFunction.IRP_MJ_CLEANUP, IrpMajorFunction.IRP_MJ_CLOSE,
        IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL};

    /** What a filter does in a post-operation callback besides logging it. */
    @FunctionalInterface
    private interface PostHook {
        void run(FltCallbackData data, FltRelatedObjects objects);
    }

    /** "pre NAME MAJOR FILE [generated]" and "post ..." of every logged operation, in order. */
    private final List<String> seen = new CopyOnWriteArrayList<>();
    /** RequestorMode of the generated operations the filters saw. */
    private final List<Integer> generatedModes = new CopyOnWriteArrayList<>();

    private void log(String what, String name, FltCallbackData data) {
        seen.add(what + " " + name + " " + IrpMajorFunction.name(data.iopb().majorFunction()) + " "
                + data.iopb().targetFileObject().fileName() + (data.isGeneratedIo() ? " generated" : ""));
        if (data.isGeneratedIo()) {
            generatedModes.add(data.requestorMode());
        }
    }

    private FltRegistration logging(String name, PostHook hook) {
        FltRegistration.Builder b = FltRegistration.builder(name);
        for (int major : LOGGED) {
            b.operation(major, (data, objects, context) -> {
                log("pre", name, data);
                return FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }, (data, objects, context, flags) -> {
                log("post", name, data);
                if (hook != null) {
                    hook.run(data, objects);
                }
                return FLT_POSTOP_FINISHED_PROCESSING;
            });
        }
        return b.build();
    }

    /** Top 385000, Initiator 370000 (running {@code hook} in its post-operation callbacks), Low 320000. */
    private FltInstance threeFilters(TestMachine m, PostHook hook) {
        m.attach(logging("Top", null), "385000");
        FltInstance initiator = m.attach(logging("Initiator", hook), "370000");
        m.attach(logging("Low", null), "320000");
        return initiator;
    }

    /** The calls made for one file. */
    private List<String> seenFor(String file) {
        return seen.stream().filter(s -> s.contains(" " + file)).toList();
    }

    private static boolean isTrigger(FltCallbackData data) {
        return data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CREATE
                && data.iopb().targetFileObject().fileName().equals("\\trigger.txt");
    }

    private static byte[] contents(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /** Opens a file for the initiator from the test thread. */
    private static FileObject openFor(FltInstance instance, String path, int access, int options) {
        Out<FileObject> fo = new Out<>();
        assertThat(Flt.createFileEx2(instance.filter(), instance, fo, access, path, null, 0, TestMachine.SHARE_ALL,
                CreateDisposition.FILE_OPEN_IF, options, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
        return fo.get();
    }

    // ---------------------------------------------------------------------------------------------
    // FltCreateFileEx2 and FltClose
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FltCreateFileEx2 from a post-create reaches only the instances below the initiator, flagged GENERATED_IO")
    void createFromAPostCreateGoesBelowTheInitiatorOnly() {
        try (TestMachine m = new TestMachine()) {
            List<Object> results = new CopyOnWriteArrayList<>();
            threeFilters(m, (data, objects) -> {
                if (isTrigger(data)) {
                    Out<FileObject> fo = new Out<>();
                    IoStatusBlock iosb = new IoStatusBlock();
                    results.add(Flt.createFileEx2(objects.filter(), objects.instance(), fo, READ, "other.txt", iosb, 0,
                            TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN_IF, 0, 0, null));
                    results.add(iosb.status());
                    results.add(iosb.information());
                    results.add(Flt.close(fo.get()));
                    results.add(Flt.close(fo.get()));
                }
            });

            assertThat(m.awaitStatus(m.create("trigger.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(results).containsExactly(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS,
                    (long) CreateDisposition.FILE_CREATED, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_INVALID_HANDLE);
            assertThat(m.fs.exists("other.txt")).isTrue();
            assertThat(seenFor("\\other.txt")).containsExactly(
                    "pre Low IRP_MJ_CREATE \\other.txt generated", "post Low IRP_MJ_CREATE \\other.txt generated",
                    "pre Low IRP_MJ_CLEANUP \\other.txt generated", "post Low IRP_MJ_CLEANUP \\other.txt generated",
                    "pre Low IRP_MJ_CLOSE \\other.txt generated", "post Low IRP_MJ_CLOSE \\other.txt generated");
            assertThat(generatedModes).as("kernel-mode requests").containsOnly(Irp.KERNEL_MODE);
            assertThat(seenFor("\\trigger.txt")).as("the caller's create is not generated I/O").containsExactly(
                    "pre Top IRP_MJ_CREATE \\trigger.txt", "pre Initiator IRP_MJ_CREATE \\trigger.txt",
                    "pre Low IRP_MJ_CREATE \\trigger.txt", "post Low IRP_MJ_CREATE \\trigger.txt",
                    "post Initiator IRP_MJ_CREATE \\trigger.txt", "post Top IRP_MJ_CREATE \\trigger.txt");
        }
    }

    @Test
    @DisplayName("FltCreateFileEx2 with no instance goes to the top of the stack: every instance sees it")
    void createWithoutAnInstanceReachesEveryInstance() {
        try (TestMachine m = new TestMachine()) {
            FltInstance initiator = threeFilters(m, null);
            Out<FileObject> fo = new Out<>();

            assertThat(Flt.createFileEx2(initiator.filter(), null, fo, READ, "all.txt", null, 0, TestMachine.SHARE_ALL,
                    CreateDisposition.FILE_CREATE, 0, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(Flt.close(fo.get())).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(seenFor("\\all.txt")).filteredOn(s -> s.startsWith("pre") && s.contains("IRP_MJ_CREATE"))
                    .extracting(s -> s.split(" ")[1]).containsExactly("Top", "Initiator", "Low");
            m.quiesce();
            assertThat(m.io.outstandingIrps()).isZero();
        }
    }

    @Test
    void closeOfAHandleTheFilterDidNotOpen() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\u.txt", 1, 0))) {
            FileObject callers = m.open("u.txt", READ, CreateDisposition.FILE_OPEN);

            assertThat(Flt.close(callers)).isEqualTo(NtStatus.STATUS_INVALID_HANDLE);
            assertThat(Flt.close(null)).isEqualTo(NtStatus.STATUS_INVALID_HANDLE);
            assertThat(m.awaitStatus(m.close(callers))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("called from a thread outside the dispatchers, the synchronous routines wait and work")
    void synchronousRoutinesFromTheTestThread() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance initiator = threeFilters(m, null);
            FileObject fo = openFor(initiator, "new.bin", READ | AccessMask.FILE_WRITE_DATA, 0);
            byte[] data = contents(40);

            Out<Integer> written = new Out<>();
            assertThat(Flt.writeFile(initiator, fo, 0, 40, new UnsafeBuffer(data), 0, 0, written, null, null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(written.get()).isEqualTo(40);
            UnsafeBuffer back = new UnsafeBuffer(new byte[40]);
            Out<Integer> read = new Out<>();
            assertThat(Flt.readFile(initiator, fo, 10, 30, back, 0, 0, read, null, null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(read.get()).isEqualTo(30);
            byte[] got = new byte[30];
            back.getBytes(0, got);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 40));
            assertThat(seenFor("\\new.bin")).as("only the instance below the initiator saw them")
                    .allMatch(s -> s.contains(" Low ") && s.endsWith(" generated")).hasSize(10);
            // The caller sees what the filter wrote.
            FileObject callers = m.open("new.bin", READ, CreateDisposition.FILE_OPEN);
            UnsafeBuffer viaCaller = new UnsafeBuffer(new byte[40]);
            Overlapped r = m.nt.ntReadFile(new Overlapped(), callers, viaCaller, 0, 40, 0, 0);
            assertThat(m.awaitStatus(r)).isEqualTo(NtStatus.STATUS_SUCCESS);
            byte[] all = new byte[40];
            viaCaller.getBytes(0, all);
            assertThat(all).isEqualTo(data);
        }
    }

    @Test
    @DisplayName("FltReadFile with a callback is asynchronous: STATUS_PENDING (or the final status), the callback once")
    void asynchronousReadFromTheTestThread() throws InterruptedException {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance initiator = threeFilters(m, null);
            FileObject fo = openFor(initiator, "d.bin", READ, 0);
            AtomicInteger calls = new AtomicInteger();
            List<Long> results = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);

            int status = Flt.readFile(initiator, fo, 0, 25, new UnsafeBuffer(new byte[25]), 0, 0, null,
                    (data, context) -> {
                        calls.incrementAndGet();
                        results.add((long) data.ioStatus().status());
                        results.add(data.ioStatus().information());
                        results.add("ctx".equals(context) ? 1L : 0L);
                        done.countDown();
                    }, "ctx");

            assertThat(status).isIn(NtStatus.STATUS_PENDING, NtStatus.STATUS_SUCCESS);
            if (status == NtStatus.STATUS_SUCCESS) {
                assertThat(calls).as("completed at once: the callback already ran").hasValue(1);
            }
            assertThat(done.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            m.quiesce();
            assertThat(calls).hasValue(1);
            assertThat(results).containsExactly((long) NtStatus.STATUS_SUCCESS, 25L, 1L);
            assertThat(seenFor("\\d.bin")).filteredOn(s -> s.contains("IRP_MJ_READ"))
                    .containsExactly("pre Low IRP_MJ_READ \\d.bin generated", "post Low IRP_MJ_READ \\d.bin generated");
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("an asynchronous read started on the dispatcher that owns the stream completes at once")
    void asynchronousReadFromACallbackCompletesBeforeReturning() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            AtomicInteger calls = new AtomicInteger();
            List<Integer> results = new CopyOnWriteArrayList<>();
            FileObject[] file = new FileObject[1];
            FltInstance initiator = threeFilters(m, (data, objects) -> {
                if (isTrigger(data)) {
                    int status = Flt.readFile(objects.instance(), file[0], 0, 10, null, 0, 0, null,
                            (d, c) -> calls.incrementAndGet(), null);
                    results.add(status);
                    results.add(calls.get());
                }
            });
            file[0] = openFor(initiator, "d.bin", READ, 0);

            assertThat(m.awaitStatus(m.create("trigger.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(results).containsExactly(NtStatus.STATUS_SUCCESS, 1);
            assertThat(Flt.close(file[0])).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FltAllocateCallbackData, FltPerformAsynchronousIo, FltPerformSynchronousIo
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FltPerformAsynchronousIo: STATUS_SUCCESS (callback already ran) or STATUS_PENDING, callback always once")
    void performAsynchronousIoOfARead() throws InterruptedException {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance initiator = threeFilters(m, null);
            FileObject fo = openFor(initiator, "d.bin", READ, 0);
            Out<FltCallbackData> out = new Out<>();
            assertThat(Flt.allocateCallbackData(initiator, fo, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltCallbackData cbd = out.get();
            for (long offset : new long[] {0, 95}) {
                cbd.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_READ).byteOffset(offset).length(10);
                cbd.userBuffer(new UnsafeBuffer(new byte[10]), 0);
                AtomicInteger calls = new AtomicInteger();
                List<Long> results = new CopyOnWriteArrayList<>();
                CountDownLatch done = new CountDownLatch(1);

                int status = Flt.performAsynchronousIo(cbd, (data, context) -> {
                    calls.incrementAndGet();
                    results.add((long) data.ioStatus().status());
                    results.add(data.ioStatus().information());
                    done.countDown();
                }, null);

                assertThat(status).isIn(NtStatus.STATUS_PENDING, NtStatus.STATUS_SUCCESS);
                if (status == NtStatus.STATUS_SUCCESS) {
                    assertThat(calls).hasValue(1);
                }
                assertThat(done.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                m.quiesce();
                assertThat(calls).hasValue(1);
                assertThat(results).containsExactly((long) NtStatus.STATUS_SUCCESS, offset == 0 ? 10L : 5L);
                Flt.reuseCallbackData(cbd);
                assertThat(cbd.iopb().targetFileObject()).as("FltReuseCallbackData keeps the file object").isSameAs(fo);
            }
            Flt.freeCallbackData(cbd);
            assertThat(seenFor("\\d.bin")).filteredOn(s -> s.contains("IRP_MJ_READ")).hasSize(4)
                    .allMatch(s -> s.contains(" Low ") && s.endsWith(" generated"));
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("an oplock request through FltPerformAsynchronousIo: STATUS_PENDING while granted; the callback at the end")
    void performAsynchronousIoOfAGrantedOplockReturnsPending() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\o.txt", 10, 0))) {
            FltInstance initiator = threeFilters(m, null);
            FileObject fo = openFor(initiator, "o.txt", READ, 0);
            Out<FltCallbackData> out = new Out<>();
            Flt.allocateCallbackData(initiator, fo, out);
            VerifierRulesTest.requestOplock(out.get(), OplockLevel.RH);
            List<Integer> statuses = new CopyOnWriteArrayList<>();

            int status = Flt.performAsynchronousIo(out.get(), (data, context) -> statuses.add(data.ioStatus().status()),
                    null);

            assertThat(status).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(statuses).as("the oplock is held: nothing completed").isEmpty();
            assertThat(Flt.cancelIo(out.get())).isTrue();
            m.quiesce();
            assertThat(statuses).containsExactly(NtStatus.STATUS_CANCELLED);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("FltPerformAsynchronousIo calls the callback for an operation that fails too")
    void performAsynchronousIoOfAFailingRequestStillCallsBack() throws InterruptedException {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\o.txt", 10, 0))) {
            FltInstance initiator = threeFilters(m, null);
            // Oplocks are never granted on a handle opened for synchronous I/O.
            FileObject fo = openFor(initiator, "o.txt", READ | AccessMask.SYNCHRONIZE, CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT);
            Out<FltCallbackData> out = new Out<>();
            Flt.allocateCallbackData(initiator, fo, out);
            VerifierRulesTest.requestOplock(out.get(), OplockLevel.RH);
            List<Integer> statuses = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);

            int status = Flt.performAsynchronousIo(out.get(), (data, context) -> {
                statuses.add(data.ioStatus().status());
                done.countDown();
            }, null);

            // Handed to the stream's dispatcher: STATUS_PENDING, or, when it was refused before this returned, the
            // error (the WDK's "Requesting and granting oplocks": a request that cannot be granted returns it).
            assertThat(status).isIn(NtStatus.STATUS_PENDING, NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(done.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(statuses).containsExactly(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("IRP_MJ_CREATE cannot be asynchronous: STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST, and the callback runs")
    void asynchronousCreateIsRefused() {
        try (TestMachine m = new TestMachine()) {
            FltInstance initiator = threeFilters(m, null);
            Out<FltCallbackData> out = new Out<>();
            Flt.allocateCallbackData(initiator, null, out);
            out.get().iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CREATE);
            List<Integer> statuses = new CopyOnWriteArrayList<>();

            int status = Flt.performAsynchronousIo(out.get(), (data, context) -> statuses.add(data.ioStatus().status()),
                    null);

            assertThat(status).isEqualTo(NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST);
            assertThat(statuses).containsExactly(NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST);
            m.quiesce();
            assertThat(seen).isEmpty();
        }
    }

    @Test
    void performSynchronousIoFromTheTestThread() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance initiator = threeFilters(m, null);
            FileObject fo = openFor(initiator, "d.bin", READ, 0);
            Out<FltCallbackData> out = new Out<>();
            Flt.allocateCallbackData(initiator, fo, out);
            FltCallbackData cbd = out.get();
            cbd.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_READ).byteOffset(60).length(50);
            cbd.userBuffer(new UnsafeBuffer(new byte[50]), 0);

            Flt.performSynchronousIo(cbd);

            assertThat(cbd.ioStatus().status()).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(cbd.ioStatus().information()).isEqualTo(40);
            Flt.freeCallbackData(cbd);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void filterInitiatedIoIsRefusedOnceTheInstanceIsGone() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance instance = m.attach(FltRegistration.builder("Gone")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            FileObject fo = openFor(instance, "d.bin", READ, 0);
            assertThat(Flt.close(fo)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(Flt.createFileEx2(instance.filter(), instance, new Out<>(), READ, "d.bin", null, 0, 0,
                    CreateDisposition.FILE_OPEN, 0, 0, null)).isEqualTo(NtStatus.STATUS_FLT_DELETING_OBJECT);
            assertThat(Flt.allocateCallbackData(instance, null, new Out<>()))
                    .isEqualTo(NtStatus.STATUS_FLT_DELETING_OBJECT);
            assertThat(Flt.readFile(instance, fo, 0, 1, null, 0, 0, null, null, null))
                    .isEqualTo(NtStatus.STATUS_FLT_DELETING_OBJECT);
        }
    }
}
