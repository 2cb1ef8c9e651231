package org.irpemu.irp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The oplock FSCTLs of the "Control codes" table of oplock-reference.md: values, the CTL_CODE layout,
 * field extraction and names.
 */
class FsControlCodeTest {
    private static final int FILE_DEVICE_FILE_SYSTEM = 9;
    private static final int METHOD_BUFFERED = 0;
    private static final int FILE_ANY_ACCESS = 0;
    /** winioctl.h: FILE_WRITE_DATA as the access of a control code is FILE_WRITE_ACCESS, 2. */
    private static final int FILE_WRITE_DATA_ACCESS = 2;

    /** The CTL_CODE macro, written out here so that the code under test is not its own oracle. */
    private static int ctlCodeByHand(int device, int function, int method, int access) {
        return (device << 16) | (access << 14) | (function << 2) | method;
    }

    @ParameterizedTest(name = "{0} = CTL_CODE(9, {1}, METHOD_BUFFERED, {2}) = {3}")
    @CsvSource({
            "FSCTL_REQUEST_OPLOCK_LEVEL_1,    0,   0, 0x00090000",
            "FSCTL_REQUEST_OPLOCK_LEVEL_2,    1,   0, 0x00090004",
            "FSCTL_REQUEST_BATCH_OPLOCK,      2,   0, 0x00090008",
            "FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,  3,   0, 0x0009000C",
            "FSCTL_OPBATCH_ACK_CLOSE_PENDING, 4,   0, 0x00090010",
            "FSCTL_OPLOCK_BREAK_NOTIFY,       5,   0, 0x00090014",
            "FSCTL_OPLOCK_BREAK_ACK_NO_2,     20,  0, 0x00090050",
            "FSCTL_REQUEST_FILTER_OPLOCK,     23,  0, 0x0009005C",
            "FSCTL_REQUEST_OPLOCK,            144, 0, 0x00090240",
            "FSCTL_SET_ZERO_DATA,             50,  2, 0x000980C8",
    })
    void referenceTableRow(String name, int function, int access, String hexValue) {
        int value = Integer.parseUnsignedInt(hexValue.substring(2), 16);

        assertThat(ctlCodeByHand(FILE_DEVICE_FILE_SYSTEM, function, METHOD_BUFFERED, access))
                .as("the table's value is CTL_CODE of its fields").isEqualTo(value);
        assertThat(FsControlCode.ctlCode(FILE_DEVICE_FILE_SYSTEM, function, METHOD_BUFFERED, access)).isEqualTo(value);
        assertThat(FsControlCode.fromName(name)).isEqualTo(OptionalInt.of(value));
        assertThat(FsControlCode.name(value)).isEqualTo(name);
        assertThat(FsControlCode.deviceType(value)).isEqualTo(FILE_DEVICE_FILE_SYSTEM);
        assertThat(FsControlCode.function(value)).isEqualTo(function);
        assertThat(FsControlCode.method(value)).isEqualTo(METHOD_BUFFERED);
        assertThat(FsControlCode.access(value)).isEqualTo(access);
    }

    @Test
    void constantsHoldTheReferenceValues() {
        assertThat(FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1).isEqualTo(0x00090000);
        assertThat(FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2).isEqualTo(0x00090004);
        assertThat(FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK).isEqualTo(0x00090008);
        assertThat(FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE).isEqualTo(0x0009000C);
        assertThat(FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING).isEqualTo(0x00090010);
        assertThat(FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY).isEqualTo(0x00090014);
        assertThat(FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2).isEqualTo(0x00090050);
        assertThat(FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK).isEqualTo(0x0009005C);
        assertThat(FsControlCode.FSCTL_REQUEST_OPLOCK).isEqualTo(0x00090240);
        assertThat(FsControlCode.FSCTL_SET_ZERO_DATA).isEqualTo(0x000980C8);
    }

    @Test
    void ctlCodeFieldConstants() {
        assertThat(FsControlCode.FILE_DEVICE_FILE_SYSTEM).isEqualTo(9);
        assertThat(FsControlCode.METHOD_BUFFERED).isEqualTo(0);
        assertThat(FsControlCode.METHOD_IN_DIRECT).isEqualTo(1);
        assertThat(FsControlCode.METHOD_OUT_DIRECT).isEqualTo(2);
        assertThat(FsControlCode.METHOD_NEITHER).isEqualTo(3);
        assertThat(FsControlCode.FILE_ANY_ACCESS).isEqualTo(FILE_ANY_ACCESS);
        assertThat(FsControlCode.FILE_READ_ACCESS).isEqualTo(1);
        assertThat(FsControlCode.FILE_WRITE_ACCESS).isEqualTo(FILE_WRITE_DATA_ACCESS);
    }

    @Test
    void fieldExtractorsOnEveryBitField() {
        // Device 0x0022 (FILE_DEVICE_UNKNOWN), access 3, function 0xFFF, method 2: every field at its edge.
        int code = ctlCodeByHand(0x22, 0xFFF, 2, 3);

        assertThat(code).isEqualTo(0x0022FFFE);
        assertThat(FsControlCode.deviceType(code)).isEqualTo(0x22);
        assertThat(FsControlCode.function(code)).isEqualTo(0xFFF);
        assertThat(FsControlCode.method(code)).isEqualTo(2);
        assertThat(FsControlCode.access(code)).isEqualTo(3);
    }

    @Test
    void deviceTypeWithTheCommonBitIsNotSignExtended() {
        int code = ctlCodeByHand(0x8001, 7, 1, 0);

        assertThat(FsControlCode.deviceType(code)).isEqualTo(0x8001);
        assertThat(FsControlCode.function(code)).isEqualTo(7);
        assertThat(FsControlCode.method(code)).isEqualTo(1);
    }

    @Test
    void unknownCodeUsesProcessMonitorsForm() {
        assertThat(FsControlCode.name(0x902eb)).isEqualTo("0x902eb (Device:0x9 Function:186 Method: 3)");
        assertThat(FsControlCode.name(ctlCodeByHand(9, 4000, 0, 0)))
                .isEqualTo("0x93e80 (Device:0x9 Function:4000 Method: 0)");
    }

    @Test
    void fromNameOfUnknownNameIsEmpty() {
        assertThat(FsControlCode.fromName("FSCTL_NO_SUCH_CONTROL")).isEmpty();
        assertThat(FsControlCode.fromName("fsctl_request_oplock")).isEmpty();
        assertThat(FsControlCode.fromName("METHOD_BUFFERED")).as("only FSCTL_ names").isEmpty();
    }

    @Test
    void isOplockFsctlIsTrueForTheNineOplockCodesOnly() {
        int[] oplock = {0x00090000, 0x00090004, 0x00090008, 0x0009000C, 0x00090010, 0x00090014, 0x00090050,
            0x0009005C, 0x00090240};
        for (int code : oplock) {
            assertThat(FsControlCode.isOplockFsctl(code)).as("0x%08X", code).isTrue();
        }
        assertThat(FsControlCode.isOplockFsctl(0x000980C8)).as("FSCTL_SET_ZERO_DATA").isFalse();
        assertThat(FsControlCode.isOplockFsctl(0x00090018)).as("FSCTL_LOCK_VOLUME").isFalse();
        assertThat(FsControlCode.isOplockFsctl(0)).isFalse();
    }
}
