package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Flt oplock routines (FltOplockFsctrl(Ex), FltCheckOplock(Ex), FltOplockBreakH, FltOplockBreakToNone(Ex),
 * FltOplockIsSharedRequest, FltCurrentOplock/H/BatchOplock) driven by a test minifilter that runs its own
 * oplock for one file, as the WDK DDI pages describe their results: FLT_PREOP_PENDING where FsRtl keeps the
 * IRP, FLT_PREOP_COMPLETE with the status in Data->IoStatus, FLT_PREOP_SUCCESS_WITH_CALLBACK where the
 * operation may go on (see also /tmp/flt-notes.md section 1 and oplock-reference.md).
 */
@Timeout(60)
class FltOplockRoutinesTest {
    static final String FILE = "\\o.txt";
    static final int READ = AccessMask.FILE_READ_DATA;
    static final int ALL = TestMachine.SHARE_ALL;

    /** Which routine the filter's pre-create calls. */
    enum CreateCheck { CHECK, BREAK_H, BREAK_TO_NONE }

    /**
     * A minifilter that runs its own oplock on {@link #FILE}: the oplock FSCTLs go to FltOplockFsctrlEx (and
     * complete in the filter); creates, reads and cleanups call a Flt oplock routine and then go on to the file
     * system. Every routine's result is recorded.
     */
    static final class OplockFilter {
        final Oplock oplock = Flt.initializeOplock();
        final List<Integer> fsctrlResults = new CopyOnWriteArrayList<>();
        final List<Integer> checkResults = new CopyOnWriteArrayList<>();
        final List<Integer> checkStatuses = new CopyOnWriteArrayList<>();
        final List<Object> prePostContexts = new CopyOnWriteArrayList<>();
        final List<String> waits = new CopyOnWriteArrayList<>();
        final List<Boolean> sharedRequests = new CopyOnWriteArrayList<>();
        final List<Integer> fsctlCodesSeen = new CopyOnWriteArrayList<>();
        volatile CreateCheck createCheck = CreateCheck.CHECK;
        volatile int checkFlags;
        volatile boolean noWaitRoutine;
        /** Open count passed to FltOplockFsctrlEx for exclusive requests. */
        volatile ToIntFunction<FltCallbackData> openCount = d -> 1;
        volatile int fsctrlFlags;
        final Object context = new Object();

        private final FltOplockWaitCompleteRoutine waitRoutine = (data, ctx) -> {
            waits.add(NtStatus.symbol(data.ioStatus().status()) + (ctx == context ? " with context" : " without"));
            if (data.ioStatus().status() == NtStatus.STATUS_SUCCESS) {
                Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            } else {
                Flt.completePendedPreOperation(data, FLT_PREOP_COMPLETE, null);
            }
        };

        private final FltOplockPrePostCallbackDataRoutine prePost = (data, ctx) -> prePostContexts.add(ctx);

        private static boolean ours(FltCallbackData data) {
            FileObject fo = data.iopb().targetFileObject();
            return fo != null && fo.fileName().equalsIgnoreCase(FILE);
        }

        FltRegistration registration() {
            return FltRegistration.builder("OplockFilter")
                    .operation(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL, (data, objects, ctx) -> {
                        if (!ours(data) || !FsControlCode.isOplockFsctl(data.iopb().parameters().fsControlCode())) {
                            return FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        fsctlCodesSeen.add(data.iopb().parameters().fsControlCode());
                        boolean shared = Flt.oplockIsSharedRequest(data);
                        sharedRequests.add(shared);
                        int r = Flt.oplockFsctrlEx(oplock, data, shared ? 0 : openCount.applyAsInt(data), fsctrlFlags);
                        fsctrlResults.add(r);
                        return r;
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, ctx) -> {
                        if (!ours(data)) {
                            return FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        FltOplockWaitCompleteRoutine w = noWaitRoutine ? null : waitRoutine;
                        int r;
                        switch (createCheck) {
                            case BREAK_H:
                                r = Flt.oplockBreakH(oplock, data, checkFlags, context, w, prePost);
                                break;
                            case BREAK_TO_NONE:
                                r = Flt.oplockBreakToNoneEx(oplock, data, checkFlags, context, w, prePost);
                                break;
                            default:
                                r = Flt.checkOplockEx(oplock, data, checkFlags, context, w, prePost);
                                break;
                        }
                        checkResults.add(r);
                        checkStatuses.add(data.ioStatus().status());
                        // SUCCESS_WITH_CALLBACK: go on (this filter has no post-operation callback).
                        return r == FLT_PREOP_SUCCESS_WITH_CALLBACK ? FLT_PREOP_SUCCESS_NO_CALLBACK : r;
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_READ, (data, objects, ctx) -> {
                        if (!ours(data)) {
                            return FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        int r = Flt.checkOplock(oplock, data, context, waitRoutine, prePost);
                        return r == FLT_PREOP_SUCCESS_WITH_CALLBACK ? FLT_PREOP_SUCCESS_NO_CALLBACK : r;
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_CLEANUP, (data, objects, ctx) -> {
                        if (ours(data)) {
                            Flt.checkOplock(oplock, data, null, null, null); // the handle's oplocks end
                        }
                        return FLT_PREOP_SUCCESS_NO_CALLBACK;
                    }, null)
                    .build();
        }
    }

    private static TestMachine machine(OplockFilter f) {
        TestMachine m = new TestMachine(fs -> fs.createFile(FILE, 100, 0));
        m.verify();
        m.attach(f.registration(), "250000");
        return m;
    }

    private static Overlapped open(TestMachine m, int access, int share, int options, UUID key) {
        return m.create(FILE, access, share, CreateDisposition.FILE_OPEN, options, key);
    }

    private static FileObject opened(TestMachine m, Overlapped ov) {
        assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
        return ov.fileObject();
    }

    // ---------------------------------------------------------------------------------------------
    // FltOplockFsctrl(Ex)
    // ---------------------------------------------------------------------------------------------

    @Test
    void fsctrlPendsAGrantedRequestWhichCompletesWithTheBreakOutput() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            m.quiesce();
            assertThat(f.fsctrlResults).containsExactly(FLT_PREOP_PENDING);
            assertThat(rwh.isDone()).isFalse();
            assertThat(Flt.currentOplock(f.oplock)).isTrue();
            assertThat(Flt.currentOplockH(f.oplock)).isTrue();
            assertThat(Flt.currentBatchOplock(f.oplock)).isFalse();
            assertThat(m.fs.oplock(FILE).isEmpty()).as("the file system's own oplock was never asked").isTrue();

            // Another open with data access: FltCheckOplock starts the break RWH -> RH and pends the create.
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(rwh.information()).isEqualTo(RequestOplockOutputBuffer.ENCODED_LENGTH);
            RequestOplockOutputBuffer out = OplockRequests.output(rwh);
            assertThat(out.structureVersion()).isEqualTo(1);
            assertThat(out.structureLength()).isEqualTo(24);
            assertThat(out.originalOplockLevel()).isEqualTo(OplockLevel.RWH);
            assertThat(out.newOplockLevel()).isEqualTo(OplockLevel.RH);
            assertThat(out.flags()).isEqualTo(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED);
            m.quiesce();
            assertThat(second.isDone()).isFalse();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_PENDING);
            assertThat(f.prePostContexts).as("the pre-post routine ran before the create was pended, with the context")
                    .containsExactly(f.context);
            assertThat(f.waits).isEmpty();

            // The acknowledgment to RH becomes the new oplock (pending), and the waiting create goes on.
            Overlapped ack = OplockRequests.request(m.nt, h1, OplockLevel.RH, true);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.waits).containsExactly("STATUS_SUCCESS with context");
            m.quiesce();
            assertThat(ack.isDone()).isFalse();
            assertThat(f.fsctrlResults).containsExactly(FLT_PREOP_PENDING, FLT_PREOP_PENDING);

            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
        }
    }

    @Test
    void fsctrlCompletesRefusalsWithTheStatusInIoStatus() {
        OplockFilter f = new OplockFilter();
        f.openCount = d -> 2;
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            assertThat(m.awaitStatus(OplockRequests.request(m.nt, h1, OplockLevel.RWH, false)))
                    .as("two opens: an exclusive oplock is not granted").isEqualTo(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1)))
                    .isEqualTo(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(m.awaitStatus(OplockRequests.request(m.nt, h1, OplockLevel.R, true)))
                    .as("an acknowledgment nobody expects").isEqualTo(NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE)))
                    .isEqualTo(NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL);
            UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
            new RequestOplockInputBuffer().wrap(in, 0).set(OplockLevel.RH,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST | RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK);
            assertThat(m.awaitStatus(m.nt.ntFsControlFile(new Overlapped(), h1, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0,
                    12, 24))).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(m.awaitStatus(m.nt.ntFsControlFile(new Overlapped(), h1, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0,
                    12, 8))).isEqualTo(NtStatus.STATUS_BUFFER_TOO_SMALL);
            assertThat(m.awaitStatus(OplockRequests.request(m.nt, h1, 0, false))).as("level 0: nothing to grant")
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY)))
                    .as("no break under way").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.fsctrlResults).containsOnly(FLT_PREOP_COMPLETE).hasSize(8);
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void fsctrlWithAllKeysMatchGrantsAnExclusiveOplockBesideOpensOfTheSameKey() {
        OplockFilter f = new OplockFilter();
        f.openCount = d -> 2;
        f.fsctrlFlags = OplockFlags.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH;
        UUID key = UUID.randomUUID();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, key));
            FileObject h2 = opened(m, open(m, READ, ALL, 0, key));
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            m.quiesce();
            assertThat(rwh.isDone()).isFalse();
            assertThat(f.fsctrlResults).containsExactly(FLT_PREOP_PENDING);
            assertThat(Flt.oplockKeysEqual(h1, h2)).isTrue();
            assertThat(m.awaitStatus(m.close(h2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void legacyRequestsCompleteWithTheBreakInformationAndTheLevel2Acknowledgment() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            m.quiesce();
            assertThat(batch.isDone()).isFalse();
            assertThat(Flt.currentBatchOplock(f.oplock)).isTrue();
            assertThat(Flt.currentOplockH(f.oplock)).isFalse();

            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(batch.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2);
            // FSCTL_OPLOCK_BREAK_NOTIFY through the waiting handle's twin: pending until the break is over.
            Overlapped ack = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(ack.isDone()).as("the acknowledgment is the Level 2 oplock").isFalse();
            assertThat(f.fsctrlResults).containsExactly(FLT_PREOP_PENDING, FLT_PREOP_PENDING);
            assertThat(Flt.currentBatchOplock(f.oplock)).isFalse();
            assertThat(Flt.currentOplock(f.oplock)).isTrue();
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(ack.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
        }
    }

    @Test
    void breakNotifyPendsUntilTheBreakEndsAndCancelIoExCancelsAGrantedRequest() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped l1 = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            Overlapped h2 = open(m, READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null);
            // The filter went on (the file system, which holds no oplock, completed the open).
            assertThat(m.awaitStatus(h2)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.checkStatuses).last().isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped notify = OplockRequests.legacy(m.nt, h2.fileObject(), FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY);
            m.quiesce();
            assertThat(notify.isDone()).isFalse();
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(notify)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.fsctrlResults).containsExactly(FLT_PREOP_PENDING, FLT_PREOP_PENDING, FLT_PREOP_COMPLETE);

            Overlapped r = OplockRequests.request(m.nt, h2.fileObject(), OplockLevel.R, false);
            m.quiesce();
            assertThat(r.isDone()).isFalse();
            assertThat(m.nt.cancelIoEx(null, r)).isTrue();
            assertThat(m.awaitStatus(r)).as("FSCTL_REQUEST_OPLOCK: STATUS_CANCELLED when cancelled")
                    .isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h2.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void isSharedRequestIsTrueForLevel2ReadAndReadHandleRequestsOnly() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            FileObject h2 = opened(m, open(m, READ, ALL, 0, null));
            // Each request is refused or granted; only FltOplockIsSharedRequest's answer matters here.
            Overlapped r = OplockRequests.request(m.nt, h1, OplockLevel.R, false);
            Overlapped rh = OplockRequests.request(m.nt, h2, OplockLevel.RH, false);
            m.awaitStatus(OplockRequests.request(m.nt, h1, OplockLevel.RW, false));
            m.awaitStatus(OplockRequests.request(m.nt, h1, OplockLevel.RWH, false));
            m.awaitStatus(OplockRequests.request(m.nt, h1, OplockLevel.R, true));
            Overlapped l2 = OplockRequests.legacy(m.nt, h2, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2);
            m.awaitStatus(l2);
            m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1));
            m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK));
            m.awaitStatus(m.nt.ntFsControlFile(new Overlapped(), h1, FsControlCode.FSCTL_REQUEST_OPLOCK, null, 0, 4, 24));
            m.quiesce();
            assertThat(f.sharedRequests).containsExactly(true, true, false, false, false, true, false, false, false);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(r)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FltCheckOplock(Ex)
    // ---------------------------------------------------------------------------------------------

    @Test
    void checkOplockLetsAnOperationThatBreaksNothingGoOn() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rh = OplockRequests.request(m.nt, h1, OplockLevel.RH, false);
            FileObject h2 = opened(m, open(m, READ, ALL, 0, null));
            assertThat(m.awaitStatus(m.read(h2, 10, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(rh.isDone()).as("RH survives other opens and reads").isFalse();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_WITH_CALLBACK);
            assertThat(f.checkStatuses).containsOnly(NtStatus.STATUS_SUCCESS);
            assertThat(f.prePostContexts).isEmpty();
            assertThat(f.waits).isEmpty();
            assertThat(m.awaitStatus(m.close(h2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void aReadWaitingForTheBreakResumesAfterTheAcknowledgment() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            m.quiesce();
            // FILE_COMPLETE_IF_OPLOCKED: the open goes on while RWH breaks to RH (acknowledgment required).
            Overlapped h2 = open(m, READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null);
            assertThat(m.awaitStatus(h2)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.checkStatuses).last().isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);

            // A read through the new handle while the break is under way waits for the acknowledgment.
            Overlapped read = m.read(h2.fileObject(), 10, 0);
            m.quiesce();
            assertThat(read.isDone()).isFalse();
            assertThat(f.prePostContexts).containsExactly(f.context);
            Overlapped ack = OplockRequests.request(m.nt, h1, OplockLevel.RH, true);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(10);
            assertThat(f.waits).containsExactly("STATUS_SUCCESS with context");

            assertThat(m.awaitStatus(m.close(h2.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void aCreateWaitingForTheBreakIsCancelledAndTheWaitRoutineSeesStatusCancelled() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_PENDING);
            assertThat(m.nt.cancelIoEx(null, second)).isTrue();
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(f.waits).containsExactly("STATUS_CANCELLED with context");
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(f.waits).as("the cancelled create is not resumed again").hasSize(1);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    /** A filter above that holds the first create of {@link #FILE} until the test resumes it. */
    private static FltRegistration holder(java.util.concurrent.atomic.AtomicReference<FltCallbackData> held) {
        return FltRegistration.builder("Holder").operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, ctx) -> {
            FileObject fo = data.iopb().targetFileObject();
            if (fo != null && fo.fileName().equalsIgnoreCase(FILE) && held.compareAndSet(null, data)) {
                return FLT_PREOP_PENDING;
            }
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
        }, null).build();
    }

    @Test
    void aCreateCancelledBeforeItReachesFltCheckOplockWaitsNotAndItsWaitRoutineRunsAfterThePending() {
        // FsRtlCheckOplock parks a cancelled IRP and completes it at once through the completion routine;
        // FltCheckOplock must still return FLT_PREOP_PENDING first (the routine resumes the operation).
        OplockFilter f = new OplockFilter();
        java.util.concurrent.atomic.AtomicReference<FltCallbackData> held = new java.util.concurrent.atomic.AtomicReference<>();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            m.attach(holder(held), "400000");
            Overlapped second = open(m, READ, ALL, 0, null);
            m.quiesce();
            assertThat(held.get()).isNotNull();
            assertThat(m.nt.cancelIoEx(null, second)).isTrue();
            m.quiesce();
            assertThat(second.isDone()).isFalse();
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_PENDING);
            assertThat(f.prePostContexts).containsExactly(f.context);
            assertThat(f.waits).containsExactly("STATUS_CANCELLED with context");
            assertThat(m.awaitStatus(batch)).as("the break went out").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void aGrantableRequestCancelledBeforeItReachesFltOplockFsctrlCompletesCancelled() {
        OplockFilter f = new OplockFilter();
        java.util.concurrent.atomic.AtomicReference<FltCallbackData> held = new java.util.concurrent.atomic.AtomicReference<>();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            m.attach(FltRegistration.builder("FsctlHolder").operation(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL,
                    (data, objects, ctx) -> held.compareAndSet(null, data) ? FLT_PREOP_PENDING
                            : FLT_PREOP_SUCCESS_NO_CALLBACK, null).build(), "400000");
            Overlapped rh = OplockRequests.request(m.nt, h1, OplockLevel.RH, false);
            m.quiesce();
            assertThat(m.nt.cancelIoEx(null, rh)).isTrue();
            m.quiesce();
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(f.fsctrlResults).as("FsRtlOplockFsctrl: STATUS_CANCELLED, so FLT_PREOP_COMPLETE")
                    .containsExactly(FLT_PREOP_COMPLETE);
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void checkOplockCompletesAnOpenRequiringAnOplockThatWouldBreakOneWithStatusCannotBreakOplock() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            Overlapped atomic = open(m, READ, ALL, CreateOptions.FILE_OPEN_REQUIRING_OPLOCK, null);
            assertThat(m.awaitStatus(atomic)).isEqualTo(NtStatus.STATUS_CANNOT_BREAK_OPLOCK);
            m.quiesce();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_COMPLETE);
            assertThat(f.checkStatuses).containsExactly(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANNOT_BREAK_OPLOCK);
            assertThat(rwh.isDone()).as("nothing was broken").isFalse();
            assertThat(f.prePostContexts).isEmpty();
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void completeIfOplockedGoesOnWithStatusOplockBreakInProgressWhileTheBreakGoesOut() {
        OplockFilter f = new OplockFilter();
        f.checkFlags = OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED;
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            m.quiesce();
            Overlapped second = open(m, READ, ALL, 0, null);
            // The filter went on after FltCheckOplockEx: the file system completed the create with its own status.
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(rwh).newOplockLevel()).isEqualTo(OplockLevel.RH);
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_WITH_CALLBACK);
            assertThat(f.checkStatuses).containsExactly(NtStatus.STATUS_SUCCESS,
                    NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(f.prePostContexts).isEmpty();

            // FILE_COMPLETE_IF_OPLOCKED on the create itself, without the flag: the same.
            f.checkFlags = 0;
            Overlapped third = open(m, READ, ALL, CreateOptions.FILE_COMPLETE_IF_OPLOCKED, null);
            assertThat(m.awaitStatus(third)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.checkStatuses.get(2)).isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(third.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void aWaitWithoutAWaitCompletionRoutineWouldBlockTheDispatcherAndIsReported() {
        // FltCheckOplock: with no WaitCompletionRoutine the caller waits; a dispatcher thread cannot.
        OplockFilter f = new OplockFilter();
        f.noWaitRoutine = true;
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped l1 = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            m.quiesce();
            assertThat(FltTestSupport.findings(m.verifier, FltVerifier.Rule.BLOCKING_WAIT)).hasSize(1);
            m.verifier.clear();
            assertThat(m.awaitStatus(l1)).as("the break went out").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FltOplockBreakH, FltOplockBreakToNone(Ex)
    // ---------------------------------------------------------------------------------------------

    @Test
    void breakHBreaksHandleCachingUnderOtherKeysAndTheCreateWaitsForTheAcknowledgment() {
        OplockFilter f = new OplockFilter();
        f.createCheck = CreateCheck.BREAK_H;
        UUID key = UUID.randomUUID();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, key));
            Overlapped rh = OplockRequests.request(m.nt, h1, OplockLevel.RH, false);
            m.quiesce();
            // Under the holder's key: nothing to break.
            FileObject twin = opened(m, open(m, READ, ALL, 0, key));
            assertThat(rh.isDone()).isFalse();
            assertThat(f.checkResults).containsExactly(FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_WITH_CALLBACK);
            assertThat(m.awaitStatus(m.close(twin))).isEqualTo(NtStatus.STATUS_SUCCESS);

            Overlapped other = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            RequestOplockOutputBuffer out = OplockRequests.output(rh);
            assertThat(out.newOplockLevel()).isEqualTo(OplockLevel.R);
            assertThat(out.flags() & RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED).isNotZero();
            assertThat(out.flags() & RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED)
                    .as("FsRtlOplockBreakH reports the create's access and share mode").isNotZero();
            assertThat(out.accessMode()).isEqualTo(READ);
            assertThat(out.shareMode()).isEqualTo(ALL);
            m.quiesce();
            assertThat(other.isDone()).isFalse();
            assertThat(f.prePostContexts).containsExactly(f.context);
            Overlapped ack = OplockRequests.request(m.nt, h1, OplockLevel.R, true);
            assertThat(m.awaitStatus(other)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.waits).containsExactly("STATUS_SUCCESS with context");
            assertThat(m.awaitStatus(m.close(other.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void breakHWithIgnoreOplockKeysBreaksTheHoldersOwnKeyToo() {
        OplockFilter f = new OplockFilter();
        f.createCheck = CreateCheck.BREAK_H;
        f.checkFlags = OplockFlags.OPLOCK_FLAG_IGNORE_OPLOCK_KEYS;
        UUID key = UUID.randomUUID();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, key));
            Overlapped rh = OplockRequests.request(m.nt, h1, OplockLevel.RH, false);
            m.quiesce();
            Overlapped twin = open(m, READ, ALL, 0, key);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(rh).newOplockLevel()).isEqualTo(OplockLevel.R);
            m.quiesce();
            assertThat(twin.isDone()).isFalse();
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(twin)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(twin.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void breakToNoneBreaksEveryOplockWhateverTheKey() {
        OplockFilter f = new OplockFilter();
        f.createCheck = CreateCheck.BREAK_TO_NONE;
        UUID key = UUID.randomUUID();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, key));
            FileObject h2 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped r = OplockRequests.request(m.nt, h1, OplockLevel.R, false);
            Overlapped rh = OplockRequests.request(m.nt, h2, OplockLevel.RH, false);
            m.quiesce();
            assertThat(r.isDone()).isFalse();
            assertThat(rh.isDone()).isFalse();
            assertThat(Flt.currentOplockH(f.oplock)).isTrue();

            // Even an open under h1's key breaks h1's Read (no acknowledgment) and h2's Read-Handle (acknowledged).
            Overlapped twin = open(m, READ, ALL, 0, key);
            assertThat(m.awaitStatus(r)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(r).newOplockLevel()).isEqualTo(OplockLevel.NONE);
            assertThat(OplockRequests.output(r).flags()).isZero();
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(OplockRequests.output(rh).newOplockLevel()).isEqualTo(OplockLevel.NONE);
            assertThat(OplockRequests.output(rh).flags() & RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED)
                    .isNotZero();
            m.quiesce();
            assertThat(twin.isDone()).as("waits for the RH acknowledgment").isFalse();
            assertThat(m.awaitStatus(OplockRequests.request(m.nt, h2, 0, true))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(twin)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.waits).containsExactly("STATUS_SUCCESS with context");
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
            for (FileObject fo : new FileObject[] {h1, h2, twin.fileObject()}) {
                assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
        }
    }

    @Test
    void breakToNoneExWithCompleteIfOplockedDoesNotWait() {
        OplockFilter f = new OplockFilter();
        f.createCheck = CreateCheck.BREAK_TO_NONE;
        f.checkFlags = OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED;
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped rh = OplockRequests.request(m.nt, h1, OplockLevel.RH, false);
            m.quiesce();
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.checkResults).last().isEqualTo(FLT_PREOP_SUCCESS_WITH_CALLBACK);
            assertThat(f.checkStatuses).last().isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(f.prePostContexts).isEmpty();
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The parameters a filter above changed
    // ---------------------------------------------------------------------------------------------

    /** A filter above that rewrites a parameter and marks the callback data dirty. */
    private static FltRegistration rewriter(int major, java.util.function.Consumer<FltCallbackData> change) {
        return FltRegistration.builder("Rewriter of " + IrpMajorFunction.name(major)).operation(major, (data, objects, ctx) -> {
            FileObject fo = data.iopb().targetFileObject();
            if (fo != null && fo.fileName().equalsIgnoreCase(FILE)) {
                change.accept(data);
                Flt.setCallbackDataDirty(data);
            }
            return FLT_PREOP_SUCCESS_NO_CALLBACK;
        }, null).build();
    }

    @Test
    void theOplockRoutinesSeeTheParametersAFilterAboveChanged() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            // Level 1 requests become Batch requests; creates become attribute-only opens.
            m.attach(rewriter(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL, d -> {
                if (d.iopb().parameters().fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1) {
                    d.iopb().parameters().fsControlCode(FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
                }
            }), "300000");
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped l1 = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            m.quiesce();
            assertThat(l1.isDone()).isFalse();
            assertThat(f.fsctlCodesSeen).containsExactly(FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            assertThat(Flt.currentBatchOplock(f.oplock)).as("granted as the Batch oplock the filter above asked for")
                    .isTrue();

            m.attach(rewriter(IrpMajorFunction.IRP_MJ_CREATE, d -> d.iopb().parameters()
                    .desiredAccess(AccessMask.FILE_READ_ATTRIBUTES)), "310000");
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(l1.isDone()).as("an attribute-only open does not break Batch").isFalse();
            assertThat(f.checkResults).last().isEqualTo(FLT_PREOP_SUCCESS_WITH_CALLBACK);
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(l1.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
        }
    }

    @Test
    void aCreateOptionAddedAboveReachesFltCheckOplock() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped l1 = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            m.quiesce();
            m.attach(rewriter(IrpMajorFunction.IRP_MJ_CREATE, d -> d.iopb().parameters().options(
                    CreateOptions.pack(d.iopb().parameters().createDisposition(),
                            d.iopb().parameters().createOptions() | CreateOptions.FILE_COMPLETE_IF_OPLOCKED))), "310000");
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(second)).as("the file system saw the changed create too")
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.checkStatuses).last().isEqualTo(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(l1.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2);
            assertThat(m.awaitStatus(OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void uninitializeCompletesHeldOplocksAndReleasesWaiters() {
        OplockFilter f = new OplockFilter();
        try (TestMachine m = machine(f)) {
            FileObject h1 = opened(m, open(m, READ, ALL, 0, null));
            Overlapped batch = OplockRequests.legacy(m.nt, h1, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            Overlapped second = open(m, READ, ALL, 0, null);
            assertThat(m.awaitStatus(batch)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(second.isDone()).isFalse();
            // On the stream's dispatcher thread, which owns the oplock.
            m.io.queueWorkItem(h1.dispatcher(), c -> Flt.uninitializeOplock(f.oplock), null);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(f.waits).containsExactly("STATUS_SUCCESS with context");
            assertThat(Flt.currentOplock(f.oplock)).isFalse();
            assertThat(Flt.oplockIsFastIoPossible(f.oplock)).isTrue();
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }
}
