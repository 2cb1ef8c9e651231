package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A callback that returns a value that is not an FLT_PREOP_CALLBACK_STATUS / FLT_POSTOP_CALLBACK_STATUS (a
 * driver bug the verifier would catch) is reported through the I/O manager's failures, and the emulator keeps
 * serving other requests.
 */
@Timeout(60)
class IllegalCallbackStatusTest {
    private static final int BOGUS = 99;

    @Test
    void illegalPreOperationStatusIsReportedAndTheEmulatorGoesOn() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            AtomicBoolean misbehaved = new AtomicBoolean();
            m.attach(new ScriptedFilter("Buggy", log).onPre((d, c) -> misbehaved.compareAndSet(false, true)
                    ? BOGUS : FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK).registration(), "370000");

            m.create("first.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            List<Throwable> failures = m.drainFailures();

            assertThat(failures).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(m.fs.exists("first.txt")).isFalse();
            Overlapped next = m.create("second.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            assertThat(m.awaitStatus(next)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("second.txt")).isTrue();
        }
    }

    @Test
    void illegalPostOperationStatusIsReportedAndTheEmulatorGoesOn() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            AtomicBoolean misbehave = new AtomicBoolean();
            m.attach(new ScriptedFilter("Buggy", log).onPost((d, c) -> misbehave.compareAndSet(true, false)
                    ? BOGUS : FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING).registration(), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);

            misbehave.set(true);
            m.read(fo, 10, 0);
            List<Throwable> failures = m.drainFailures();

            assertThat(failures).singleElement().isInstanceOf(IllegalStateException.class);
            Overlapped next = m.read(fo, 10, 90);
            assertThat(m.awaitStatus(next)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(next.information()).isEqualTo(10);
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    /** Pends one create, resumes it with {@code status}, and returns what the dispatchers reported. */
    private static List<Throwable> resumeWith(TestMachine m, int status) {
        AtomicReference<FltCallbackData> held = new AtomicReference<>();
        m.attach(new ScriptedFilter("Pender", new CallLog()).onPre((d, c) -> {
            held.set(d);
            return FltPreopCallbackStatus.FLT_PREOP_PENDING;
        }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");
        m.create("p.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
        m.quiesce();
        assertThat(held.get()).isNotNull();
        Flt.completePendedPreOperation(held.get(), status, null);
        List<Throwable> failures = m.drainFailures();

        // Whatever happened to that create, the emulator still serves (and filters) new requests.
        held.set(null);
        Overlapped next = m.create("q.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
        m.quiesce();
        assertThat(held.get()).as("the next create reached the filter").isNotNull();
        Flt.completePendedPreOperation(held.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
        assertThat(m.awaitStatus(next)).isEqualTo(NtStatus.STATUS_SUCCESS);
        return failures;
    }

    @Test
    void unknownStatusGivenToCompletePendedPreOperationIsReported() {
        try (TestMachine m = new TestMachine()) {
            assertThat(resumeWith(m, BOGUS)).singleElement().isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void pendingGivenToCompletePendedPreOperationIsReported() {
        try (TestMachine m = new TestMachine()) {
            assertThat(resumeWith(m, FltPreopCallbackStatus.FLT_PREOP_PENDING)).singleElement()
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void disallowFastIoGivenToCompletePendedPreOperationIsReported() {
        try (TestMachine m = new TestMachine()) {
            assertThat(resumeWith(m, FltPreopCallbackStatus.FLT_PREOP_DISALLOW_FASTIO)).singleElement()
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * WDK, FltCompletePendedPreOperation: CallbackStatus "cannot be FLT_PREOP_PENDING, FLT_PREOP_SYNCHRONIZE,
     * or FLT_PREOP_DISALLOW_FASTIO".
     */
    @Test
    void synchronizeGivenToCompletePendedPreOperationIsReported() {
        try (TestMachine m = new TestMachine()) {
            assertThat(resumeWith(m, FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE)).singleElement()
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
