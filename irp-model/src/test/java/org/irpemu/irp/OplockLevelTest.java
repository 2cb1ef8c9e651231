package org.irpemu.irp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OPLOCK_LEVEL_CACHE_* bit sets (R = 0x1, H = 0x2, W = 0x4, oplock-reference.md "Buffers") printed as
 * letters and parsed back.
 */
class OplockLevelTest {

    @Test
    void namedLevels() {
        assertThat(OplockLevel.NONE).isEqualTo(0);
        assertThat(OplockLevel.R).isEqualTo(0x1);
        assertThat(OplockLevel.RH).isEqualTo(0x3);
        assertThat(OplockLevel.RW).isEqualTo(0x5);
        assertThat(OplockLevel.RWH).isEqualTo(0x7);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0, NONE",
            "1, R",
            "2, H",
            "3, RH",
            "4, W",
            "5, RW",
            "6, WH",
            "7, RWH",
    })
    void formatPrintsLettersInRwhOrder(int level, String text) {
        assertThat(OplockLevel.format(level)).isEqualTo(text);
    }

    @Test
    void formatAppendsUnknownBitsInHex() {
        assertThat(OplockLevel.format(0x8 | 0x1)).isEqualTo("R+0x8");
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource({
            "NONE, 0",
            "R,    1",
            "H,    2",
            "W,    4",
            "RH,   3",
            "HR,   3",
            "RW,   5",
            "WR,   5",
            "RWH,  7",
            "RHW,  7",
            "WRH,  7",
            "WHR,  7",
            "HRW,  7",
            "HWR,  7",
    })
    void parseAcceptsLettersInAnyOrder(String text, int level) {
        assertThat(OplockLevel.parse(text)).isEqualTo(level);
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(strings = {"", "RR", "RWHR", "HH", "X", "RX", "r", "rwh", "none", "R H", "NONE R"})
    void parseRejects(String text) {
        assertThat(OplockLevel.parse(text)).isEqualTo(-1);
    }

    @Test
    void parseInvertsFormatForEveryLevel() {
        for (int level = 0; level <= 7; level++) {
            assertThat(OplockLevel.parse(OplockLevel.format(level))).isEqualTo(level);
        }
    }

    @Test
    void grantableLevelsAreRRhRwRwh() {
        assertThat(OplockLevel.isGrantable(0x1)).isTrue();
        assertThat(OplockLevel.isGrantable(0x3)).isTrue();
        assertThat(OplockLevel.isGrantable(0x5)).isTrue();
        assertThat(OplockLevel.isGrantable(0x7)).isTrue();
        assertThat(OplockLevel.isGrantable(0x0)).isFalse();
        assertThat(OplockLevel.isGrantable(0x2)).as("H alone").isFalse();
        assertThat(OplockLevel.isGrantable(0x4)).as("W alone").isFalse();
        assertThat(OplockLevel.isGrantable(0x6)).as("WH").isFalse();
        assertThat(OplockLevel.isGrantable(0xF)).isFalse();
    }
}
