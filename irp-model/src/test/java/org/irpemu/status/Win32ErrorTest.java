package org.irpemu.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Win32 error codes of the "Status codes" table of oplock-reference.md ({@code winerror.h}
 * values), their symbols and message texts.
 */
class Win32ErrorTest {

    @ParameterizedTest(name = "{1} = {0}")
    @CsvSource({
            "0,    ERROR_SUCCESS",
            "1,    ERROR_INVALID_FUNCTION",
            "2,    ERROR_FILE_NOT_FOUND",
            "3,    ERROR_PATH_NOT_FOUND",
            "5,    ERROR_ACCESS_DENIED",
            "6,    ERROR_INVALID_HANDLE",
            "22,   ERROR_BAD_COMMAND",
            "32,   ERROR_SHARING_VIOLATION",
            "33,   ERROR_LOCK_VIOLATION",
            "50,   ERROR_NOT_SUPPORTED",
            "87,   ERROR_INVALID_PARAMETER",
            "122,  ERROR_INSUFFICIENT_BUFFER",
            "183,  ERROR_ALREADY_EXISTS",
            "300,  ERROR_OPLOCK_NOT_GRANTED",
            "301,  ERROR_INVALID_OPLOCK_PROTOCOL",
            "317,  ERROR_MR_MID_NOT_FOUND",
            "742,  ERROR_OPLOCK_BREAK_IN_PROGRESS",
            "765,  ERROR_WAIT_FOR_OPLOCK",
            "800,  ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE",
            "801,  ERROR_CANNOT_GRANT_REQUESTED_OPLOCK",
            "802,  ERROR_CANNOT_BREAK_OPLOCK",
            "803,  ERROR_OPLOCK_HANDLE_CLOSED",
            "995,  ERROR_OPERATION_ABORTED",
            "997,  ERROR_IO_PENDING",
            "4390, ERROR_NOT_A_REPARSE_POINT",
    })
    void codeHasSymbolAndMessage(int code, String symbol) {
        assertThat(Win32Error.isKnown(code)).isTrue();
        assertThat(Win32Error.symbol(code)).isEqualTo(symbol);
        assertThat(Win32Error.fromSymbol(symbol)).isEqualTo(OptionalInt.of(code));
        assertThat(Win32Error.message(code)).isNotBlank();
        assertThat(Win32Error.all()).containsEntry(code, symbol);
    }

    /** The hex forms the reference page gives next to the oplock codes. */
    @Test
    void oplockCodesMatchTheirHexForms() {
        assertThat(Win32Error.ERROR_OPLOCK_NOT_GRANTED).isEqualTo(0x12C);
        assertThat(Win32Error.ERROR_INVALID_OPLOCK_PROTOCOL).isEqualTo(0x12D);
        assertThat(Win32Error.ERROR_OPLOCK_BREAK_IN_PROGRESS).isEqualTo(0x2E6);
        assertThat(Win32Error.ERROR_WAIT_FOR_OPLOCK).isEqualTo(0x2FD);
        assertThat(Win32Error.ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE).isEqualTo(0x320);
        assertThat(Win32Error.ERROR_CANNOT_GRANT_REQUESTED_OPLOCK).isEqualTo(0x321);
        assertThat(Win32Error.ERROR_CANNOT_BREAK_OPLOCK).isEqualTo(0x322);
        assertThat(Win32Error.ERROR_OPLOCK_HANDLE_CLOSED).isEqualTo(0x323);
    }

    /** The "related" values of generated web pages (reference page, Traps) are not oplock codes here. */
    @Test
    void wrongRelatedValuesAreNotOplockCodes() {
        for (int bogus : new int[] {0x2F8, 0x2FA, 0x325}) {
            assertThat(Win32Error.symbol(bogus)).doesNotContain("OPLOCK");
        }
    }

    @Test
    void unknownCodePrintsAsDecimalAndHasNoMessage() {
        assertThat(Win32Error.isKnown(12345)).isFalse();
        assertThat(Win32Error.symbol(12345)).isEqualTo("12345");
        assertThat(Win32Error.message(12345)).isNull();
        assertThat(Win32Error.fromSymbol("ERROR_NO_SUCH_THING")).isEmpty();
        assertThat(Win32Error.fromSymbol("error_access_denied")).as("case-sensitive").isEmpty();
    }

    @Test
    void everyKnownCodeRoundTripsThroughItsSymbol() {
        assertThat(Win32Error.all()).isNotEmpty().allSatisfy((code, symbol) -> {
            assertThat(symbol).startsWith("ERROR_");
            assertThat(Win32Error.fromSymbol(symbol)).isEqualTo(OptionalInt.of(code));
            assertThat(Win32Error.message(code)).isNotBlank();
        });
    }

    @Test
    void messagesOfOplockCodes() {
        assertThat(Win32Error.message(300)).isEqualTo("The oplock request is denied.");
        assertThat(Win32Error.message(5)).isEqualTo("Access is denied.");
        assertThat(Win32Error.message(32))
                .isEqualTo("The process cannot access the file because it is being used by another process.");
    }
}
