package org.irpemu.irp;

import java.util.OptionalInt;

/**
 * File system control codes ({@code FSCTL_*}, {@code winioctl.h}), built with {@link #ctlCode}, the
 * {@code CTL_CODE} macro.
 *
 * <p>Layout of a control code (32 bits): DeviceType in bits 31..16, RequiredAccess in bits 15..14,
 * Function in bits 13..2, TransferType (method) in bits 1..0. Every oplock FSCTL is
 * {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, function, METHOD_BUFFERED, FILE_ANY_ACCESS)}
 * (oplock-reference.md, "Control codes").
 */
public final class FsControlCode {
    public static final int FILE_DEVICE_FILE_SYSTEM = 0x00000009;
    public static final int FILE_DEVICE_NETWORK_FILE_SYSTEM = 0x00000014;

    public static final int METHOD_BUFFERED = 0;
    public static final int METHOD_IN_DIRECT = 1;
    public static final int METHOD_OUT_DIRECT = 2;
    public static final int METHOD_NEITHER = 3;

    public static final int FILE_ANY_ACCESS = 0;
    public static final int FILE_SPECIAL_ACCESS = FILE_ANY_ACCESS;
    public static final int FILE_READ_ACCESS = 0x0001;
    public static final int FILE_WRITE_ACCESS = 0x0002;

    // Oplock FSCTLs.
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_REQUEST_OPLOCK_LEVEL_1 = 0x00090000;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 1, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_REQUEST_OPLOCK_LEVEL_2 = 0x00090004;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 2, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_REQUEST_BATCH_OPLOCK = 0x00090008;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 3, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_OPLOCK_BREAK_ACKNOWLEDGE = 0x0009000C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 4, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_OPBATCH_ACK_CLOSE_PENDING = 0x00090010;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 5, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_OPLOCK_BREAK_NOTIFY = 0x00090014;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 20, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_OPLOCK_BREAK_ACK_NO_2 = 0x00090050;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 23, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_REQUEST_FILTER_OPLOCK = 0x0009005C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 144, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_REQUEST_OPLOCK = 0x00090240;

    // Other FSCTLs the emulator knows by name (the reference file system implements a few of them).
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 6, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_LOCK_VOLUME = 0x00090018;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 7, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_UNLOCK_VOLUME = 0x0009001C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 8, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_DISMOUNT_VOLUME = 0x00090020;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 10, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_IS_VOLUME_MOUNTED = 0x00090028;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 15, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_GET_COMPRESSION = 0x0009003C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 16, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)}. */
    public static final int FSCTL_SET_COMPRESSION = 0x0009C040;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 39, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_GET_OBJECT_ID = 0x0009009C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 40, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_DELETE_OBJECT_ID = 0x000900A0;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 41, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_SET_REPARSE_POINT = 0x000900A4;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 42, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_GET_REPARSE_POINT = 0x000900A8;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 43, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_DELETE_REPARSE_POINT = 0x000900AC;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 46, METHOD_NEITHER, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_READ_USN_JOURNAL = 0x000900BB;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 48, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_CREATE_OR_GET_OBJECT_ID = 0x000900C0;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 49, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_SET_SPARSE = 0x000900C4;
    /** Zeroes a range; breaks oplocks like a write. {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 50, METHOD_BUFFERED, FILE_WRITE_DATA)}. */
    public static final int FSCTL_SET_ZERO_DATA = 0x000980C8;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 51, METHOD_NEITHER, FILE_READ_ACCESS)}. */
    public static final int FSCTL_QUERY_ALLOCATED_RANGES = 0x000940CF;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 58, METHOD_NEITHER, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_READ_FILE_USN_DATA = 0x000900EB;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 59, METHOD_NEITHER, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_WRITE_USN_CLOSE_RECORD = 0x000900EF;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 61, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_QUERY_USN_JOURNAL = 0x000900F4;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 72, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_FILE_PREFETCH = 0x00090120;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 153, METHOD_BUFFERED, FILE_READ_ACCESS)}. */
    public static final int FSCTL_OFFLOAD_READ = 0x00094264;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 161, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_QUERY_FILE_REGIONS = 0x00090284;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 195, METHOD_BUFFERED, FILE_SPECIAL_ACCESS)}. */
    public static final int FSCTL_SET_EXTERNAL_BACKING = 0x0009030C;
    /** {@code CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 196, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    public static final int FSCTL_GET_EXTERNAL_BACKING = 0x00090310;

    private static final SymbolTable NAMES = SymbolTable.of(FsControlCode.class, "FSCTL_");

    private FsControlCode() {
    }

    /**
     * {@code CTL_CODE(DeviceType, Function, Method, Access)}.
     *
     * @param deviceType 16-bit device type, for example {@link #FILE_DEVICE_FILE_SYSTEM}
     * @param function 12-bit function number (0..4095)
     * @param method 2-bit transfer type ({@link #METHOD_BUFFERED} ...)
     * @param access 2-bit required access ({@link #FILE_ANY_ACCESS} ...)
     * @return the 32-bit control code
     */
    public static int ctlCode(int deviceType, int function, int method, int access) {
        return (deviceType << 16) | (access << 14) | (function << 2) | method;
    }

    /** @return the device type field (bits 31..16) */
    public static int deviceType(int code) {
        return code >>> 16;
    }

    /** @return the function field (bits 13..2) */
    public static int function(int code) {
        return (code >>> 2) & 0xFFF;
    }

    /** @return the transfer type field (bits 1..0) */
    public static int method(int code) {
        return code & 3;
    }

    /** @return the required access field (bits 15..14) */
    public static int access(int code) {
        return (code >>> 14) & 3;
    }

    /**
     * @return the {@code FSCTL_*} name, or, for an unknown code, Process Monitor's form
     *     {@code 0x902eb (Device:0x9 Function:186 Method: 3)}
     */
    public static String name(int code) {
        String n = NAMES.name(code);
        if (n != null) {
            return n;
        }
        return "0x" + Integer.toHexString(code) + " (Device:0x" + Integer.toHexString(deviceType(code))
                + " Function:" + function(code) + " Method: " + method(code) + ")";
    }

    /** @return the code of an {@code FSCTL_*} name, or empty */
    public static OptionalInt fromName(String name) {
        return NAMES.value(name);
    }

    /** @return whether {@code code} is one of the nine oplock FSCTLs */
    public static boolean isOplockFsctl(int code) {
        return code == FSCTL_REQUEST_OPLOCK_LEVEL_1 || code == FSCTL_REQUEST_OPLOCK_LEVEL_2
                || code == FSCTL_REQUEST_BATCH_OPLOCK || code == FSCTL_OPLOCK_BREAK_ACKNOWLEDGE
                || code == FSCTL_OPBATCH_ACK_CLOSE_PENDING || code == FSCTL_OPLOCK_BREAK_NOTIFY
                || code == FSCTL_OPLOCK_BREAK_ACK_NO_2 || code == FSCTL_REQUEST_FILTER_OPLOCK
                || code == FSCTL_REQUEST_OPLOCK;
    }
}
