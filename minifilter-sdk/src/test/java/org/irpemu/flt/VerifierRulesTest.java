package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
import static org.irpemu.flt.FltTestSupport.at;
import static org.irpemu.flt.FltTestSupport.line;
import static org.irpemu.flt.FltTestSupport.onlyFinding;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.Out;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@link FltVerifier.Rule}, provoked on purpose: the finding (rule, filter, call site, message) and
 * what the operation's caller sees afterwards, which is what the rule's {@code emulatorReaction()} says.
 * The rules come from the WDK pages quoted in /tmp/flt-notes.md (sections 2, 3.6, 4, 6 and 8).
 */
@Timeout(60)
class VerifierRulesTest {
    private static final int READ = AccessMask.FILE_READ_DATA;
    private static final FltPostOperationCallback FINISHED = (data, objects, context, flags) ->
            FLT_POSTOP_FINISHED_PROCESSING;

    private static TestMachine verified() {
        return verified(fs -> { });
    }

    private static TestMachine verified(java.util.function.Consumer<ReferenceFileSystem> populate) {
        return new TestMachine(new FltVerifier(), populate);
    }

    private static FltRegistration filter(String name, int major, FltPreOperationCallback pre,
            FltPostOperationCallback post) {
        return FltRegistration.builder(name).operation(major, pre, post).build();
    }

    /** The call site of a value a callback of this class returned. */
    private static void assertCallbackSite(FltVerifier.Finding f, String operation, String instance) {
        assertThat(f.callSite()).contains(operation, instance, VerifierRulesTest.class.getName());
    }

    // ---------------------------------------------------------------------------------------------
    // ILLEGAL_PREOP_STATUS
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FLT_PREOP_SYNCHRONIZE cannot be returned for FSCTL_REQUEST_OPLOCK_LEVEL_1 (Returning FLT_PREOP_SYNCHRONIZE)")
    void synchronizeForAnOplockRequestFailsTheRequest() {
        try (TestMachine m = verified(fs -> fs.createFile("\\o.txt", 10, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Above", log).registration(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL),
                    "385100");
            m.attach(filter("Syncer", IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL,
                    (data, objects, context) -> FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE, FINISHED), "370000");
            FileObject fo = m.open("o.txt", READ, CreateDisposition.FILE_OPEN);

            Overlapped request = m.fsctl(fo, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);

            assertThat(m.awaitStatus(request)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            assertThat(FltVerifier.Rule.ILLEGAL_PREOP_STATUS.emulatorReaction()).contains("STATUS_UNSUCCESSFUL");
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_PREOP_STATUS);
            assertThat(f.filter()).isEqualTo("Syncer");
            assertThat(f.message()).contains("FLT_PREOP_SYNCHRONIZE", "FSCTL_REQUEST_OPLOCK_LEVEL_1");
            assertThat(f.policy()).isEqualTo(FltVerifier.Policy.FAIL);
            assertCallbackSite(f, "IRP_MJ_FILE_SYSTEM_CONTROL pre-operation callback", "Syncer Instance@370000");
            // The filters above still get their post-operation callback, with the failure.
            assertThat(log.post("Above", IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL).status())
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
        }
    }

    @Test
    @DisplayName("FLT_PREOP_SYNCHRONIZE cannot be returned for IRP_MN_LOCK; other lock requests may be synchronized")
    void synchronizeForAByteRangeLockFailsTheLock() {
        try (TestMachine m = verified(fs -> fs.createFile("\\l.txt", 10, 0))) {
            m.attach(filter("Syncer", IrpMajorFunction.IRP_MJ_LOCK_CONTROL,
                    (data, objects, context) -> FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE, FINISHED), "370000");
            FileObject fo = m.open("l.txt", READ, CreateDisposition.FILE_OPEN);

            Overlapped lock = m.nt.ntLockFile(new Overlapped(), fo, 0, 5, 0, true, true);
            assertThat(m.awaitStatus(lock)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_PREOP_STATUS);
            assertThat(f.filter()).isEqualTo("Syncer");
            assertThat(f.message()).contains("FLT_PREOP_SYNCHRONIZE", "IRP_MJ_LOCK_CONTROL");

            // IRP_MN_UNLOCK_SINGLE may be synchronized: it reaches the file system (no lock was taken).
            Overlapped unlock = m.nt.ntUnlockFile(new Overlapped(), fo, 0, 5, 0);
            assertThat(m.awaitStatus(unlock)).isEqualTo(NtStatus.STATUS_RANGE_NOT_LOCKED);
            m.quiesce();
            assertThat(m.verifier.findings()).hasSize(1);
        }
    }

    @Test
    @DisplayName("FLT_PREOP_DISALLOW_FASTIO is for fast I/O only: returned for an IRP it fails the operation")
    void disallowFastIoForAnIrpFailsTheOperation() {
        try (TestMachine m = verified(fs -> fs.createFile("\\d.bin", 100, 0))) {
            m.attach(filter("NoFast", IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> FltPreopCallbackStatus.FLT_PREOP_DISALLOW_FASTIO, null), "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 10, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            assertThat(read.information()).isZero();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_PREOP_STATUS);
            assertThat(f.filter()).isEqualTo("NoFast");
            assertThat(f.message()).contains("FLT_PREOP_DISALLOW_FASTIO", "IRP_MJ_READ");
            assertCallbackSite(f, "IRP_MJ_READ pre-operation callback", "NoFast Instance@370000");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {FltPreopCallbackStatus.FLT_PREOP_PENDING, FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE,
            FltPreopCallbackStatus.FLT_PREOP_DISALLOW_FASTIO})
    @DisplayName("FltCompletePendedPreOperation: CallbackStatus cannot be PENDING, SYNCHRONIZE or DISALLOW_FASTIO")
    void illegalStatusGivenToCompletePendedPreOperation(int status) {
        try (TestMachine m = verified()) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(filter("Pender", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                held.set(data);
                return FLT_PREOP_PENDING;
            }, FINISHED), "370000");
            Overlapped create = m.create("p.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();

            int line = line() + 1;
            Flt.completePendedPreOperation(held.get(), status, null);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            assertThat(m.fs.exists("p.txt")).isFalse();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_PREOP_STATUS);
            assertThat(f.filter()).isEqualTo("Pender");
            assertThat(f.message()).contains("FltCompletePendedPreOperation", FltPreopCallbackStatus.name(status));
            assertThat(f.callSite()).as("the test's call of Flt.completePendedPreOperation")
                    .contains("illegalStatusGivenToCompletePendedPreOperation", at(getClass(), line));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // ILLEGAL_POSTOP_STATUS, NO_POST_OPERATION, COMPLETION_CONTEXT_NOT_ALLOWED
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a post-operation callback returns only FINISHED_PROCESSING or MORE_PROCESSING_REQUIRED")
    void illegalPostOperationStatusIsTreatedAsFinishedProcessing() {
        try (TestMachine m = verified(fs -> fs.createFile("\\d.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Above", log).registration(IrpMajorFunction.IRP_MJ_READ), "385100");
            m.attach(filter("BadPost", IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK,
                    (data, objects, context, flags) -> FltPostopCallbackStatus.FLT_POSTOP_DISALLOW_FSFILTER_IO),
                    "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 40, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(40);
            assertThat(log.post("Above", IrpMajorFunction.IRP_MJ_READ)).as("completion went on").isNotNull();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_POSTOP_STATUS);
            assertThat(f.filter()).isEqualTo("BadPost");
            assertThat(f.message()).contains("FLT_POSTOP_DISALLOW_FSFILTER_IO");
            assertCallbackSite(f, "IRP_MJ_READ post-operation callback", "BadPost Instance@370000");
            assertThat(f.rule().emulatorReaction()).contains("FLT_POSTOP_FINISHED_PROCESSING");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {FLT_PREOP_SUCCESS_WITH_CALLBACK, FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE})
    @DisplayName("SUCCESS_WITH_CALLBACK or SYNCHRONIZE without a post-operation callback (bug check 0xF5 / 0x66)")
    void callbackAskedForWithoutAPostOperationCallback(int status) {
        try (TestMachine m = verified()) {
            m.attach(filter("NoPost", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> status, null),
                    "370000");

            Overlapped create = m.create("n.txt", READ, CreateDisposition.FILE_CREATE);

            assertThat(m.awaitStatus(create)).as("treated as SUCCESS_NO_CALLBACK").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("n.txt")).isTrue();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.NO_POST_OPERATION);
            assertThat(f.filter()).isEqualTo("NoPost");
            assertThat(f.message()).contains(FltPreopCallbackStatus.name(status), "IRP_MJ_CREATE");
            assertCallbackSite(f, "IRP_MJ_CREATE pre-operation callback", "NoPost Instance@370000");
            assertThat(f.rule().source()).contains("0xF5", "0x66");
        }
    }

    @Test
    void resumedWithCallbackWithoutAPostOperationCallback() {
        try (TestMachine m = verified()) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(filter("NoPost", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                held.set(data);
                return FLT_PREOP_PENDING;
            }, null), "370000");
            Overlapped create = m.create("n.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();

            int line = line() + 1;
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK, "ctx");

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.NO_POST_OPERATION);
            assertThat(f.filter()).isEqualTo("NoPost");
            assertThat(f.callSite()).contains("resumedWithCallbackWithoutAPostOperationCallback", at(getClass(), line));
        }
    }

    @Test
    @DisplayName("a completion context is only for SUCCESS_WITH_CALLBACK and SYNCHRONIZE: otherwise it is dropped")
    void completionContextWithSuccessNoCallback() {
        try (TestMachine m = verified()) {
            AtomicInteger posts = new AtomicInteger();
            m.attach(filter("Ctx", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                context.set("leaked");
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
            }, (data, objects, context, flags) -> {
                posts.incrementAndGet();
                return FLT_POSTOP_FINISHED_PROCESSING;
            }), "370000");

            assertThat(m.awaitStatus(m.create("c.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.COMPLETION_CONTEXT_NOT_ALLOWED);
            assertThat(f.filter()).isEqualTo("Ctx");
            assertThat(f.message()).contains("FLT_PREOP_SUCCESS_NO_CALLBACK");
            assertCallbackSite(f, "IRP_MJ_CREATE pre-operation callback", "Ctx Instance@370000");
            assertThat(posts).hasValue(0);
        }
    }

    @Test
    void completionContextWithCompleteIsDroppedAndTheStatusStands() {
        try (TestMachine m = verified()) {
            m.attach(filter("Ctx", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                context.set("leaked");
                data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                return FLT_PREOP_COMPLETE;
            }, FINISHED), "370000");

            assertThat(m.awaitStatus(m.create("c.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.COMPLETION_CONTEXT_NOT_ALLOWED);
            assertThat(f.message()).contains("FLT_PREOP_COMPLETE");
        }
    }

    @Test
    void completionContextGivenToCompletePendedPreOperationWithNoCallback() {
        try (TestMachine m = verified()) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            AtomicInteger posts = new AtomicInteger();
            m.attach(filter("Ctx", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                held.set(data);
                return FLT_PREOP_PENDING;
            }, (data, objects, context, flags) -> {
                posts.incrementAndGet();
                return FLT_POSTOP_FINISHED_PROCESSING;
            }), "370000");
            Overlapped create = m.create("c.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();

            int line = line() + 1;
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, "not allowed");

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.COMPLETION_CONTEXT_NOT_ALLOWED);
            assertThat(f.callSite()).contains(at(getClass(), line));
            assertThat(posts).hasValue(0);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // ILLEGAL_COMPLETION_STATUS
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FLT_PREOP_COMPLETE with STATUS_PENDING: the caller sees STATUS_UNSUCCESSFUL")
    void completeWithStatusPending() {
        try (TestMachine m = verified()) {
            m.attach(filter("Completer", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                data.ioStatus().set(NtStatus.STATUS_PENDING, 0);
                return FLT_PREOP_COMPLETE;
            }, FINISHED), "370000");

            Overlapped create = m.create("c.txt", READ, CreateDisposition.FILE_CREATE);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_COMPLETION_STATUS);
            assertThat(f.filter()).isEqualTo("Completer");
            assertThat(f.message()).contains("STATUS_PENDING");
            assertCallbackSite(f, "IRP_MJ_CREATE pre-operation callback", "Completer Instance@370000");
            assertThat(f.rule().emulatorReaction()).contains("STATUS_PENDING", "become STATUS_UNSUCCESSFUL");
        }
    }

    @Test
    @DisplayName("FLT_PREOP_COMPLETE never with STATUS_FLT_DISALLOW_FAST_IO (Completing an I/O operation in a preoperation callback)")
    void completeWithStatusDisallowFastIo() {
        try (TestMachine m = verified()) {
            m.attach(filter("Completer", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                data.ioStatus().set(NtStatus.STATUS_FLT_DISALLOW_FAST_IO, 0);
                return FLT_PREOP_COMPLETE;
            }, FINISHED), "370000");

            assertThat(m.awaitStatus(m.create("c.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_COMPLETION_STATUS);
            assertThat(f.message()).contains("STATUS_FLT_DISALLOW_FAST_IO");
            assertThat(f.rule().emulatorReaction()).contains("STATUS_FLT_DISALLOW_FAST_IO become STATUS_UNSUCCESSFUL");
        }
    }

    @Test
    @DisplayName("IRP_MJ_CLEANUP cannot fail: FLT_PREOP_COMPLETE with an error completes it with STATUS_SUCCESS")
    void cleanupCompletedWithAnError() {
        try (TestMachine m = verified(fs -> fs.createFile("\\c.txt", 1, 0))) {
            m.attach(filter("Completer", IrpMajorFunction.IRP_MJ_CLEANUP, (data, objects, context) -> {
                data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                return FLT_PREOP_COMPLETE;
            }, FINISHED), "370000");
            FileObject fo = m.open("c.txt", READ, CreateDisposition.FILE_OPEN);

            Overlapped close = m.close(fo);

            assertThat(m.awaitStatus(close)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.ILLEGAL_COMPLETION_STATUS);
            assertThat(f.filter()).isEqualTo("Completer");
            assertThat(f.message()).contains("IRP_MJ_CLEANUP", "STATUS_ACCESS_DENIED");
            assertCallbackSite(f, "IRP_MJ_CLEANUP pre-operation callback", "Completer Instance@370000");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CALLBACK_DATA_REUSED
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FltCompletePendedPreOperation is called exactly once per pended operation")
    void resumingTwice() {
        try (TestMachine m = verified()) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Pender", log).onPre((data, context) -> {
                held.set(data);
                return FLT_PREOP_PENDING;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");
            Overlapped create = m.create("t.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();
            FltCallbackData data = held.get();

            Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);
            int line = line() + 1;
            Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, null);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_DATA_REUSED);
            assertThat(f.filter()).as("no longer pended by anyone: the call site names the culprit").isNull();
            assertThat(f.message()).contains("FltCompletePendedPreOperation");
            assertThat(f.callSite()).contains("resumingTwice", at(getClass(), line));
            assertThat(f.rule().emulatorReaction()).contains("ignored");
            assertThat(log.labels()).as("the second call was ignored").containsExactly("pre Pender", "post Pender");
        }
    }

    @Test
    @DisplayName("with a verifier, callback data is never recycled: a Flt routine on it after its operation is caught")
    void fltRoutinesOnCallbackDataWhoseOperationIsOver() {
        try (TestMachine m = verified()) {
            AtomicReference<FltCallbackData> kept = new AtomicReference<>();
            m.attach(filter("Keeper", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                kept.set(data);
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
            }, FINISHED), "370000");
            assertThat(m.awaitStatus(m.create("k.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            FltCallbackData stale = kept.get();
            Oplock oplock = Flt.initializeOplock();

            int postLine = line() + 1;
            Flt.completePendedPostOperation(stale);
            int checkLine = line() + 1;
            int status = Flt.checkOplock(oplock, stale, null, null, null);

            assertThat(status).isEqualTo(FLT_PREOP_COMPLETE);
            m.quiesce();
            List<FltVerifier.Finding> all = m.verifier.findings();
            assertThat(all).extracting(FltVerifier.Finding::rule).containsExactly(
                    FltVerifier.Rule.CALLBACK_DATA_REUSED, FltVerifier.Rule.CALLBACK_DATA_REUSED);
            assertThat(all).extracting(FltVerifier.Finding::filter).containsOnlyNulls();
            assertThat(all.get(0).message()).contains("FltCompletePendedPostOperation");
            assertThat(all.get(0).callSite()).contains(at(getClass(), postLine));
            assertThat(all.get(1).message()).contains("FltCheckOplock");
            assertThat(all.get(1).callSite()).contains(at(getClass(), checkLine));
            // The next operation gets fresh callback data.
            assertThat(m.awaitStatus(m.create("k2.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(kept.get()).isNotSameAs(stale);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // PENDED_NEVER_RESUMED, MORE_PROCESSING_WHILE_DRAINING
    // ---------------------------------------------------------------------------------------------

    /** A filter that pends every create and never resumes one, and agrees to be detached. */
    private static FltRegistration neverResumes(AtomicInteger teardownCompletes) {
        return FltRegistration.builder("Hoarder")
                .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> FLT_PREOP_PENDING, FINISHED)
                .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                .instanceTeardownComplete((objects, reason) -> teardownCompletes.incrementAndGet())
                .build();
    }

    @Test
    @DisplayName("TeardownStart must complete every pended operation: detach completes the forgotten one with STATUS_CANCELLED")
    void pendedAndNeverResumedAtDetach() {
        FltVerifier verifier = new FltVerifier().teardownTimeout(200);
        try (TestMachine m = new TestMachine(verifier, fs -> { })) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Above", log).registration(IrpMajorFunction.IRP_MJ_CREATE), "385100");
            AtomicInteger completes = new AtomicInteger();
            FltInstance instance = m.attach(neverResumes(completes), "370000");
            Overlapped create = m.create("h.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(create.isDone()).isFalse();

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(m.fs.exists("h.txt")).isFalse();
            assertThat(log.post("Above", IrpMajorFunction.IRP_MJ_CREATE).status()).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(completes).as("TeardownComplete after the operation was given up").hasValue(1);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.PENDED_NEVER_RESUMED);
            assertThat(f.filter()).isEqualTo("Hoarder");
            assertThat(f.message()).contains("IRP_MJ_CREATE", "h.txt", "STATUS_CANCELLED");
            assertThat(f.callSite()).contains("IRP_MJ_CREATE pre-operation callback", "Hoarder Instance@370000");
            assertThat(f.rule().emulatorReaction()).contains("STATUS_CANCELLED");
        }
    }

    @Test
    void pendedAndNeverResumedAtUnregister() {
        FltVerifier verifier = new FltVerifier().teardownTimeout(200);
        try (TestMachine m = new TestMachine(verifier, fs -> { })) {
            AtomicInteger completes = new AtomicInteger();
            FltInstance instance = m.attach(neverResumes(completes), "370000");
            Overlapped create = m.create("h.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();

            m.flt.unregisterFilter(instance.filter());

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(completes).hasValue(1);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.PENDED_NEVER_RESUMED);
            assertThat(f.filter()).isEqualTo("Hoarder");
            // The filter is gone: a new create is not pended.
            assertThat(m.awaitStatus(m.create("after.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("an operation pended in a post-operation callback and never resumed is resumed at teardown")
    void pendedInPostOperationAndNeverResumed() {
        FltVerifier verifier = new FltVerifier().teardownTimeout(200);
        try (TestMachine m = new TestMachine(verifier, fs -> { })) {
            FltInstance instance = m.attach(FltRegistration.builder("PostHoarder")
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK,
                            (data, objects, context, flags) -> FLT_POSTOP_MORE_PROCESSING_REQUIRED)
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            Overlapped create = m.create("h.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(create.isDone()).isFalse();

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            // The file system completed the create already: it is handed back as it completed.
            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.PENDED_NEVER_RESUMED);
            assertThat(f.filter()).isEqualTo("PostHoarder");
            assertThat(f.message()).contains("post-operation callback");
            assertThat(f.callSite()).contains("IRP_MJ_CREATE post-operation callback");
        }
    }

    @Test
    @DisplayName("a post-operation callback called with FLTFL_POST_OPERATION_DRAINING must return FINISHED_PROCESSING")
    void moreProcessingRequiredWhileDraining() {
        try (TestMachine m = verified(fs -> fs.createFile("\\a.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "a.txt");
            List<Integer> postFlags = new CopyOnWriteArrayList<>();
            List<Integer> dataFlags = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(FltRegistration.builder("Drainee")
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        context.set("ctx");
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                    }, (data, objects, context, flags) -> {
                        postFlags.add(flags);
                        dataFlags.add(data.flags());
                        return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
                    })
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            // The create waits in the file system for the holder's acknowledgment: its post-operation is owed.
            Overlapped waiting = m.create("a.txt", READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(waiting.isDone()).isFalse();

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(postFlags).containsExactly(FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING);
            assertThat(dataFlags.get(0) & FltCallbackData.FLTFL_CALLBACK_DATA_DRAINING_IO).isNotZero();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.MORE_PROCESSING_WHILE_DRAINING);
            assertThat(f.filter()).isEqualTo("Drainee");
            assertThat(f.message()).contains("FLT_POSTOP_MORE_PROCESSING_REQUIRED", "FLTFL_POST_OPERATION_DRAINING");
            assertCallbackSite(f, "IRP_MJ_CREATE post-operation callback", "Drainee Instance@370000");
            assertThat(f.rule().emulatorReaction()).contains("FLT_POSTOP_FINISHED_PROCESSING");

            // Treated as FINISHED_PROCESSING: once acknowledged, the create completes, without another post call.
            holder.acknowledge();
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(postFlags).hasSize(1);
            assertThat(m.verifier.findings()).hasSize(1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // PARAMETERS_CHANGED_NOT_DIRTY
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a change to Data->Iopb->Parameters without FltSetCallbackDataDirty is reported; the change is passed on")
    void parametersChangedWithoutDirty() {
        try (TestMachine m = verified(fs -> fs.createFile("\\d.bin", 100, 0))) {
            m.attach(filter("Sneaky", IrpMajorFunction.IRP_MJ_READ, (data, objects, context) -> {
                data.iopb().parameters().length(10);
                return FLT_PREOP_SUCCESS_NO_CALLBACK;
            }, null), "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 80, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).as("the changed length reached the file system").isEqualTo(10);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.PARAMETERS_CHANGED_NOT_DIRTY);
            assertThat(f.filter()).isEqualTo("Sneaky");
            assertThat(f.message()).contains("IRP_MJ_READ", "FltSetCallbackDataDirty");
            assertCallbackSite(f, "IRP_MJ_READ pre-operation callback", "Sneaky Instance@370000");
        }
    }

    @Test
    void parametersChangedWithoutDirtyBeforeResuming() {
        try (TestMachine m = verified(fs -> fs.createFile("\\d.bin", 100, 0))) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(filter("Sneaky", IrpMajorFunction.IRP_MJ_READ, (data, objects, context) -> {
                held.set(data);
                return FLT_PREOP_PENDING;
            }, null), "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 80, 0);
            m.quiesce();
            held.get().iopb().parameters().length(7);

            int line = line() + 1;
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(7);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.PARAMETERS_CHANGED_NOT_DIRTY);
            assertThat(f.callSite()).contains(at(getClass(), line));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Contexts
    // ---------------------------------------------------------------------------------------------

    private static FltRegistration withContexts(String name) {
        return FltRegistration.builder(name)
                .context(FltContextType.FLT_INSTANCE_CONTEXT, 16, null)
                .context(FltContextType.FLT_STREAMHANDLE_CONTEXT, FltContextRegistration.FLT_VARIABLE_SIZED_CONTEXTS, null)
                .build();
    }

    @Test
    @DisplayName("Filter Verifier: references leaked at unload are reported with where the context was allocated")
    void contextLeakReportedAtUnregisterWithTheAllocationSite() {
        try (TestMachine m = verified()) {
            FltInstance instance = m.attach(withContexts("Leaky"), "370000");
            Out<FltContext> ctx = new Out<>();
            int line = line() + 1;
            assertThat(Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 16, ctx))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(Flt.setInstanceContext(instance, FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx.get(), null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(m.verifier.findings()).as("nothing before the unload").isEmpty();

            m.flt.unregisterFilter(instance.filter());

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CONTEXT_LEAK);
            assertThat(f.filter()).isEqualTo("Leaky");
            assertThat(f.message()).contains("FLT_INSTANCE_CONTEXT", "1 reference");
            assertThat(f.callSite()).contains("contextLeakReportedAtUnregisterWithTheAllocationSite",
                    at(getClass(), line));
        }
    }

    @Test
    void contextAllocatedInACallbackAndNeverReleased() {
        try (TestMachine m = verified()) {
            AtomicInteger allocationLine = new AtomicInteger();
            FltRegistration registration = FltRegistration.builder("Leaky")
                    .context(FltContextType.FLT_STREAMHANDLE_CONTEXT, 8, null)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, null, (data, objects, context, flags) -> {
                        Out<FltContext> ctx = new Out<>();
                        allocationLine.set(line() + 1);
                        Flt.allocateContext(objects.filter(), FltContextType.FLT_STREAMHANDLE_CONTEXT, 8, ctx);
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build();
            FltInstance instance = m.attach(registration, "370000");
            assertThat(m.awaitStatus(m.create("x.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            m.flt.unregisterFilter(instance.filter());

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CONTEXT_LEAK);
            assertThat(f.message()).contains("FLT_STREAMHANDLE_CONTEXT", "1 reference");
            assertThat(f.callSite()).contains(at(getClass(), allocationLine.get()));
        }
    }

    @Test
    @DisplayName("FltReleaseContext more often than referenced (bug check 0xF5 / 0x6D): the release is ignored")
    void overReleaseOfAFreedContext() {
        try (TestMachine m = verified()) {
            FltInstance instance = m.attach(withContexts("Sloppy"), "370000");
            Out<FltContext> ctx = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 16, ctx);
            Flt.releaseContext(ctx.get());

            int line = line() + 1;
            Flt.releaseContext(ctx.get());

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CONTEXT_OVER_RELEASE);
            assertThat(f.filter()).isEqualTo("Sloppy");
            assertThat(f.callSite()).contains("overReleaseOfAFreedContext", at(getClass(), line));
            assertThat(f.rule().emulatorReaction()).contains("release is ignored");
        }
    }

    @Test
    void overReleaseOfTheReferenceTheObjectHolds() {
        try (TestMachine m = verified()) {
            AtomicInteger cleanups = new AtomicInteger();
            FltInstance instance = m.attach(FltRegistration.builder("Sloppy")
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 16, (c, type) -> cleanups.incrementAndGet())
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            Out<FltContext> ctx = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 16, ctx);
            Flt.setInstanceContext(instance, FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx.get(), null);
            Flt.releaseContext(ctx.get());

            int line = line() + 1;
            Flt.releaseContext(ctx.get()); // the reference the instance holds is not the filter's to release

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CONTEXT_OVER_RELEASE);
            assertThat(f.callSite()).contains(at(getClass(), line));
            // Ignored: the context stays set on the instance and alive until the instance goes.
            assertThat(cleanups).hasValue(0);
            Out<FltContext> got = new Out<>();
            assertThat(Flt.getInstanceContext(instance, got)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(got.get()).isSameAs(ctx.get());
            Flt.releaseContext(got.get());
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(cleanups).hasValue(1);
            assertThat(m.verifier.findings()).hasSize(1);
        }
    }

    @Test
    @DisplayName("a context used after it was freed (bug check 0xF5 / 0x6E): the call fails")
    void useAfterFree() {
        try (TestMachine m = verified()) {
            FltInstance instance = m.attach(withContexts("Stale"), "370000");
            Out<FltContext> ctx = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 16, ctx);
            Flt.releaseContext(ctx.get());
            FltContext freed = ctx.get();

            int referenceLine = line() + 1;
            Flt.referenceContext(freed);
            int setLine = line() + 1;
            int set = Flt.setInstanceContext(instance, FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS, freed, null);
            int deleteLine = line() + 1;
            Flt.deleteContext(freed);

            assertThat(set).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.getInstanceContext(instance, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            m.quiesce();
            List<FltVerifier.Finding> all = m.verifier.findings();
            assertThat(all).extracting(FltVerifier.Finding::rule).containsOnly(FltVerifier.Rule.CONTEXT_USE_AFTER_FREE);
            assertThat(all).extracting(FltVerifier.Finding::callSite).satisfiesExactly(
                    s -> assertThat(s).contains(at(getClass(), referenceLine)),
                    s -> assertThat(s).contains(at(getClass(), setLine)),
                    s -> assertThat(s).contains(at(getClass(), deleteLine)));
            assertThat(all).allSatisfy(f -> assertThat(f.filter()).isEqualTo("Stale"));
            assertThat(FltVerifier.Rule.CONTEXT_USE_AFTER_FREE.emulatorReaction()).contains("fails");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // BLOCKING_WAIT
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FltCheckOplock with a NULL WaitCompletionRoutine blocks the thread: the operation fails instead")
    void checkOplockWithoutAWaitCompletionRoutine() {
        try (TestMachine m = verified(fs -> fs.createFile("\\own.txt", 10, 0))) {
            Oplock oplock = Flt.initializeOplock();
            AtomicInteger checkLine = new AtomicInteger();
            AtomicInteger creates = new AtomicInteger();
            m.attach(FltRegistration.builder("OwnOplock")
                    .operation(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL, (data, objects, context) -> {
                        // The filter runs its own oplock on the stream, as a file system would.
                        return Flt.oplockFsctrl(oplock, data, 1);
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        if (creates.incrementAndGet() == 1) {
                            return FLT_PREOP_SUCCESS_NO_CALLBACK;
                        }
                        checkLine.set(line() + 1);
                        int r = Flt.checkOplock(oplock, data, null, null, null);
                        return r == FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK ? FLT_PREOP_SUCCESS_NO_CALLBACK : r;
                    }, null).build(), "370000");
            FileObject holder = m.open("own.txt", READ, CreateDisposition.FILE_OPEN);
            Overlapped oplockRequest = OplockRequests.request(m.nt, holder, org.irpemu.irp.OplockLevel.RWH, false);
            m.quiesce();
            assertThat(oplockRequest.isDone()).as("the filter granted RWH").isFalse();

            Overlapped create = m.create("own.txt", READ, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.BLOCKING_WAIT);
            assertThat(f.filter()).isEqualTo("OwnOplock");
            assertThat(f.message()).contains("IRP_MJ_CREATE", "block");
            assertThat(f.callSite()).as("where the filter called FltCheckOplock").contains(at(getClass(), checkLine.get()));
            assertThat(f.rule().emulatorReaction()).contains("STATUS_UNSUCCESSFUL");
        }
    }

    @Test
    @DisplayName("a synchronous FltCreateFileEx2 that would wait for a break on a dispatcher thread returns STATUS_CANT_WAIT")
    void synchronousCreateThatWouldWait() {
        try (TestMachine m = verified(fs -> fs.createFile("\\busy.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "busy.txt");
            AtomicInteger status = new AtomicInteger();
            AtomicInteger createLine = new AtomicInteger();
            m.attach(FltRegistration.builder("Opener").operation(IrpMajorFunction.IRP_MJ_CREATE, null,
                    (data, objects, context, flags) -> {
                        if (data.iopb().targetFileObject().fileName().equalsIgnoreCase("\\trigger.txt")) {
                            Out<FileObject> fo = new Out<>();
                            createLine.set(line() + 1);
                            status.set(Flt.createFileEx2(objects.filter(), objects.instance(), fo, READ, "busy.txt",
                                    new IoStatusBlock(), 0, TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN, 0, 0, null));
                        }
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "370000");

            assertThat(m.awaitStatus(m.create("trigger.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(status).hasValue(NtStatus.STATUS_CANT_WAIT);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.BLOCKING_WAIT);
            assertThat(f.filter()).isEqualTo("Opener");
            assertThat(f.message()).contains("FltCreateFileEx2", "busy.txt", "STATUS_CANT_WAIT");
            assertThat(f.callSite()).contains(at(getClass(), createLine.get()));
            assertThat(f.rule().emulatorReaction()).contains("STATUS_CANT_WAIT");
            // The abandoned open goes on once the holder acknowledges, and is closed for the filter.
            holder.acknowledge();
            m.quiesce();
            assertThat(m.verifier.findings()).hasSize(1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CALLBACK_EXCEPTION
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("an exception in a pre-operation callback (a crash in C) fails the operation")
    void exceptionInAPreOperationCallback() {
        try (TestMachine m = verified()) {
            AtomicInteger throwLine = new AtomicInteger();
            m.attach(filter("Thrower", IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                throwLine.set(line() + 1);
                throw new IllegalArgumentException("boom in pre-create");
            }, FINISHED), "370000");

            Overlapped create = m.create("e.txt", READ, CreateDisposition.FILE_CREATE);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            assertThat(m.fs.exists("e.txt")).isFalse();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_EXCEPTION);
            assertThat(f.filter()).isEqualTo("Thrower");
            assertThat(f.message()).contains("IRP_MJ_CREATE", "boom in pre-create");
            assertThat(f.callSite()).as("where the exception was thrown").contains(at(getClass(), throwLine.get()));
        }
    }

    @Test
    void exceptionInAPostOperationCallbackLetsTheOperationGoOn() {
        try (TestMachine m = verified(fs -> fs.createFile("\\d.bin", 100, 0))) {
            AtomicInteger throwLine = new AtomicInteger();
            m.attach(filter("Thrower", IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK, (data, objects, context, flags) -> {
                        throwLine.set(line() + 1);
                        throw new IllegalStateException("boom in post-read");
                    }), "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 30, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(30);
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_EXCEPTION);
            assertThat(f.message()).contains("IRP_MJ_READ", "post-operation", "boom in post-read");
            assertThat(f.callSite()).contains(at(getClass(), throwLine.get()));
        }
    }

    @Test
    void exceptionInAContextCleanupCallback() {
        try (TestMachine m = verified()) {
            AtomicInteger throwLine = new AtomicInteger();
            FltInstance instance = m.attach(FltRegistration.builder("Thrower")
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 8, (context, type) -> {
                        throwLine.set(line() + 1);
                        throw new IllegalStateException("boom in cleanup");
                    }).build(), "370000");
            Out<FltContext> ctx = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 8, ctx);

            Flt.releaseContext(ctx.get());

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_EXCEPTION);
            assertThat(f.filter()).isEqualTo("Thrower");
            assertThat(f.message()).contains("cleanup callback", "boom in cleanup");
            assertThat(f.callSite()).contains(at(getClass(), throwLine.get()));
            assertThat(Flt.getInstanceContext(instance, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // OPLOCK_BREAK_NOT_ACKNOWLEDGED
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("Breaking oplocks: the operation waits for the acknowledgment with no timeout; the verifier reports it")
    void breakNeverAcknowledged() {
        FltVerifier verifier = new FltVerifier().breakAcknowledgmentTimeout(100);
        try (TestMachine m = new TestMachine(verifier, fs -> fs.createFile("\\a.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "a.txt");
            Overlapped waiting = m.create("a.txt", READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(waiting.isDone()).isFalse();

            FltTestSupport.pollUntil(() -> !verifier.findings().isEmpty(), "the watchdog's finding");

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.OPLOCK_BREAK_NOT_ACKNOWLEDGED);
            assertThat(f.filter()).as("a caller's handle, no filter to blame").isNull();
            assertThat(f.callSite()).isEqualTo("handle #" + holder.handle.id() + " \\a.txt");
            assertThat(f.message()).contains("ack required", "IRP_MJ_CREATE \\a.txt by handle #");
            assertThat(f.rule().emulatorReaction()).contains("break stays under way");
            assertThat(waiting.isDone()).as("the break stays under way").isFalse();

            holder.acknowledge();
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(verifier.findings()).as("reported once per break").hasSize(1);
        }
    }

    @Test
    @DisplayName("a break owed by a filter's own handle (FltCreateFileEx2 + FSCTL_REQUEST_OPLOCK) blames the filter")
    void breakNeverAcknowledgedByAFilter() {
        FltVerifier verifier = new FltVerifier().breakAcknowledgmentTimeout(100);
        try (TestMachine m = new TestMachine(verifier, fs -> fs.createFile("\\scan.txt", 10, 0))) {
            FltInstance instance = m.attach(FltRegistration.builder("Scanner").build(), "370000");
            Out<FileObject> fo = new Out<>();
            assertThat(Flt.createFileEx2(instance.filter(), instance, fo, READ, "scan.txt", null, 0,
                    TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN, 0, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Out<FltCallbackData> cbd = new Out<>();
            Flt.allocateCallbackData(instance, fo.get(), cbd);
            requestOplock(cbd.get(), org.irpemu.irp.OplockLevel.RWH);
            List<Integer> broken = new CopyOnWriteArrayList<>();
            assertThat(Flt.performAsynchronousIo(cbd.get(), (data, context) -> broken.add(data.ioStatus().status()),
                    null)).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(broken).as("RWH granted: the request stays pending").isEmpty();

            Overlapped waiting = m.create("scan.txt", READ, CreateDisposition.FILE_OPEN);
            FltTestSupport.pollUntil(() -> !verifier.findings().isEmpty(), "the watchdog's finding");

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.OPLOCK_BREAK_NOT_ACKNOWLEDGED);
            assertThat(f.filter()).isEqualTo("Scanner");
            assertThat(f.callSite()).isEqualTo("handle #" + fo.get().id() + " \\scan.txt");
            assertThat(f.message()).contains("IRP_MJ_CREATE \\scan.txt by handle #");
            assertThat(broken).as("the filter's oplock request completed with the break")
                    .containsExactly(NtStatus.STATUS_SUCCESS);
            assertThat(waiting.isDone()).isFalse();

            // Closing the filter's handle ends what it owed (cleanup never waits): the create goes on.
            assertThat(Flt.close(fo.get())).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // GENERATED_IO_OUTSTANDING
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("TeardownComplete must close the files the filter opened: a forgotten one is reported and closed")
    void fileOpenedByTheFilterNeverClosed() {
        try (TestMachine m = verified(fs -> fs.createFile("\\mine.txt", 10, 0))) {
            FltInstance instance = m.attach(FltRegistration.builder("Forgetful")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            Out<FileObject> fo = new Out<>();
            assertThat(Flt.createFileEx2(instance.filter(), instance, fo, READ, "mine.txt", null, 0, 0,
                    CreateDisposition.FILE_OPEN, 0, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.create("mine.txt", READ, CreateDisposition.FILE_OPEN)))
                    .as("the filter's handle shares nothing").isEqualTo(NtStatus.STATUS_SHARING_VIOLATION);

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.GENERATED_IO_OUTSTANDING);
            assertThat(f.filter()).isEqualTo("Forgetful");
            assertThat(f.message()).contains("mine.txt", "FltClose");
            assertThat(m.awaitStatus(m.create("mine.txt", READ, CreateDisposition.FILE_OPEN)))
                    .as("closed for the filter").isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    @DisplayName("a filter that closes its files in TeardownComplete, as it must, is not reported")
    void filesClosedInTeardownCompleteAreNotReported() {
        try (TestMachine m = verified(fs -> fs.createFile("\\mine.txt", 10, 0))) {
            AtomicReference<FileObject> opened = new AtomicReference<>();
            List<Integer> closes = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(FltRegistration.builder("Tidy")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                    .instanceTeardownComplete((objects, reason) -> closes.add(Flt.close(opened.get()))).build(),
                    "370000");
            Out<FileObject> fo = new Out<>();
            assertThat(Flt.createFileEx2(instance.filter(), instance, fo, READ, "mine.txt", null, 0, 0,
                    CreateDisposition.FILE_OPEN, 0, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            opened.set(fo.get());

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(closes).containsExactly(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.create("mine.txt", READ, CreateDisposition.FILE_OPEN)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(m.verifier.findings()).isEmpty();
        }
    }

    @Test
    @DisplayName("filter-initiated I/O still outstanding at teardown is reported and cancelled")
    void asynchronousIoStillOutstandingAtTeardown() {
        FltVerifier verifier = new FltVerifier().teardownTimeout(200);
        try (TestMachine m = new TestMachine(verifier, fs -> fs.createFile("\\mine.txt", 10, 0))) {
            FltInstance instance = m.attach(FltRegistration.builder("Forgetful")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS).build(), "370000");
            Out<FileObject> fo = new Out<>();
            assertThat(Flt.createFileEx2(instance.filter(), instance, fo, READ, "mine.txt", null, 0,
                    TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN, 0, 0, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Out<FltCallbackData> cbd = new Out<>();
            assertThat(Flt.allocateCallbackData(instance, fo.get(), cbd)).isEqualTo(NtStatus.STATUS_SUCCESS);
            requestOplock(cbd.get(), org.irpemu.irp.OplockLevel.RH);
            AtomicInteger callbackStatus = new AtomicInteger(-1);
            int started = Flt.performAsynchronousIo(cbd.get(), (data, context) -> callbackStatus.set(
                    data.ioStatus().status()), null);
            assertThat(started).isEqualTo(NtStatus.STATUS_PENDING);
            m.quiesce();
            assertThat(callbackStatus).as("the oplock was granted: its request stays pending").hasValue(-1);

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();

            assertThat(callbackStatus).hasValue(NtStatus.STATUS_CANCELLED);
            List<FltVerifier.Finding> all = m.verifier.findings();
            assertThat(all).extracting(FltVerifier.Finding::rule)
                    .containsOnly(FltVerifier.Rule.GENERATED_IO_OUTSTANDING).hasSize(2);
            assertThat(all.get(0).message()).contains("IRP_MJ_FILE_SYSTEM_CONTROL", "cancelled");
            assertThat(all.get(1).message()).contains("mine.txt", "FltClose");
            assertThat(all).allSatisfy(f -> assertThat(f.filter()).isEqualTo("Forgetful"));
        }
    }

    /** Fills filter-allocated callback data with an FSCTL_REQUEST_OPLOCK request (WDK: Requesting and granting oplocks). */
    static void requestOplock(FltCallbackData data, int level) {
        data.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                .minorFunction(org.irpemu.irp.IrpMinorFunction.IRP_MN_USER_FS_REQUEST)
                .fsControlCode(FsControlCode.FSCTL_REQUEST_OPLOCK).inputBufferLength(24).outputBufferLength(24);
        UnsafeBuffer b = data.ensureSystemBuffer(24);
        b.setMemory(0, 24, (byte) 0);
        new RequestOplockInputBuffer().wrap(b, 0).set(level, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    }
}
