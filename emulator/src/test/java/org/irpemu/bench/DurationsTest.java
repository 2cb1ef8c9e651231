package org.irpemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesTheCommandLineForms() {
        assertThat(Durations.parseNanos("500ms")).isEqualTo(500_000_000L);
        assertThat(Durations.parseNanos("5s")).isEqualTo(5_000_000_000L);
        assertThat(Durations.parseNanos("1m")).isEqualTo(60_000_000_000L);
        assertThat(Durations.parseNanos("1.5s")).isEqualTo(1_500_000_000L);
        assertThat(Durations.parseNanos("250us")).isEqualTo(250_000L);
        assertThat(Durations.parseNanos("2h")).isEqualTo(7_200_000_000_000L);
        assertThat(Durations.parseNanos("0s")).isZero();
        assertThat(Durations.parseNanos("10MS")).isEqualTo(10_000_000L);
    }

    @Test
    void refusesWhatIsNotANumberWithAUnit() {
        for (String bad : new String[] {"5", "s", "", "abc", "-1s", "1x", "1.2.3s", "5 s s", "1e3s"}) {
            assertThatThrownBy(() -> Durations.parseNanos(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed duration");
        }
    }

    @Test
    void formatsWithThreeSignificantDigits() {
        assertThat(Durations.format(812)).isEqualTo("812 ns");
        assertThat(Durations.format(21_500)).isEqualTo("21.5 us");
        assertThat(Durations.format(1_204_000)).isEqualTo("1.20 ms");
        assertThat(Durations.format(200_000_000)).isEqualTo("200 ms");
        assertThat(Durations.format(5_000_000_000L)).isEqualTo("5.00 s");
    }
}
