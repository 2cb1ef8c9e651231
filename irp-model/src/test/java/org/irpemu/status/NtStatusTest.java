package org.irpemu.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NTSTATUS values, their Win32 mapping, severity and Process Monitor texts, checked against the
 * "Status codes" table of oplock-reference.md. Every expected number below is typed in from that
 * page, never taken from {@link NtStatus} or {@link Win32Error}.
 */
class NtStatusTest {

    /** The rows of the "Status codes" table: symbol, value, Win32 symbol, Win32 code. */
    @ParameterizedTest(name = "{0} = {1} -> {2} ({3})")
    @CsvSource({
            "STATUS_SUCCESS,                       0x00000000, ERROR_SUCCESS,                        0",
            "STATUS_PENDING,                       0x00000103, ERROR_IO_PENDING,                     997",
            "STATUS_OPLOCK_BREAK_IN_PROGRESS,      0x00000108, ERROR_OPLOCK_BREAK_IN_PROGRESS,       742",
            "STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE, 0x00000215, ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE,  800",
            "STATUS_OPLOCK_HANDLE_CLOSED,          0x00000216, ERROR_OPLOCK_HANDLE_CLOSED,           803",
            "STATUS_WAIT_FOR_OPLOCK,               0x00000367, ERROR_WAIT_FOR_OPLOCK,                765",
            "STATUS_CANNOT_GRANT_REQUESTED_OPLOCK, 0x8000002E, ERROR_CANNOT_GRANT_REQUESTED_OPLOCK,  801",
            "STATUS_INVALID_PARAMETER,             0xC000000D, ERROR_INVALID_PARAMETER,              87",
            "STATUS_INVALID_DEVICE_REQUEST,        0xC0000010, ERROR_INVALID_FUNCTION,               1",
            "STATUS_ACCESS_DENIED,                 0xC0000022, ERROR_ACCESS_DENIED,                  5",
            "STATUS_BUFFER_TOO_SMALL,              0xC0000023, ERROR_INSUFFICIENT_BUFFER,            122",
            "STATUS_OBJECT_NAME_NOT_FOUND,         0xC0000034, ERROR_FILE_NOT_FOUND,                 2",
            "STATUS_OBJECT_NAME_COLLISION,         0xC0000035, ERROR_ALREADY_EXISTS,                 183",
            "STATUS_OBJECT_PATH_NOT_FOUND,         0xC000003A, ERROR_PATH_NOT_FOUND,                 3",
            "STATUS_SHARING_VIOLATION,             0xC0000043, ERROR_SHARING_VIOLATION,              32",
            "STATUS_FILE_LOCK_CONFLICT,            0xC0000054, ERROR_LOCK_VIOLATION,                 33",
            "STATUS_LOCK_NOT_GRANTED,              0xC0000055, ERROR_LOCK_VIOLATION,                 33",
            "STATUS_DELETE_PENDING,                0xC0000056, ERROR_ACCESS_DENIED,                  5",
            "STATUS_OPLOCK_NOT_GRANTED,            0xC00000E2, ERROR_OPLOCK_NOT_GRANTED,             300",
            "STATUS_INVALID_OPLOCK_PROTOCOL,       0xC00000E3, ERROR_INVALID_OPLOCK_PROTOCOL,        301",
            "STATUS_FILE_IS_A_DIRECTORY,           0xC00000BA, ERROR_ACCESS_DENIED,                  5",
            "STATUS_NOT_SUPPORTED,                 0xC00000BB, ERROR_NOT_SUPPORTED,                  50",
            "STATUS_CANCELLED,                     0xC0000120, ERROR_OPERATION_ABORTED,              995",
            "STATUS_FILE_CLOSED,                   0xC0000128, ERROR_INVALID_HANDLE,                 6",
            "STATUS_INVALID_DEVICE_STATE,          0xC0000184, ERROR_BAD_COMMAND,                    22",
            "STATUS_NOT_A_REPARSE_POINT,           0xC0000275, ERROR_NOT_A_REPARSE_POINT,            4390",
            "STATUS_CANNOT_BREAK_OPLOCK,           0xC0000909, ERROR_CANNOT_BREAK_OPLOCK,            802",
    })
    void referenceTableRow(String symbol, String hexValue, String win32Symbol, int win32Code) {
        int value = parseHex(hexValue);

        assertThat(NtStatus.fromSymbol(symbol)).as("symbol -> value").isEqualTo(OptionalInt.of(value));
        assertThat(NtStatus.symbol(value)).as("value -> symbol").isEqualTo(symbol);
        assertThat(NtStatus.isKnown(value)).isTrue();
        assertThat(NtStatus.toWin32(value)).as("RtlNtStatusToDosError").isEqualTo(win32Code);
        assertThat(Win32Error.symbol(win32Code)).as("Win32 symbol").isEqualTo(win32Symbol);
        assertThat(NtStatus.hex(value)).isEqualTo(hexValue);
        assertThat(NtStatus.describe(value)).isEqualTo(symbol + " (" + hexValue + ")");
    }

    /** The table's constants, read through the Java fields, equal the header values. */
    @Test
    void constantsHoldTheHeaderValues() {
        assertThat(NtStatus.STATUS_SUCCESS).isEqualTo(0x00000000);
        assertThat(NtStatus.STATUS_PENDING).isEqualTo(0x00000103);
        assertThat(NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS).isEqualTo(0x00000108);
        assertThat(NtStatus.STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE).isEqualTo(0x00000215);
        assertThat(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED).isEqualTo(0x00000216);
        assertThat(NtStatus.STATUS_WAIT_FOR_OPLOCK).isEqualTo(0x00000367);
        assertThat(NtStatus.STATUS_CANNOT_GRANT_REQUESTED_OPLOCK).isEqualTo(0x8000002E);
        assertThat(NtStatus.STATUS_OPLOCK_NOT_GRANTED).isEqualTo(0xC00000E2);
        assertThat(NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL).isEqualTo(0xC00000E3);
        assertThat(NtStatus.STATUS_CANCELLED).isEqualTo(0xC0000120);
        assertThat(NtStatus.STATUS_CANNOT_BREAK_OPLOCK).isEqualTo(0xC0000909);
    }

    /** The trap rows: severity and the NT_* macros. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            // symbol,                             severity, NT_SUCCESS, NT_WARNING, NT_ERROR
            "STATUS_SUCCESS,                       SUCCESS,  true,  false, false",
            "STATUS_PENDING,                       SUCCESS,  true,  false, false",
            "STATUS_OPLOCK_BREAK_IN_PROGRESS,      SUCCESS,  true,  false, false",
            "STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE, SUCCESS,  true,  false, false",
            "STATUS_OPLOCK_HANDLE_CLOSED,          SUCCESS,  true,  false, false",
            "STATUS_WAIT_FOR_OPLOCK,               SUCCESS,  true,  false, false",
            "STATUS_CANNOT_GRANT_REQUESTED_OPLOCK, WARNING,  false, true,  false",
            "STATUS_CANNOT_BREAK_OPLOCK,           ERROR,    false, false, true",
            "STATUS_OPLOCK_NOT_GRANTED,            ERROR,    false, false, true",
            "STATUS_CANCELLED,                     ERROR,    false, false, true",
    })
    void severityOfTrapRows(String symbol, Severity severity, boolean success, boolean warning, boolean error) {
        int value = NtStatus.fromSymbol(symbol).orElseThrow();

        assertThat(NtStatus.severity(value)).isEqualTo(severity);
        assertThat(Severity.of(value)).isEqualTo(severity);
        assertThat(NtStatus.ntSuccess(value)).as("NT_SUCCESS").isEqualTo(success);
        assertThat(NtStatus.ntWarning(value)).as("NT_WARNING").isEqualTo(warning);
        assertThat(NtStatus.ntError(value)).as("NT_ERROR").isEqualTo(error);
        assertThat(NtStatus.ntInformation(value)).as("NT_INFORMATION").isFalse();
    }

    /** The severity is the top two bits, whatever the rest of the value. */
    @ParameterizedTest
    @CsvSource({
            "0x00000000, SUCCESS",
            "0x3FFFFFFF, SUCCESS",
            "0x40000000, INFORMATIONAL",
            "0x7FFFFFFF, INFORMATIONAL",
            "0x80000005, WARNING",
            "0xBFFFFFFF, WARNING",
            "0xC0000001, ERROR",
            "0xFFFFFFFF, ERROR",
    })
    void severityIsTheTopTwoBits(String hexValue, Severity expected) {
        int value = parseHex(hexValue);

        assertThat(Severity.of(value)).isEqualTo(expected);
        assertThat(NtStatus.ntSuccess(value)).isEqualTo(expected == Severity.SUCCESS
                || expected == Severity.INFORMATIONAL);
        assertThat(NtStatus.ntInformation(value)).isEqualTo(expected == Severity.INFORMATIONAL);
    }

    /** Process Monitor's Result column, both ways. */
    @ParameterizedTest(name = "\"{0}\" <-> {1}")
    @CsvSource({
            "NAME NOT FOUND,         0xC0000034",
            "NAME COLLISION,         0xC0000035",
            "PATH NOT FOUND,         0xC000003A",
            "IS DIRECTORY,           0xC00000BA",
            "NOT REPARSE POINT,      0xC0000275",
            "OPLOCK HANDLE CLOSED,   0x00000216",
            "CANCELLED,              0xC0000120",
            "SUCCESS,                0x00000000",
            "BUFFER OVERFLOW,        0x80000005",
            "END OF FILE,            0xC0000011",
            "INVALID DEVICE REQUEST, 0xC0000010",
            "SHARING VIOLATION,      0xC0000043",
            "OPLOCK NOT GRANTED,     0xC00000E2",
    })
    void procmonText(String text, String hexValue) {
        int value = parseHex(hexValue);

        assertThat(NtStatus.procmonText(value)).isEqualTo(text);
        assertThat(NtStatus.fromProcmonText(text)).isEqualTo(OptionalInt.of(value));
    }

    @Test
    void unknownStatusPrintsAsHexAndParsesBack() {
        int unknown = 0xC000046F;

        assertThat(NtStatus.isKnown(unknown)).isFalse();
        assertThat(NtStatus.procmonText(unknown)).isEqualTo("0xC000046F");
        assertThat(NtStatus.symbol(unknown)).isEqualTo("0xC000046F");
        assertThat(NtStatus.describe(unknown)).isEqualTo("0xC000046F");
        assertThat(NtStatus.fromProcmonText("0xC000046F")).isEqualTo(OptionalInt.of(0xC000046F));
    }

    @Test
    void textsThatAreNotStatusesParseToEmpty() {
        assertThat(NtStatus.fromProcmonText("FAST IO DISALLOWED")).isEmpty();
        assertThat(NtStatus.fromProcmonText("")).isEmpty();
        assertThat(NtStatus.fromProcmonText("0xNOTHEX00")).isEmpty();
        assertThat(NtStatus.fromSymbol("STATUS_CANCELED")).as("MS-FSA's spelling is not the symbol").isEmpty();
        assertThat(NtStatus.fromSymbol("STATUS_NO_SUCH_THING")).isEmpty();
    }

    @Test
    void unknownStatusMapsToErrorMrMidNotFound() {
        assertThat(NtStatus.toWin32(0xC000046F)).isEqualTo(317);
        assertThat(NtStatus.toWin32(0x12345678)).isEqualTo(317);
        assertThat(Win32Error.symbol(317)).isEqualTo("ERROR_MR_MID_NOT_FOUND");
    }

    @Test
    void allIsSortedByUnsignedValueAndCoversTheTable() {
        var all = NtStatus.all();

        assertThat(all).containsEntry(0x00000000, "STATUS_SUCCESS")
                .containsEntry(0x8000002E, "STATUS_CANNOT_GRANT_REQUESTED_OPLOCK")
                .containsEntry(0xC0000909, "STATUS_CANNOT_BREAK_OPLOCK");
        assertThat(new java.util.ArrayList<>(all.keySet())).first().isEqualTo(0x00000000);
        assertThat(new java.util.ArrayList<>(all.keySet())).isSortedAccordingTo(Integer::compareUnsigned);
    }

    private static int parseHex(String text) {
        return Integer.parseUnsignedInt(text.substring(2), 16);
    }
}
