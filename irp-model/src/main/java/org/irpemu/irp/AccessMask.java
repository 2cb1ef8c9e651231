package org.irpemu.irp;

/**
 * ACCESS_MASK bits for files and directories ({@code winnt.h} / {@code wdm.h}) and the generic
 * mapping the I/O manager applies to file objects ({@code IoCreateFile} maps {@code GENERIC_*} through
 * the file object type's GENERIC_MAPPING before the file system sees the request).
 */
public final class AccessMask {
    public static final int FILE_READ_DATA = 0x0001;
    public static final int FILE_LIST_DIRECTORY = 0x0001;
    public static final int FILE_WRITE_DATA = 0x0002;
    public static final int FILE_ADD_FILE = 0x0002;
    public static final int FILE_APPEND_DATA = 0x0004;
    public static final int FILE_ADD_SUBDIRECTORY = 0x0004;
    public static final int FILE_READ_EA = 0x0008;
    public static final int FILE_WRITE_EA = 0x0010;
    public static final int FILE_EXECUTE = 0x0020;
    public static final int FILE_TRAVERSE = 0x0020;
    public static final int FILE_DELETE_CHILD = 0x0040;
    public static final int FILE_READ_ATTRIBUTES = 0x0080;
    public static final int FILE_WRITE_ATTRIBUTES = 0x0100;

    public static final int DELETE = 0x00010000;
    public static final int READ_CONTROL = 0x00020000;
    public static final int WRITE_DAC = 0x00040000;
    public static final int WRITE_OWNER = 0x00080000;
    public static final int SYNCHRONIZE = 0x00100000;
    public static final int STANDARD_RIGHTS_REQUIRED = 0x000F0000;
    public static final int ACCESS_SYSTEM_SECURITY = 0x01000000;
    public static final int MAXIMUM_ALLOWED = 0x02000000;

    public static final int GENERIC_ALL = 0x10000000;
    public static final int GENERIC_EXECUTE = 0x20000000;
    public static final int GENERIC_WRITE = 0x40000000;
    public static final int GENERIC_READ = 0x80000000;

    /** {@code STANDARD_RIGHTS_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE}. */
    public static final int FILE_GENERIC_READ = READ_CONTROL | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA
            | SYNCHRONIZE;
    /** {@code STANDARD_RIGHTS_WRITE | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA | FILE_APPEND_DATA | SYNCHRONIZE}. */
    public static final int FILE_GENERIC_WRITE = READ_CONTROL | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA
            | FILE_APPEND_DATA | SYNCHRONIZE;
    /** {@code STANDARD_RIGHTS_EXECUTE | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE}. */
    public static final int FILE_GENERIC_EXECUTE = READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE;
    /** {@code STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF}. */
    public static final int FILE_ALL_ACCESS = STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0x1FF;

    private static final SymbolTable NAMES = SymbolTable.of(AccessMask.class,
            "FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_APPEND_DATA", "FILE_READ_EA", "FILE_WRITE_EA", "FILE_EXECUTE",
            "FILE_DELETE_CHILD", "FILE_READ_ATTRIBUTES", "FILE_WRITE_ATTRIBUTES", "DELETE", "READ_CONTROL",
            "WRITE_DAC", "WRITE_OWNER", "SYNCHRONIZE", "ACCESS_SYSTEM_SECURITY", "MAXIMUM_ALLOWED", "GENERIC_",
            "FILE_GENERIC_", "FILE_ALL_ACCESS", "FILE_LIST_DIRECTORY", "FILE_ADD_", "FILE_TRAVERSE");

    private AccessMask() {
    }

    /**
     * Maps {@code GENERIC_READ}, {@code GENERIC_WRITE}, {@code GENERIC_EXECUTE} and {@code GENERIC_ALL} to
     * the file-specific rights, as {@code RtlMapGenericMask} does with the file object type's mapping.
     *
     * @param desiredAccess an ACCESS_MASK as a caller passes it
     * @return the mask with no generic bits left
     */
    public static int mapGenericMask(int desiredAccess) {
        int mapped = desiredAccess & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
        if ((desiredAccess & GENERIC_READ) != 0) {
            mapped |= FILE_GENERIC_READ;
        }
        if ((desiredAccess & GENERIC_WRITE) != 0) {
            mapped |= FILE_GENERIC_WRITE;
        }
        if ((desiredAccess & GENERIC_EXECUTE) != 0) {
            mapped |= FILE_GENERIC_EXECUTE;
        }
        if ((desiredAccess & GENERIC_ALL) != 0) {
            mapped |= FILE_ALL_ACCESS;
        }
        return mapped;
    }

    /** @return the access mask as {@code FILE_READ_DATA|SYNCHRONIZE}; {@code 0} for none */
    public static String format(int accessMask) {
        return NAMES.formatFlags(accessMask);
    }

    /** @return the symbol table (names include the generic and composite rights) */
    public static SymbolTable symbols() {
        return NAMES;
    }
}
