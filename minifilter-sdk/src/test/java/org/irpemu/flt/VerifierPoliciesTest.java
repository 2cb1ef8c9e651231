package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The verifier's policies (FAIL, WARN, IGNORE), its listener, and what is reported when no verifier runs: the
 * breaches that change what the operation's caller sees still go to {@code IoManager.drainFailures}; the
 * others are not reported at all.
 */
@Timeout(60)
class VerifierPoliciesTest {
    private static final int READ = AccessMask.FILE_READ_DATA;

    /** A filter whose pre-create asks for a post-operation callback it does not have (NO_POST_OPERATION). */
    private static FltRegistration noPost() {
        return FltRegistration.builder("NoPost").operation(IrpMajorFunction.IRP_MJ_CREATE,
                (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK, null).build();
    }

    /** A filter whose pre-create returns DISALLOW_FASTIO for an IRP (ILLEGAL_PREOP_STATUS). */
    private static FltRegistration disallowFastIo() {
        return FltRegistration.builder("NoFast").operation(IrpMajorFunction.IRP_MJ_CREATE,
                (data, objects, context) -> FltPreopCallbackStatus.FLT_PREOP_DISALLOW_FASTIO, null).build();
    }

    @Test
    void everyRuleFailsByDefault() {
        FltVerifier v = new FltVerifier();
        for (FltVerifier.Rule rule : FltVerifier.Rule.values()) {
            assertThat(v.policy(rule)).as("%s", rule).isEqualTo(FltVerifier.Policy.FAIL);
            assertThat(rule.source()).isNotBlank();
            assertThat(rule.emulatorReaction()).isNotBlank();
        }
        v.close();
    }

    @Test
    @DisplayName("WARN records and prints the finding without failing anything")
    void warnRecordsAndPrints() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FltVerifier v = new FltVerifier().policy(FltVerifier.Rule.NO_POST_OPERATION, FltVerifier.Policy.WARN)
                .warnings(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try (TestMachine m = new TestMachine(v, fs -> { })) {
            m.attach(noPost(), "370000");

            assertThat(m.awaitStatus(m.create("w.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();

            assertThat(v.findings()).singleElement().satisfies(f -> {
                assertThat(f.rule()).isEqualTo(FltVerifier.Rule.NO_POST_OPERATION);
                assertThat(f.policy()).isEqualTo(FltVerifier.Policy.WARN);
            });
            assertThat(v.failures()).isEmpty();
            assertThatCode(v::assertNoFailures).doesNotThrowAnyException();
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .contains("FLT VERIFIER WARN NO_POST_OPERATION filter NoPost");
        }
    }

    @Test
    @DisplayName("IGNORE drops the finding; the emulator's reaction to the breach stays the same")
    void ignoreDropsTheFindingButNotTheReaction() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<FltVerifier.Finding> heard = new CopyOnWriteArrayList<>();
        FltVerifier v = new FltVerifier().policy(FltVerifier.Rule.ILLEGAL_PREOP_STATUS, FltVerifier.Policy.IGNORE)
                .warnings(new PrintStream(printed, true, StandardCharsets.UTF_8)).listener(heard::add);
        try (TestMachine m = new TestMachine(v, fs -> { })) {
            m.attach(disallowFastIo(), "370000");

            assertThat(m.awaitStatus(m.create("i.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            m.quiesce();

            assertThat(v.findings()).isEmpty();
            assertThat(heard).isEmpty();
            assertThat(printed.size()).isZero();
            assertThatCode(v::assertNoFailures).doesNotThrowAnyException();
        }
    }

    @Test
    @DisplayName("FAIL makes assertNoFailures throw an AssertionError that lists the findings")
    void failMakesAssertNoFailuresThrow() {
        List<FltVerifier.Finding> heard = new CopyOnWriteArrayList<>();
        FltVerifier v = new FltVerifier().listener(heard::add);
        try (TestMachine m = new TestMachine(v, fs -> { })) {
            m.attach(noPost(), "385000");
            m.attach(disallowFastIo(), "370000");

            assertThat(m.awaitStatus(m.create("f.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);
            m.quiesce();

            assertThat(v.failures()).hasSize(2);
            assertThat(heard).containsExactlyElementsOf(v.findings());
            assertThatThrownBy(v::assertNoFailures).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("2 minifilter verifier failure(s)")
                    .hasMessageContaining("FLT VERIFIER FAIL NO_POST_OPERATION filter NoPost")
                    .hasMessageContaining("FLT VERIFIER FAIL ILLEGAL_PREOP_STATUS filter NoFast");
            v.clear();
            assertThat(v.findings()).isEmpty();
            assertThatCode(v::assertNoFailures).doesNotThrowAnyException();
        }
    }

    @Test
    void policiesAreSetPerRule() {
        FltVerifier v = new FltVerifier().policy(FltVerifier.Rule.NO_POST_OPERATION, FltVerifier.Policy.WARN)
                .warnings(null);
        try (TestMachine m = new TestMachine(v, fs -> { })) {
            m.attach(noPost(), "385000");
            m.attach(disallowFastIo(), "370000");

            m.awaitStatus(m.create("f.txt", READ, CreateDisposition.FILE_CREATE));
            m.quiesce();

            assertThat(v.findings()).extracting(FltVerifier.Finding::policy)
                    .containsExactly(FltVerifier.Policy.WARN, FltVerifier.Policy.FAIL);
            assertThat(v.failures()).extracting(FltVerifier.Finding::rule)
                    .containsExactly(FltVerifier.Rule.ILLEGAL_PREOP_STATUS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Without a verifier
    // ---------------------------------------------------------------------------------------------

    /** The messages of the failures the dispatchers reported: each names its rule. */
    private static List<String> reported(TestMachine m) {
        return m.drainFailures().stream().map(Throwable::getMessage).toList();
    }

    @Test
    @DisplayName("no verifier: an illegal pre-operation status still fails the operation and is reported")
    void withoutAVerifierAnIllegalPreOperationStatusIsReported() {
        try (TestMachine m = new TestMachine()) {
            m.attach(disallowFastIo(), "370000");

            assertThat(m.awaitStatus(m.create("f.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);

            assertThat(reported(m)).singleElement().asString().startsWith("ILLEGAL_PREOP_STATUS")
                    .contains("NoFast");
        }
    }

    @Test
    @DisplayName("no verifier: FLT_PREOP_COMPLETE with STATUS_PENDING changes the caller's result, so it is reported")
    void withoutAVerifierAnIllegalCompletionStatusIsReported() {
        try (TestMachine m = new TestMachine()) {
            m.attach(FltRegistration.builder("Completer").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> {
                        data.ioStatus().set(NtStatus.STATUS_PENDING, 0);
                        return FLT_PREOP_COMPLETE;
                    }, null).build(), "370000");

            assertThat(m.awaitStatus(m.create("f.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);

            assertThat(reported(m)).singleElement().asString().startsWith("ILLEGAL_COMPLETION_STATUS");
        }
    }

    @Test
    void withoutAVerifierAnExceptionInAPreOperationCallbackIsReported() {
        try (TestMachine m = new TestMachine()) {
            m.attach(FltRegistration.builder("Thrower").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> {
                        throw new IllegalArgumentException("boom");
                    }, null).build(), "370000");

            assertThat(m.awaitStatus(m.create("f.txt", READ, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);

            assertThat(reported(m)).singleElement().asString().startsWith("CALLBACK_EXCEPTION").contains("boom");
        }
    }

    @Test
    void withoutAVerifierABlockingWaitInAPreOperationCallbackIsReported() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\own.txt", 1, 0))) {
            Oplock oplock = Flt.initializeOplock();
            java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();
            m.attach(FltRegistration.builder("OwnOplock")
                    .operation(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL,
                            (data, objects, context) -> Flt.oplockFsctrl(oplock, data, 1), null)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> creates.incrementAndGet() == 1
                            ? FLT_PREOP_SUCCESS_NO_CALLBACK
                            : Flt.checkOplock(oplock, data, null, null, null), null).build(), "370000");
            FileObject holder = m.open("own.txt", READ, CreateDisposition.FILE_OPEN);
            OplockRequests.request(m.nt, holder, org.irpemu.irp.OplockLevel.RWH, false);
            m.quiesce();

            assertThat(m.awaitStatus(m.create("own.txt", READ, CreateDisposition.FILE_OPEN)))
                    .isEqualTo(NtStatus.STATUS_UNSUCCESSFUL);

            assertThat(reported(m)).singleElement().asString().startsWith("BLOCKING_WAIT");
        }
    }

    @Test
    void withoutAVerifierResumingTwiceIsReported() {
        try (TestMachine m = new TestMachine()) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(FltRegistration.builder("Pender").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> {
                        held.set(data);
                        return FLT_PREOP_PENDING;
                    }, null).build(), "370000");
            Overlapped create = m.create("t.txt", READ, CreateDisposition.FILE_CREATE);
            m.quiesce();

            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            Flt.completePendedPreOperation(held.get(), FLT_PREOP_SUCCESS_NO_CALLBACK, null);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(reported(m)).singleElement().asString().startsWith("CALLBACK_DATA_REUSED");
        }
    }

    @Test
    @DisplayName("no verifier: breaches that leave the caller's result alone are not reported")
    void withoutAVerifierTheOtherBreachesAreNotReported() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            FltInstance instance = m.attach(FltRegistration.builder("Sloppy")
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 8, null)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        context.set("dropped"); // COMPLETION_CONTEXT_NOT_ALLOWED
                        return FLT_PREOP_SUCCESS_NO_CALLBACK;
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_READ, (data, objects, context) -> {
                        data.iopb().parameters().length(5); // PARAMETERS_CHANGED_NOT_DIRTY
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK; // NO_POST_OPERATION
                    }, null)
                    .operation(IrpMajorFunction.IRP_MJ_CLEANUP, (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK,
                            (data, objects, context, flags) -> {
                                throw new IllegalStateException("post-cleanup"); // CALLBACK_EXCEPTION, post
                            })
                    .build(), "370000");
            Out<FltContext> leaked = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 8, leaked); // CONTEXT_LEAK
            Out<FltContext> twice = new Out<>();
            Flt.allocateContext(instance.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 8, twice);
            Flt.releaseContext(twice.get());
            Flt.releaseContext(twice.get()); // CONTEXT_OVER_RELEASE
            Flt.referenceContext(twice.get()); // CONTEXT_USE_AFTER_FREE

            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 50, 0);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(5);
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.flt.unregisterFilter(instance.filter());

            assertThat(m.drainFailures()).isEmpty();
        }
    }

    @Test
    void findingsDescribeThemselves() {
        FltVerifier v = new FltVerifier().policy(FltVerifier.Rule.NO_POST_OPERATION, FltVerifier.Policy.WARN)
                .warnings(null);
        try (TestMachine m = new TestMachine(v, fs -> { })) {
            m.attach(noPost(), "370000");
            m.awaitStatus(m.create("d.txt", READ, CreateDisposition.FILE_CREATE));
            m.quiesce();

            FltVerifier.Finding f = v.findings().get(0);
            assertThat(f.toString()).startsWith("FLT VERIFIER WARN NO_POST_OPERATION filter NoPost at ")
                    .contains(f.callSite(), f.message());
        }
    }
}
