package org.irpemu.status;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * NTSTATUS values of the oplock path, with their severity, their Win32 error
 * ({@code RtlNtStatusToDosError}) and the result text Process Monitor prints for them.
 *
 * <p>Statuses are plain {@code int} values everywhere in irpemu: compare them with {@code ==} and test
 * them with {@link #ntSuccess(int)}, never with exceptions. Values follow the SDK header
 * {@code ntstatus.h}; the Win32 mapping follows {@code RtlNtStatusToDosError} as tabulated in
 * {@code oplock-reference.md} (from {@code winerror.h} / [MS-ERREF]).
 *
 * <p>Traps kept deliberately: {@link #STATUS_CANNOT_GRANT_REQUESTED_OPLOCK} is a <em>warning</em>
 * ({@code NT_SUCCESS} false, output buffers still reach the caller) and
 * {@link #STATUS_CANNOT_BREAK_OPLOCK} is an <em>error</em>, although two DDI pages call it a success
 * code; the header value 0xC0000909 decides.
 */
public final class NtStatus {
    // Success and informational (NT_SUCCESS true).
    public static final int STATUS_SUCCESS = 0x00000000;
    public static final int STATUS_PENDING = 0x00000103;
    public static final int STATUS_MORE_ENTRIES = 0x00000105;
    public static final int STATUS_OPLOCK_BREAK_IN_PROGRESS = 0x00000108;
    public static final int STATUS_NOTIFY_ENUM_DIR = 0x0000010C;
    public static final int STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE = 0x00000215;
    public static final int STATUS_OPLOCK_HANDLE_CLOSED = 0x00000216;
    public static final int STATUS_WAIT_FOR_OPLOCK = 0x00000367;

    // Warnings.
    public static final int STATUS_BUFFER_OVERFLOW = 0x80000005;
    public static final int STATUS_NO_MORE_FILES = 0x80000006;
    public static final int STATUS_CANNOT_GRANT_REQUESTED_OPLOCK = 0x8000002E;

    // Errors.
    public static final int STATUS_UNSUCCESSFUL = 0xC0000001;
    public static final int STATUS_NOT_IMPLEMENTED = 0xC0000002;
    public static final int STATUS_INVALID_INFO_CLASS = 0xC0000003;
    public static final int STATUS_INFO_LENGTH_MISMATCH = 0xC0000004;
    public static final int STATUS_INVALID_HANDLE = 0xC0000008;
    public static final int STATUS_INVALID_PARAMETER = 0xC000000D;
    public static final int STATUS_NO_SUCH_FILE = 0xC000000F;
    public static final int STATUS_INVALID_DEVICE_REQUEST = 0xC0000010;
    public static final int STATUS_END_OF_FILE = 0xC0000011;
    public static final int STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016;
    public static final int STATUS_ACCESS_DENIED = 0xC0000022;
    public static final int STATUS_BUFFER_TOO_SMALL = 0xC0000023;
    public static final int STATUS_OBJECT_NAME_INVALID = 0xC0000033;
    public static final int STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034;
    public static final int STATUS_OBJECT_NAME_COLLISION = 0xC0000035;
    public static final int STATUS_OBJECT_PATH_INVALID = 0xC0000039;
    public static final int STATUS_OBJECT_PATH_NOT_FOUND = 0xC000003A;
    public static final int STATUS_SHARING_VIOLATION = 0xC0000043;
    public static final int STATUS_FILE_LOCK_CONFLICT = 0xC0000054;
    public static final int STATUS_LOCK_NOT_GRANTED = 0xC0000055;
    public static final int STATUS_DELETE_PENDING = 0xC0000056;
    public static final int STATUS_RANGE_NOT_LOCKED = 0xC000007E;
    public static final int STATUS_DISK_FULL = 0xC000007F;
    public static final int STATUS_INSUFFICIENT_RESOURCES = 0xC000009A;
    public static final int STATUS_FILE_IS_A_DIRECTORY = 0xC00000BA;
    public static final int STATUS_NOT_SUPPORTED = 0xC00000BB;
    public static final int STATUS_BAD_NETWORK_PATH = 0xC00000BE;
    public static final int STATUS_CANT_WAIT = 0xC00000D8;
    public static final int STATUS_OPLOCK_NOT_GRANTED = 0xC00000E2;
    public static final int STATUS_INVALID_OPLOCK_PROTOCOL = 0xC00000E3;
    public static final int STATUS_INVALID_USER_BUFFER = 0xC00000E8;
    public static final int STATUS_DIRECTORY_NOT_EMPTY = 0xC0000101;
    public static final int STATUS_NOT_A_DIRECTORY = 0xC0000103;
    public static final int STATUS_CANCELLED = 0xC0000120;
    public static final int STATUS_CANNOT_DELETE = 0xC0000121;
    public static final int STATUS_FILE_CLOSED = 0xC0000128;
    public static final int STATUS_INVALID_DEVICE_STATE = 0xC0000184;
    public static final int STATUS_INVALID_LOCK_RANGE = 0xC00001A1;
    public static final int STATUS_NOT_FOUND = 0xC0000225;
    public static final int STATUS_USER_MAPPED_FILE = 0xC0000243;
    public static final int STATUS_NOT_A_REPARSE_POINT = 0xC0000275;
    public static final int STATUS_CANNOT_BREAK_OPLOCK = 0xC0000909;
    // Filter Manager (facility 0x1C, ntstatus.h); RtlNtStatusToDosError maps none of them.
    public static final int STATUS_FLT_NO_HANDLER_DEFINED = 0xC01C0001;
    public static final int STATUS_FLT_CONTEXT_ALREADY_DEFINED = 0xC01C0002;
    public static final int STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST = 0xC01C0003;
    public static final int STATUS_FLT_DISALLOW_FAST_IO = 0xC01C0004;
    public static final int STATUS_FLT_NOT_INITIALIZED = 0xC01C0007;
    public static final int STATUS_FLT_FILTER_NOT_READY = 0xC01C0008;
    public static final int STATUS_FLT_POST_OPERATION_CLEANUP = 0xC01C0009;
    public static final int STATUS_FLT_INTERNAL_ERROR = 0xC01C000A;
    public static final int STATUS_FLT_DELETING_OBJECT = 0xC01C000B;
    public static final int STATUS_FLT_DUPLICATE_ENTRY = 0xC01C000D;
    public static final int STATUS_FLT_CBDQ_DISABLED = 0xC01C000E;
    public static final int STATUS_FLT_DO_NOT_ATTACH = 0xC01C000F;
    public static final int STATUS_FLT_DO_NOT_DETACH = 0xC01C0010;
    public static final int STATUS_FLT_INSTANCE_ALTITUDE_COLLISION = 0xC01C0011;
    public static final int STATUS_FLT_INSTANCE_NAME_COLLISION = 0xC01C0012;
    public static final int STATUS_FLT_FILTER_NOT_FOUND = 0xC01C0013;
    public static final int STATUS_FLT_VOLUME_NOT_FOUND = 0xC01C0014;
    public static final int STATUS_FLT_INSTANCE_NOT_FOUND = 0xC01C0015;
    public static final int STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND = 0xC01C0016;
    public static final int STATUS_FLT_INVALID_CONTEXT_REGISTRATION = 0xC01C0017;
    public static final int STATUS_FLT_CONTEXT_ALREADY_LINKED = 0xC01C001C;

    private static final Map<Integer, String> SYMBOLS;
    private static final Map<String, Integer> BY_SYMBOL = new HashMap<>();
    private static final Map<Integer, Integer> WIN32 = new HashMap<>();
    private static final Map<Integer, String> PROCMON = new HashMap<>();
    private static final Map<String, Integer> BY_PROCMON = new HashMap<>();

    static {
        win32(STATUS_SUCCESS, Win32Error.ERROR_SUCCESS);
        win32(STATUS_PENDING, Win32Error.ERROR_IO_PENDING);
        win32(STATUS_MORE_ENTRIES, Win32Error.ERROR_MORE_DATA);
        win32(STATUS_OPLOCK_BREAK_IN_PROGRESS, Win32Error.ERROR_OPLOCK_BREAK_IN_PROGRESS);
        win32(STATUS_NOTIFY_ENUM_DIR, Win32Error.ERROR_NOTIFY_ENUM_DIR);
        win32(STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE, Win32Error.ERROR_OPLOCK_SWITCHED_TO_NEW_HANDLE);
        win32(STATUS_OPLOCK_HANDLE_CLOSED, Win32Error.ERROR_OPLOCK_HANDLE_CLOSED);
        win32(STATUS_WAIT_FOR_OPLOCK, Win32Error.ERROR_WAIT_FOR_OPLOCK);
        win32(STATUS_BUFFER_OVERFLOW, Win32Error.ERROR_MORE_DATA);
        win32(STATUS_NO_MORE_FILES, Win32Error.ERROR_NO_MORE_FILES);
        win32(STATUS_CANNOT_GRANT_REQUESTED_OPLOCK, Win32Error.ERROR_CANNOT_GRANT_REQUESTED_OPLOCK);
        win32(STATUS_UNSUCCESSFUL, Win32Error.ERROR_GEN_FAILURE);
        win32(STATUS_NOT_IMPLEMENTED, Win32Error.ERROR_INVALID_FUNCTION);
        win32(STATUS_INVALID_INFO_CLASS, Win32Error.ERROR_INVALID_PARAMETER);
        win32(STATUS_INFO_LENGTH_MISMATCH, Win32Error.ERROR_BAD_LENGTH);
        win32(STATUS_INVALID_HANDLE, Win32Error.ERROR_INVALID_HANDLE);
        win32(STATUS_INVALID_PARAMETER, Win32Error.ERROR_INVALID_PARAMETER);
        win32(STATUS_NO_SUCH_FILE, Win32Error.ERROR_FILE_NOT_FOUND);
        win32(STATUS_INVALID_DEVICE_REQUEST, Win32Error.ERROR_INVALID_FUNCTION);
        win32(STATUS_END_OF_FILE, Win32Error.ERROR_HANDLE_EOF);
        win32(STATUS_MORE_PROCESSING_REQUIRED, Win32Error.ERROR_MORE_DATA);
        win32(STATUS_ACCESS_DENIED, Win32Error.ERROR_ACCESS_DENIED);
        win32(STATUS_BUFFER_TOO_SMALL, Win32Error.ERROR_INSUFFICIENT_BUFFER);
        win32(STATUS_OBJECT_NAME_INVALID, Win32Error.ERROR_INVALID_NAME);
        win32(STATUS_OBJECT_NAME_NOT_FOUND, Win32Error.ERROR_FILE_NOT_FOUND);
        win32(STATUS_OBJECT_NAME_COLLISION, Win32Error.ERROR_ALREADY_EXISTS);
        win32(STATUS_OBJECT_PATH_INVALID, Win32Error.ERROR_BAD_PATHNAME);
        win32(STATUS_OBJECT_PATH_NOT_FOUND, Win32Error.ERROR_PATH_NOT_FOUND);
        win32(STATUS_SHARING_VIOLATION, Win32Error.ERROR_SHARING_VIOLATION);
        win32(STATUS_FILE_LOCK_CONFLICT, Win32Error.ERROR_LOCK_VIOLATION);
        win32(STATUS_LOCK_NOT_GRANTED, Win32Error.ERROR_LOCK_VIOLATION);
        win32(STATUS_DELETE_PENDING, Win32Error.ERROR_ACCESS_DENIED);
        win32(STATUS_RANGE_NOT_LOCKED, Win32Error.ERROR_NOT_LOCKED);
        win32(STATUS_INVALID_LOCK_RANGE, Win32Error.ERROR_INVALID_LOCK_RANGE);
        win32(STATUS_DISK_FULL, Win32Error.ERROR_DISK_FULL);
        win32(STATUS_FILE_IS_A_DIRECTORY, Win32Error.ERROR_ACCESS_DENIED);
        win32(STATUS_NOT_SUPPORTED, Win32Error.ERROR_NOT_SUPPORTED);
        win32(STATUS_INSUFFICIENT_RESOURCES, Win32Error.ERROR_NO_SYSTEM_RESOURCES);
        win32(STATUS_CANT_WAIT, Win32Error.ERROR_CANT_WAIT);
        win32(STATUS_NOT_FOUND, Win32Error.ERROR_NOT_FOUND);
        win32(STATUS_BAD_NETWORK_PATH, Win32Error.ERROR_BAD_NETPATH);
        win32(STATUS_OPLOCK_NOT_GRANTED, Win32Error.ERROR_OPLOCK_NOT_GRANTED);
        win32(STATUS_INVALID_OPLOCK_PROTOCOL, Win32Error.ERROR_INVALID_OPLOCK_PROTOCOL);
        win32(STATUS_INVALID_USER_BUFFER, Win32Error.ERROR_INVALID_USER_BUFFER);
        win32(STATUS_DIRECTORY_NOT_EMPTY, Win32Error.ERROR_DIR_NOT_EMPTY);
        win32(STATUS_NOT_A_DIRECTORY, Win32Error.ERROR_DIRECTORY);
        win32(STATUS_CANCELLED, Win32Error.ERROR_OPERATION_ABORTED);
        win32(STATUS_CANNOT_DELETE, Win32Error.ERROR_ACCESS_DENIED);
        win32(STATUS_FILE_CLOSED, Win32Error.ERROR_INVALID_HANDLE);
        win32(STATUS_INVALID_DEVICE_STATE, Win32Error.ERROR_BAD_COMMAND);
        win32(STATUS_USER_MAPPED_FILE, Win32Error.ERROR_USER_MAPPED_FILE);
        win32(STATUS_NOT_A_REPARSE_POINT, Win32Error.ERROR_NOT_A_REPARSE_POINT);
        win32(STATUS_CANNOT_BREAK_OPLOCK, Win32Error.ERROR_CANNOT_BREAK_OPLOCK);
        // The Filter Manager's codes reach user mode as HRESULTs (ERROR_FLT_*, 0x801F....), not through
        // RtlNtStatusToDosError, whose table we take to have no entry for them (an assumption, not a
        // documented mapping): ERROR_MR_MID_NOT_FOUND, what it returns for unmapped codes.
        for (int code = STATUS_FLT_NO_HANDLER_DEFINED; code <= STATUS_FLT_CONTEXT_ALREADY_LINKED; code++) {
            win32(code, Win32Error.ERROR_MR_MID_NOT_FOUND);
        }

        // Process Monitor shortens a few symbols; every other text is the symbol without STATUS_,
        // underscores printed as spaces.
        procmon(STATUS_OBJECT_NAME_NOT_FOUND, "NAME NOT FOUND");
        procmon(STATUS_OBJECT_NAME_COLLISION, "NAME COLLISION");
        procmon(STATUS_OBJECT_NAME_INVALID, "NAME INVALID");
        procmon(STATUS_OBJECT_PATH_NOT_FOUND, "PATH NOT FOUND");
        procmon(STATUS_FILE_IS_A_DIRECTORY, "IS DIRECTORY");
        procmon(STATUS_NOT_A_REPARSE_POINT, "NOT REPARSE POINT");

        SYMBOLS = Collections.unmodifiableMap(Win32Error.byValue(NtStatus.class, "STATUS_"));
        for (Map.Entry<Integer, String> e : SYMBOLS.entrySet()) {
            if (!WIN32.containsKey(e.getKey())) {
                throw new ExceptionInInitializerError("no Win32 mapping for " + e.getValue());
            }
            BY_SYMBOL.put(e.getValue(), e.getKey());
            PROCMON.computeIfAbsent(e.getKey(), v -> e.getValue().substring("STATUS_".length()).replace('_', ' '));
        }
        PROCMON.forEach((value, text) -> BY_PROCMON.put(text, value));
    }

    private NtStatus() {
    }

    private static void win32(int status, int error) {
        WIN32.put(status, error);
    }

    private static void procmon(int status, String text) {
        PROCMON.put(status, text);
    }

    /** {@code NT_SUCCESS(Status)}: true for success and informational values (signed value &gt;= 0). */
    public static boolean ntSuccess(int status) {
        return status >= 0;
    }

    /** {@code NT_INFORMATION(Status)}: severity 1. */
    public static boolean ntInformation(int status) {
        return (status >>> 30) == 1;
    }

    /** {@code NT_WARNING(Status)}: severity 2. */
    public static boolean ntWarning(int status) {
        return (status >>> 30) == 2;
    }

    /** {@code NT_ERROR(Status)}: severity 3. */
    public static boolean ntError(int status) {
        return (status >>> 30) == 3;
    }

    /** @return the severity field of {@code status} */
    public static Severity severity(int status) {
        return Severity.of(status);
    }

    /** @return whether this project knows {@code status} (has its symbol and Win32 mapping) */
    public static boolean isKnown(int status) {
        return SYMBOLS.containsKey(status);
    }

    /**
     * @param status an NTSTATUS value
     * @return its {@code ntstatus.h} symbol, or {@code 0x%08X} when it is not known
     */
    public static String symbol(int status) {
        String s = SYMBOLS.get(status);
        return s != null ? s : hex(status);
    }

    /**
     * {@code RtlNtStatusToDosError}.
     *
     * @param status an NTSTATUS value
     * @return the Win32 error code, or {@link Win32Error#ERROR_MR_MID_NOT_FOUND} (317) for a value
     *     with no mapping, as the routine does
     */
    public static int toWin32(int status) {
        Integer e = WIN32.get(status);
        return e != null ? e : Win32Error.ERROR_MR_MID_NOT_FOUND;
    }

    /**
     * @param status an NTSTATUS value
     * @return the Result column text of Process Monitor for it ({@code "NAME NOT FOUND"},
     *     {@code "OPLOCK HANDLE CLOSED"}, ...), or {@code 0x%08X} when it is not known
     */
    public static String procmonText(int status) {
        String s = PROCMON.get(status);
        return s != null ? s : hex(status);
    }

    /**
     * Parses a Process Monitor Result text.
     *
     * @param text the Result column, for example {@code "SUCCESS"}, {@code "IS DIRECTORY"} or
     *     {@code "0xC000046F"}
     * @return the NTSTATUS value, or empty for texts that are not NTSTATUS values (such as
     *     {@code "FAST IO DISALLOWED"}) or are not known
     */
    public static OptionalInt fromProcmonText(String text) {
        Integer v = BY_PROCMON.get(text);
        if (v != null) {
            return OptionalInt.of(v);
        }
        if (text.length() == 10 && (text.startsWith("0x") || text.startsWith("0X"))) {
            try {
                return OptionalInt.of(Integer.parseUnsignedInt(text.substring(2), 16));
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    /**
     * @param symbol an {@code ntstatus.h} symbol, for example {@code STATUS_OPLOCK_NOT_GRANTED}
     * @return its value, or empty when not known
     */
    public static OptionalInt fromSymbol(String symbol) {
        Integer v = BY_SYMBOL.get(symbol);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** @return every known value and its symbol, in ascending unsigned order */
    public static Map<Integer, String> all() {
        Map<Integer, String> sorted = new TreeMap<>(Integer::compareUnsigned);
        sorted.putAll(SYMBOLS);
        return sorted;
    }

    /** @return {@code SYMBOL (0xXXXXXXXX)} for logs and traces */
    public static String describe(int status) {
        return isKnown(status) ? symbol(status) + " (" + hex(status) + ")" : hex(status);
    }

    /** @return {@code 0x%08X} */
    public static String hex(int status) {
        return String.format(Locale.ROOT, "0x%08X", status);
    }
}
