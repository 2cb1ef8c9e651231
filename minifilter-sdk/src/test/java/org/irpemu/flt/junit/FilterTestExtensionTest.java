package org.irpemu.flt.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.flt.CompletionContext;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltRelatedObjects;
import org.irpemu.flt.FltVerifier;
import org.irpemu.flt.samples.ActivityMonitor;
import org.irpemu.flt.samples.PassThrough;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** {@link FilterTest} builds the volume, hands it to the test, and fails tests the verifier caught. */
class FilterTestExtensionTest {
    /** A filter that refuses to open {@code \secret.txt}, as in the README. */
    public static final class SecretKeeper {
        public static final String DEFAULT_ALTITUDE = "370000";

        public FltRegistration registration() {
            return FltRegistration.builder("SecretKeeper")
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, SecretKeeper::preCreate, null).build();
        }

        private static int preCreate(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
            if (data.iopb().targetFileObject().fileName().equalsIgnoreCase("\\secret.txt")) {
                data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
            }
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
    }

    @Nested
    @FilterTest(filters = {@Attach(SecretKeeper.class), @Attach(value = ActivityMonitor.class, altitude = "385100")},
            files = {"\\secret.txt:10", "\\docs\\", "\\docs\\plain.txt:100"})
    class AVolumeWithTwoFilters {
        @Test
        void theFilterRefusesTheSecretFileAndTheMonitorAboveSeesIt(FilterTestVolume volume) {
            assertThat(volume.create("\\secret.txt", AccessMask.FILE_READ_DATA).status())
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            Overlapped plain = volume.create("\\docs\\plain.txt", AccessMask.FILE_READ_DATA);
            assertThat(plain.status()).isEqualTo(NtStatus.STATUS_SUCCESS);
            volume.close(plain.fileObject());
            assertThat(volume.filter(ActivityMonitor.class).records()).anyMatch(r -> r.isPost()
                    && r.fileName().equals("\\secret.txt") && r.status() == NtStatus.STATUS_ACCESS_DENIED);
            assertThat(volume.instance(SecretKeeper.class).altitude()).isEqualTo("370000");
            assertThat(volume.trace().linesContaining("<- IRP_MJ_CREATE")).hasSize(2);
            assertThat(volume.verifier()).isNotNull();
        }

        @Test
        @FilterTest(filters = @Attach(PassThrough.class), dispatchers = 2, verifier = false)
        void aMethodAnnotationReplacesTheClassOne(FilterTestVolume volume) {
            assertThat(volume.fileSystem().exists("\\secret.txt")).isFalse();
            assertThat(volume.verifier()).isNull();
            assertThat(volume.ioManager().dispatcherCount()).isEqualTo(2);
            assertThat(volume.create("\\new.txt", AccessMask.FILE_WRITE_DATA).status()).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    /** Run by the engine test kit only: its test breaks a verifier rule. */
    @FilterTest(filters = @Attach(Resumer.class))
    static class BrokenFilterCase {
        @Test
        void resumesTwice(FilterTestVolume volume) {
            volume.create("\\x.txt", AccessMask.FILE_READ_DATA);
        }
    }

    /** Resumes the create it pended twice (verifier: CALLBACK_DATA_REUSED). */
    public static final class Resumer {
        public static final String DEFAULT_ALTITUDE = "370000";
        static final AtomicReference<FltCallbackData> LAST = new AtomicReference<>();

        public FltRegistration registration() {
            return FltRegistration.builder("Resumer").operation(IrpMajorFunction.IRP_MJ_CREATE, (data, o, c) -> {
                LAST.set(data);
                Flt.queueGenericWorkItem(o.instance(), (i, x) -> {
                    Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
                    Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
                }, null);
                return FltPreopCallbackStatus.FLT_PREOP_PENDING;
            }, null).build();
        }
    }

    @Test
    void aTestWhoseFilterBreaksAVerifierRuleFailsWithTheFinding() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(BrokenFilterCase.class))
                .execute().testEvents();
        assertThat(events.failed().count()).isEqualTo(1);
        Throwable failure = events.failed().stream().findFirst().orElseThrow().getPayload(
                org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(AssertionError.class)
                .hasMessageContaining(FltVerifier.Rule.CALLBACK_DATA_REUSED.name())
                .hasMessageContaining("Resumer");
    }
}
