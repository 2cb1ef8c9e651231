package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.samples.VirtualFileScripts.ALL;
import static org.irpemu.flt.samples.VirtualFileScripts.READ;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltPostopCallbackStatus;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.OplockRequests;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The VirtualFile sample: a read-only file completed by the filter, with its own oplock run through the
 * Flt oplock routines. Every oplock request sequence that only reads must give, on the virtual file, the
 * statuses and output buffers the reference file system gives on a regular file with the same bytes
 * (oplock-reference.md). Every test runs under the minifilter verifier.
 */
@Timeout(120)
class VirtualFileTest {
    static final byte[] CONTENTS = ("The quick brown fox jumps over the lazy dog; irpemu's virtual file has exactly these"
            + " bytes.\r\n").getBytes(StandardCharsets.US_ASCII);
    static final String VIRTUAL = "\\virtual.txt";
    static final String REGULAR = "\\regular.txt";

    /** A machine with the virtual file attached (and a regular file with the same bytes), under the verifier. */
    static TestMachine machine(int dispatchers, VirtualFile v) {
        TestMachine m = new TestMachine(dispatchers, fs -> { });
        m.write(REGULAR, CONTENTS);
        m.verify();
        m.attach(v.registration(), VirtualFile.DEFAULT_ALTITUDE);
        return m;
    }

    static VirtualFile virtualFile() {
        return new VirtualFile(VIRTUAL, CONTENTS);
    }

    static Stream<Arguments> scripts() {
        List<Arguments> out = new ArrayList<>();
        for (OplockTranscript.Script s : VirtualFileScripts.all()) {
            out.add(Arguments.of(s, 1));
            out.add(Arguments.of(s, 3));
        }
        return out.stream();
    }

    private static List<String> run(OplockTranscript.Script script, int dispatchers, String path) {
        try (TestMachine m = machine(dispatchers, virtualFile())) {
            OplockTranscript.Run run = new OplockTranscript.Run(m, path);
            List<String> transcript = run.run(script);
            run.closeAll();
            return transcript;
        }
    }

    @ParameterizedTest(name = "{0} ({1} dispatchers)")
    @MethodSource("scripts")
    void behavesAsTheReferenceFileSystemDoesForARegularFile(OplockTranscript.Script script, int dispatchers) {
        List<String> regular = run(script, dispatchers, REGULAR);
        List<String> virtual = run(script, dispatchers, VIRTUAL);
        for (int i = 0; i < Math.min(regular.size(), virtual.size()); i++) {
            assertThat(virtual.get(i)).as("the virtual file against the regular file, first difference").isEqualTo(
                    regular.get(i));
        }
        assertThat(virtual).hasSameSizeAs(regular);
    }

    // ---------------------------------------------------------------------------------------------
    // The file itself
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void opensReadsQueriesAndClosesWithoutTheFileSystem(int dispatchers) {
        try (TestMachine m = machine(dispatchers, virtualFile())) {
            Overlapped open = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(open)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(open.information()).isEqualTo(CreateDisposition.FILE_OPENED);
            FileObject fo = open.fileObject();
            Overlapped withAttributes = m.create(VIRTUAL, READ | AccessMask.FILE_READ_ATTRIBUTES, ALL,
                    CreateDisposition.FILE_OPEN_IF, 0, null);
            assertThat(m.awaitStatus(withAttributes)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(withAttributes.information()).isEqualTo(CreateDisposition.FILE_OPENED);

            UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            Overlapped read = m.nt.ntReadFile(new Overlapped(), fo, buffer, 0, 256, 0, 0);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(CONTENTS.length);
            byte[] got = new byte[CONTENTS.length];
            buffer.getBytes(0, got);
            assertThat(got).isEqualTo(CONTENTS);

            Overlapped middle = m.nt.ntReadFile(new Overlapped(), fo, buffer, 0, 5, 4, 0);
            assertThat(m.awaitStatus(middle)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(middle.information()).isEqualTo(5);
            assertThat(buffer.getStringWithoutLengthAscii(0, 5)).isEqualTo("quick");

            assertThat(m.awaitStatus(m.read(fo, 10, CONTENTS.length))).isEqualTo(NtStatus.STATUS_END_OF_FILE);

            Overlapped query = m.nt.ntQueryInformationFile(new Overlapped().outputBuffer(new UnsafeBuffer(new byte[24]),
                    0), fo, 24, FileInformationClass.FileStandardInformation);
            assertThat(m.awaitStatus(query)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(query.information()).isEqualTo(24);
            UnsafeBuffer info = (UnsafeBuffer) query.outputBuffer();
            assertThat(info.getLong(0, ByteOrder.LITTLE_ENDIAN)).as("AllocationSize").isEqualTo(4096);
            assertThat(info.getLong(8, ByteOrder.LITTLE_ENDIAN)).as("EndOfFile").isEqualTo(CONTENTS.length);
            assertThat(info.getInt(16, ByteOrder.LITTLE_ENDIAN)).as("NumberOfLinks").isEqualTo(1);
            assertThat(info.getByte(20)).as("DeletePending").isZero();
            assertThat(info.getByte(21)).as("Directory").isZero();

            Overlapped basic = m.nt.ntQueryInformationFile(new Overlapped().outputBuffer(new UnsafeBuffer(new byte[40]),
                    0), withAttributes.fileObject(), 40, FileInformationClass.FileBasicInformation);
            assertThat(m.awaitStatus(basic)).as("a class the virtual file does not implement")
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);

            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(withAttributes.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists(VIRTUAL)).as("the file system never created it").isFalse();
        }
    }

    static Stream<Arguments> refusedOpens() {
        int read = AccessMask.FILE_READ_DATA;
        return Stream.of(
                Arguments.of("FILE_CREATE", read, CreateDisposition.FILE_CREATE, 0, NtStatus.STATUS_OBJECT_NAME_COLLISION),
                Arguments.of("FILE_CREATE of a directory", read, CreateDisposition.FILE_CREATE,
                        CreateOptions.FILE_DIRECTORY_FILE, NtStatus.STATUS_OBJECT_NAME_COLLISION),
                Arguments.of("FILE_SUPERSEDE", read, CreateDisposition.FILE_SUPERSEDE, 0, NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_OVERWRITE", read, CreateDisposition.FILE_OVERWRITE, 0, NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_OVERWRITE_IF", read, CreateDisposition.FILE_OVERWRITE_IF, 0,
                        NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_WRITE_DATA", AccessMask.FILE_WRITE_DATA, CreateDisposition.FILE_OPEN, 0,
                        NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_APPEND_DATA", AccessMask.FILE_APPEND_DATA, CreateDisposition.FILE_OPEN, 0,
                        NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("DELETE", AccessMask.DELETE, CreateDisposition.FILE_OPEN, 0, NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("WRITE_DAC", AccessMask.WRITE_DAC, CreateDisposition.FILE_OPEN, 0,
                        NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("GENERIC_WRITE", AccessMask.GENERIC_WRITE, CreateDisposition.FILE_OPEN, 0,
                        NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_DELETE_ON_CLOSE", read | AccessMask.DELETE, CreateDisposition.FILE_OPEN,
                        CreateOptions.FILE_DELETE_ON_CLOSE, NtStatus.STATUS_ACCESS_DENIED),
                Arguments.of("FILE_DIRECTORY_FILE", read, CreateDisposition.FILE_OPEN, CreateOptions.FILE_DIRECTORY_FILE,
                        NtStatus.STATUS_NOT_A_DIRECTORY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOpens")
    void refusesWhatWouldChangeTheFile(String what, int access, int disposition, int options, int expected) {
        try (TestMachine m = machine(1, virtualFile())) {
            Overlapped c = m.create(VIRTUAL, access, ALL, disposition, options, null);
            assertThat(m.awaitStatus(c)).as(what).isEqualTo(expected);
            assertThat(c.fileObject()).isNull();
            // Nothing was left behind: an exclusive oplock is still possible on a new lone handle.
            FileObject fo = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped o = OplockRequests.legacy(m.nt, fo, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            m.quiesce();
            assertThat(o.isDone()).as("Level 1 granted: the refused open left no handle").isFalse();
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(o)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(o.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
            assertThat(m.fs.exists(VIRTUAL)).isFalse();
        }
    }

    @Test
    void refusesLocksSetInformationAndOtherControlCodes() {
        try (TestMachine m = machine(1, virtualFile())) {
            FileObject fo = m.open(VIRTUAL, READ | AccessMask.FILE_READ_ATTRIBUTES | AccessMask.FILE_WRITE_ATTRIBUTES,
                    CreateDisposition.FILE_OPEN);
            assertThat(m.awaitStatus(m.nt.ntLockFile(new Overlapped(), fo, 0, 1, 0, true, true)))
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            UnsafeBuffer basic = new UnsafeBuffer(new byte[40]);
            assertThat(m.awaitStatus(m.nt.ntSetInformationFile(new Overlapped(), fo, basic, 0, 40,
                    FileInformationClass.FileBasicInformation))).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(m.awaitStatus(m.fsctl(fo, FsControlCode.FSCTL_GET_REPARSE_POINT)))
                    .isEqualTo(NtStatus.STATUS_INVALID_DEVICE_REQUEST);
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Its oplock, step by step
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void readHandleBreaksOnASharingViolationAndTheWaitingOpenGoesOnAfterTheAck(int dispatchers) {
        try (TestMachine m = machine(dispatchers, virtualFile())) {
            FileObject holder = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped rh = OplockRequests.request(m.nt, holder, OplockLevel.RH, false);
            m.quiesce();
            assertThat(rh.isDone()).as("RH granted").isFalse();

            // A reader that shares nothing would fail its sharing check: FltOplockBreakH breaks RH to R and waits.
            Overlapped second = m.create(VIRTUAL, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            RequestOplockOutputBuffer out = OplockRequests.output(rh);
            assertThat(out.originalOplockLevel()).isEqualTo(OplockLevel.RH);
            assertThat(out.newOplockLevel()).isEqualTo(OplockLevel.R);
            assertThat(out.flags()).isEqualTo(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED
                    | RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED);
            assertThat(out.accessMode()).isEqualTo(READ);
            assertThat(out.shareMode()).isZero();
            m.quiesce();
            assertThat(second.isDone()).as("the open waits for the acknowledgment").isFalse();

            // Acknowledging to R keeps the handle open: the retried sharing check still fails.
            Overlapped ack = OplockRequests.request(m.nt, holder, OplockLevel.R, true);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SHARING_VIOLATION);
            m.quiesce();
            assertThat(ack.isDone()).as("the acknowledgment became the R oplock").isFalse();

            assertThat(m.awaitStatus(m.close(holder))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);

            // Again, but this time the holder closes instead of acknowledging: the retried open succeeds.
            FileObject holder2 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped rh2 = OplockRequests.request(m.nt, holder2, OplockLevel.RH, false);
            Overlapped third = m.create(VIRTUAL, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(rh2)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(third.isDone()).isFalse();
            assertThat(m.awaitStatus(m.close(holder2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(third)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(third.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void level1BreaksToLevel2AndTheAcknowledgmentBecomesTheLevel2Oplock() {
        try (TestMachine m = machine(1, virtualFile())) {
            FileObject holder = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped l1 = OplockRequests.legacy(m.nt, holder, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            Overlapped second = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(l1.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2);
            m.quiesce();
            assertThat(second.isDone()).isFalse();

            Overlapped ack = OplockRequests.legacy(m.nt, holder, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(ack.isDone()).as("the acknowledgment is the new Level 2 oplock (STATUS_PENDING)").isFalse();

            // A notify with no break under way completes at once.
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, second.fileObject(),
                    FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(holder))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(ack.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void breakNotifyWaitsForTheBreakAndCancelIoExCancelsAGrantedRequest() {
        try (TestMachine m = machine(1, virtualFile())) {
            FileObject holder = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped batch = OplockRequests.legacy(m.nt, holder, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            Overlapped other = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN,
                    CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null);
            assertThat(m.awaitStatus(other)).isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped notify = OplockRequests.legacy(m.nt, other.fileObject(), FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY);
            m.quiesce();
            assertThat(notify.isDone()).isFalse();
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, holder, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(notify)).isEqualTo(NtStatus.STATUS_SUCCESS);

            Overlapped r = OplockRequests.request(m.nt, other.fileObject(), OplockLevel.R, false);
            m.quiesce();
            assertThat(r.isDone()).isFalse();
            assertThat(m.nt.cancelIoEx(null, r)).isTrue();
            assertThat(m.awaitStatus(r)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(m.awaitStatus(m.close(holder))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(other.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Place in the stack and teardown
    // ---------------------------------------------------------------------------------------------

    private static List<ActivityMonitor.Record> recordsOf(ActivityMonitor monitor, String path) {
        List<ActivityMonitor.Record> out = new ArrayList<>();
        for (ActivityMonitor.Record r : monitor.records()) {
            if (r.fileName().equalsIgnoreCase(path)) {
                out.add(r);
            }
        }
        return out;
    }

    private static void someOperations(TestMachine m, String path) {
        FileObject fo = m.open(path, READ, CreateDisposition.FILE_OPEN);
        Overlapped o = OplockRequests.request(m.nt, fo, OplockLevel.RH, false);
        assertThat(m.awaitStatus(m.read(fo, 10, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(m.awaitStatus(o)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
    }

    @Test
    void instancesBelowNeverSeeItsOperations() {
        try (TestMachine m = machine(1, virtualFile())) {
            ActivityMonitor below = new ActivityMonitor();
            m.attach(below.registration(), "100000");
            someOperations(m, VIRTUAL);
            someOperations(m, REGULAR);
            assertThat(recordsOf(below, VIRTUAL)).isEmpty();
            assertThat(recordsOf(below, REGULAR)).as("the regular file's operations pass through").hasSize(2 * 5);
        }
    }

    @Test
    void instancesAboveSeeEveryOperationWithItsFinalStatus() {
        try (TestMachine m = machine(1, virtualFile())) {
            ActivityMonitor above = new ActivityMonitor();
            m.attach(above.registration(), ActivityMonitor.DEFAULT_ALTITUDE);
            someOperations(m, VIRTUAL);
            List<ActivityMonitor.Record> records = recordsOf(above, VIRTUAL);
            assertThat(records).filteredOn(ActivityMonitor.Record::isPost)
                    .extracting(ActivityMonitor.Record::majorFunction)
                    .containsExactlyInAnyOrder(IrpMajorFunction.IRP_MJ_CREATE, IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL,
                            IrpMajorFunction.IRP_MJ_READ, IrpMajorFunction.IRP_MJ_CLEANUP, IrpMajorFunction.IRP_MJ_CLOSE);
            assertThat(records).filteredOn(r -> r.isPost() && r.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                    .extracting(ActivityMonitor.Record::status).containsExactly(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(records).filteredOn(r -> r.isPost() && r.majorFunction() == IrpMajorFunction.IRP_MJ_READ)
                    .extracting(ActivityMonitor.Record::information).containsExactly(10L);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void teardownCompletesHeldOplocksAndReleasesWaitingOperations(int dispatchers) {
        VirtualFile v = virtualFile();
        try (TestMachine m = new TestMachine(dispatchers, fs -> { })) {
            m.verify();
            FltInstance instance = m.attach(v.registration(), VirtualFile.DEFAULT_ALTITUDE);
            FileObject h1 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            Overlapped waiting = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped ack = OplockRequests.request(m.nt, h1, OplockLevel.RH, true);
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FileObject h2 = waiting.fileObject();
            Overlapped r2 = OplockRequests.request(m.nt, h2, OplockLevel.R, false);
            m.quiesce();
            assertThat(ack.isDone()).isFalse();
            assertThat(r2.isDone()).isFalse();

            // Its file objects are open: a manual detach is refused; a mandatory unload tears the instance down.
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);
            m.quiesce();
            assertThat(ack.isDone()).isFalse();
            assertThat(m.flt.unloadFilter(VirtualFile.NAME, true)).isEqualTo(NtStatus.STATUS_SUCCESS);

            // FltUninitializeOplock at InstanceTeardownStart: every held oplock completes, broken to none.
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(ack).newOplockLevel()).isEqualTo(OplockLevel.NONE);
            assertThat(m.awaitStatus(r2)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(r2).newOplockLevel()).isEqualTo(OplockLevel.NONE);
            assertThat(instance.isAttached()).isFalse();
            // Without the filter the path does not exist.
            assertThat(m.awaitStatus(m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null)))
                    .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
        }
    }

    @Test
    void teardownReleasesAnOpenWaitingForAnAcknowledgment() {
        VirtualFile v = virtualFile();
        try (TestMachine m = new TestMachine(1, fs -> { })) {
            m.verify();
            FltInstance instance = m.attach(v.registration(), VirtualFile.DEFAULT_ALTITUDE);
            FileObject h1 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            Overlapped waiting = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(waiting.isDone()).isFalse();

            assertThat(m.flt.unloadFilter(VirtualFile.NAME, true)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(instance.isAttached()).isFalse();
            // The waiting open goes on against an oplock with nothing left to break: it is opened. (Its handles
            // are the filter's: with the filter gone, nothing below knows them, so the test leaves them open.)
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(waiting.information()).isEqualTo(CreateDisposition.FILE_OPENED);
            assertThat(m.awaitStatus(m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null)))
                    .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
        }
    }

    @Test
    void aManualDetachWaitsUntilEveryFileObjectOfTheVirtualFileIsClosed() {
        VirtualFile v = virtualFile();
        try (TestMachine m = new TestMachine(1, fs -> { })) {
            m.verify();
            FltInstance instance = m.attach(v.registration(), VirtualFile.DEFAULT_ALTITUDE);
            FileObject h1 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            FileObject h2 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);
            assertThat(instance.isAttached()).isTrue();
            assertThat(m.awaitStatus(m.read(h2, 4, 0))).as("still served").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null)))
                    .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Requests cancelled before the virtual file sees them
    // ---------------------------------------------------------------------------------------------

    /** A filter above that holds every FSCTL and create of the virtual file until the test resumes it. */
    private static FltRegistration holder(AtomicReference<FltCallbackData> held, int major) {
        return FltRegistration.builder("Holder")
                .operation(major, (data, objects, context) -> {
                    if (data.iopb().targetFileObject() != null
                            && data.iopb().targetFileObject().fileName().equalsIgnoreCase(VIRTUAL)
                            && held.get() == null) {
                        held.set(data);
                        return FltPreopCallbackStatus.FLT_PREOP_PENDING;
                    }
                    return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                }, (data, objects, context, flags) -> FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING)
                .build();
    }

    @Test
    void aGrantableRequestCancelledWhileHeldAboveCompletesCancelled() {
        try (TestMachine m = machine(1, virtualFile())) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(holder(held, IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL), "200000");
            FileObject fo = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            Overlapped rh = OplockRequests.request(m.nt, fo, OplockLevel.RH, false);
            m.quiesce();
            assertThat(held.get()).isNotNull();
            // The IRP has no cancel routine while the filter above holds it: only its Cancel flag is set.
            assertThat(m.nt.cancelIoEx(null, rh)).isTrue();
            m.quiesce();
            assertThat(rh.isDone()).isFalse();
            Flt.completePendedPreOperation(held.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            // The oplock package sees the Cancel flag when it would keep the request (FsRtlOplockFsctrl: STATUS_CANCELLED).
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_CANCELLED);
            // Nothing is held: an exclusive oplock is granted to the same lone handle.
            Overlapped l1 = OplockRequests.legacy(m.nt, fo, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            m.quiesce();
            assertThat(l1.isDone()).isFalse();
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void anOpenCancelledWhileHeldAboveCompletesCancelledWhenItWouldWaitForABreak() {
        try (TestMachine m = machine(1, virtualFile())) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            FileObject h1 = m.open(VIRTUAL, READ, CreateDisposition.FILE_OPEN);
            m.attach(holder(held, IrpMajorFunction.IRP_MJ_CREATE), "200000");
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            Overlapped second = m.create(VIRTUAL, READ, ALL, CreateDisposition.FILE_OPEN, 0, null);
            m.quiesce();
            assertThat(held.get()).isNotNull();
            assertThat(batch.isDone()).isFalse();
            assertThat(m.nt.cancelIoEx(null, second)).isTrue();
            m.quiesce();
            Flt.completePendedPreOperation(held.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            // The open would wait for the Batch break; cancelled, it completes with STATUS_CANCELLED.
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }
}
