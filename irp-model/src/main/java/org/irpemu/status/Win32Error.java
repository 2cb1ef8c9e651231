package org.irpemu.status;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.irpemu.irp.SymbolTable;

/**
 * Win32 error codes ({@code winerror.h}) that NTSTATUS values of the oplock path map to, with the
 * system message text {@code FormatMessage} returns for them.
 *
 * <p>Values are those of the SDK header {@code winerror.h}; the mapping from NTSTATUS is in
 * {@link NtStatus#toWin32(int)}.
 */
public final class Win32Error {
    public static final int ERROR_SUCCESS = 0;
    public static final int ERROR_INVALID_FUNCTION = 1;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_NO_MORE_FILES = 18;
    public static final int ERROR_BAD_COMMAND = 22;
    public static final int ERROR_BAD_LENGTH = 24;
    public static final int ERROR_GEN_FAILURE = 31;
    public static final int ERROR_SHARING_VIOLATION = 32;
    public static final int ERROR_LOCK_VIOLATION = 33;
    public static final int ERROR_HANDLE_EOF = 38;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_BAD_NETPATH = 53;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_DISK_FULL = 112;
    public static final int ERROR_INSUFFICIENT_BUFFER = 122;
    public static final int ERROR_INVALID_NAME = 123;
    public static final int ERROR_DIR_NOT_EMPTY = 145;
    public static final int ERROR_NOT_LOCKED = 158;
    public static final int ERROR_BAD_PATHNAME = 161;
    public static final int ERROR_ALREADY_EXISTS = 183;
    public static final int ERROR_MORE_DATA = 234;
    public static final int ERROR_DIRECTORY = 267;
    public static final int ERROR_OPLOCK_NOT_GRANTED = 300;
    public static final int ERROR_INVALID_OPLOCK_PROTOCOL = 301;
    public static final int ERROR_INVALID_LOCK_RANGE = 307;
    public static final int ERROR_MR_MID_NOT_FOUND = 317;
    public static final int ERROR_CANT_WAIT = 554;
    public static final int ERROR_OPLOCK_BREAK_IN_PROGRESS = 742;
    public static final int ERROR_WAIT_FOR_OPLOCK = 765;
    public static final int ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE = 800;
    public static final int ERROR_CANNOT_GRANT_REQUESTED_OPLOCK = 801;
    public static final int ERROR_CANNOT_BREAK_OPLOCK = 802;
    public static final int ERROR_OPLOCK_HANDLE_CLOSED = 803;
    public static final int ERROR_OPERATION_ABORTED = 995;
    public static final int ERROR_IO_PENDING = 997;
    public static final int ERROR_NOTIFY_ENUM_DIR = 1022;
    public static final int ERROR_NOT_FOUND = 1168;
    public static final int ERROR_USER_MAPPED_FILE = 1224;
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;
    public static final int ERROR_INVALID_USER_BUFFER = 1784;
    public static final int ERROR_NOT_A_REPARSE_POINT = 4390;

    private static final Map<Integer, String> SYMBOLS;
    private static final Map<String, Integer> BY_SYMBOL;
    private static final Map<Integer, String> MESSAGES = new HashMap<>();

    static {
        message(ERROR_SUCCESS, "The operation completed successfully.");
        message(ERROR_INVALID_FUNCTION, "Incorrect function.");
        message(ERROR_FILE_NOT_FOUND, "The system cannot find the file specified.");
        message(ERROR_PATH_NOT_FOUND, "The system cannot find the path specified.");
        message(ERROR_ACCESS_DENIED, "Access is denied.");
        message(ERROR_INVALID_HANDLE, "The handle is invalid.");
        message(ERROR_NO_MORE_FILES, "There are no more files.");
        message(ERROR_BAD_COMMAND, "The device does not recognize the command.");
        message(ERROR_BAD_LENGTH, "The program issued a command but the command length is incorrect.");
        message(ERROR_GEN_FAILURE, "A device attached to the system is not functioning.");
        message(ERROR_SHARING_VIOLATION,
                "The process cannot access the file because it is being used by another process.");
        message(ERROR_LOCK_VIOLATION,
                "The process cannot access the file because another process has locked a portion of the file.");
        message(ERROR_HANDLE_EOF, "Reached the end of the file.");
        message(ERROR_NOT_SUPPORTED, "The request is not supported.");
        message(ERROR_BAD_NETPATH, "The network path was not found.");
        message(ERROR_INVALID_PARAMETER, "The parameter is incorrect.");
        message(ERROR_DISK_FULL, "There is not enough space on the disk.");
        message(ERROR_INSUFFICIENT_BUFFER, "The data area passed to a system call is too small.");
        message(ERROR_INVALID_NAME, "The filename, directory name, or volume label syntax is incorrect.");
        message(ERROR_DIR_NOT_EMPTY, "The directory is not empty.");
        message(ERROR_NOT_LOCKED, "The segment is already unlocked.");
        message(ERROR_BAD_PATHNAME, "The specified path is invalid.");
        message(ERROR_ALREADY_EXISTS, "Cannot create a file when that file already exists.");
        message(ERROR_MORE_DATA, "More data is available.");
        message(ERROR_DIRECTORY, "The directory name is invalid.");
        message(ERROR_OPLOCK_NOT_GRANTED, "The oplock request is denied.");
        message(ERROR_INVALID_OPLOCK_PROTOCOL, "An invalid oplock acknowledgment was received by the system.");
        message(ERROR_INVALID_LOCK_RANGE, "A requested file lock operation cannot be processed due to an invalid byte range.");
        message(ERROR_MR_MID_NOT_FOUND,
                "The system cannot find message text for message number 0x%1 in the message file for %2.");
        message(ERROR_CANT_WAIT, "Cannot wait on this thread.");
        message(ERROR_NOT_FOUND, "Element not found.");
        message(ERROR_NO_SYSTEM_RESOURCES, "Insufficient system resources exist to complete the requested service.");
        message(ERROR_OPLOCK_BREAK_IN_PROGRESS, "An open/create operation completed while an oplock break is underway.");
        message(ERROR_WAIT_FOR_OPLOCK, "An operation is blocked waiting for an oplock.");
        message(ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE,
                "The oplock that was associated with this handle is now associated with a different handle.");
        message(ERROR_CANNOT_GRANT_REQUESTED_OPLOCK,
                "An oplock of the requested level cannot be granted.  An oplock of a lower level may be available.");
        message(ERROR_CANNOT_BREAK_OPLOCK,
                "The operation did not complete successfully because it would cause an oplock to be broken. "
                        + "The caller has requested that existing oplocks not be broken.");
        message(ERROR_OPLOCK_HANDLE_CLOSED, "The handle with an open oplock was closed. The oplock is now broken.");
        message(ERROR_OPERATION_ABORTED,
                "The I/O operation has been aborted because of either a thread exit or an application request.");
        message(ERROR_IO_PENDING, "Overlapped I/O operation is in progress.");
        message(ERROR_NOTIFY_ENUM_DIR,
                "A notify change request is being completed and the information is not being returned in the "
                        + "caller's buffer. The caller now needs to enumerate the files to find the changes.");
        message(ERROR_USER_MAPPED_FILE,
                "The requested operation cannot be performed on a file with a user-mapped section open.");
        message(ERROR_INVALID_USER_BUFFER, "The supplied user buffer is not valid for the requested operation.");
        message(ERROR_NOT_A_REPARSE_POINT, "The file or directory is not a reparse point.");

        SYMBOLS = Collections.unmodifiableMap(byValue(Win32Error.class, "ERROR_"));
        Map<String, Integer> bySymbol = new HashMap<>();
        SYMBOLS.forEach((value, symbol) -> bySymbol.put(symbol, value));
        BY_SYMBOL = Collections.unmodifiableMap(bySymbol);
        for (Integer code : SYMBOLS.keySet()) {
            if (!MESSAGES.containsKey(code)) {
                throw new ExceptionInInitializerError("no message for Win32 error " + code);
            }
        }
    }

    private Win32Error() {
    }

    private static void message(int code, String text) {
        MESSAGES.put(code, text);
    }

    /**
     * @param code a Win32 error code
     * @return whether this project knows the code
     */
    public static boolean isKnown(int code) {
        return SYMBOLS.containsKey(code);
    }

    /**
     * @param code a Win32 error code
     * @return its {@code winerror.h} symbol, for example {@code ERROR_OPLOCK_NOT_GRANTED}, or the
     *     decimal number when the code is not known
     */
    public static String symbol(int code) {
        String s = SYMBOLS.get(code);
        return s != null ? s : Integer.toString(code);
    }

    /**
     * @param code a Win32 error code
     * @return the system message text, or {@code null} when the code is not known
     */
    public static String message(int code) {
        return MESSAGES.get(code);
    }

    /**
     * @param symbol a {@code winerror.h} symbol such as {@code ERROR_SHARING_VIOLATION}; case-sensitive
     * @return its value, or empty when not known
     */
    public static OptionalInt fromSymbol(String symbol) {
        Integer v = BY_SYMBOL.get(symbol);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** @return every known code and its symbol, in ascending order of value */
    public static Map<Integer, String> all() {
        return new java.util.TreeMap<>(SYMBOLS);
    }

    /** The value-to-symbol map of a class's constants; one name per value. */
    static Map<Integer, String> byValue(Class<?> type, String prefix) {
        Map<Integer, String> names = new HashMap<>();
        SymbolTable.of(type, prefix).names().forEach((name, value) -> {
            String previous = names.putIfAbsent(value, name);
            if (previous != null) {
                throw new IllegalStateException(name + " duplicates " + previous);
            }
        });
        return names;
    }
}
