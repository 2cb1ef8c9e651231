package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load order groups and altitudes: every instance on a volume has a unique altitude, an infinite-precision
 * decimal number. An attachment at an altitude already taken is refused, and the refused filter is not called.
 */
@Timeout(60)
class AltitudeUniquenessTest {
    @Test
    void secondInstanceAtTheSameAltitudeIsRefused() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("First", log).registration(), "370030");
            FltFilter second = m.flt.registerFilter(new ScriptedFilter("Second", log).registration());
            m.flt.startFiltering(second);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> m.flt.attachVolumeAtAltitude(second, "370030", "Second Instance"));

            assertThat(m.flt.instances()).extracting(FltInstance::name).containsExactly("First Instance");
            assertThat(m.awaitStatus(m.create("a.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(log.labels()).containsExactly("pre First", "post First");
        }
    }

    @Test
    void numericallyEqualAltitudeWrittenDifferentlyIsRefused() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("First", log).registration(), "370030");
            FltFilter second = m.flt.registerFilter(new ScriptedFilter("Second", log).registration());
            m.flt.startFiltering(second);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> m.flt.attachVolumeAtAltitude(second, "370030.0", "Second Instance"));
            assertThat(m.flt.instances()).hasSize(1);
        }
    }

    @Test
    void sameFilterCannotTakeAnAltitudeTwice() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            FltInstance first = m.attach(new ScriptedFilter("Only", log).registration(), "385100");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> m.flt.attachVolumeAtAltitude(first.filter(), "385100", "Again"));
            assertThat(m.flt.instances()).containsExactly(first);
        }
    }

    @Test
    void closeButDistinctAltitudesAreAccepted() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Integer", log).registration(), "370030");
            m.attach(new ScriptedFilter("Fraction", log).registration(), "370030.01");
            assertThat(m.flt.instances()).extracting(FltInstance::altitude).containsExactly("370030.01", "370030");
        }
    }

    @Test
    void malformedAltitudeIsRefused() {
        try (TestMachine m = new TestMachine()) {
            FltFilter f = m.flt.registerFilter(new ScriptedFilter("Bad", new CallLog()).registration());
            m.flt.startFiltering(f);
            for (String altitude : new String[] {"abc", "-5", "", "1e5"}) {
                assertThatIllegalArgumentException().as(altitude)
                        .isThrownBy(() -> m.flt.attachVolumeAtAltitude(f, altitude, "Bad Instance"));
            }
            assertThat(m.flt.instances()).isEmpty();
        }
    }
}
