package org.irpemu.irp;

/** File attribute bits ({@code FILE_ATTRIBUTE_*}, {@code winnt.h}). */
public final class FileAttributes {
    public static final int FILE_ATTRIBUTE_READONLY = 0x00000001;
    public static final int FILE_ATTRIBUTE_HIDDEN = 0x00000002;
    public static final int FILE_ATTRIBUTE_SYSTEM = 0x00000004;
    public static final int FILE_ATTRIBUTE_DIRECTORY = 0x00000010;
    public static final int FILE_ATTRIBUTE_ARCHIVE = 0x00000020;
    public static final int FILE_ATTRIBUTE_DEVICE = 0x00000040;
    public static final int FILE_ATTRIBUTE_NORMAL = 0x00000080;
    public static final int FILE_ATTRIBUTE_TEMPORARY = 0x00000100;
    public static final int FILE_ATTRIBUTE_SPARSE_FILE = 0x00000200;
    public static final int FILE_ATTRIBUTE_REPARSE_POINT = 0x00000400;
    public static final int FILE_ATTRIBUTE_COMPRESSED = 0x00000800;
    public static final int FILE_ATTRIBUTE_OFFLINE = 0x00001000;
    public static final int FILE_ATTRIBUTE_NOT_CONTENT_INDEXED = 0x00002000;
    public static final int FILE_ATTRIBUTE_ENCRYPTED = 0x00004000;

    /** The attributes a caller may set ({@code FILE_ATTRIBUTE_VALID_SET_FLAGS}). */
    public static final int FILE_ATTRIBUTE_VALID_SET_FLAGS = 0x000031A7;

    private static final SymbolTable NAMES = SymbolTable.of(FileAttributes.class, "FILE_ATTRIBUTE_READONLY",
            "FILE_ATTRIBUTE_HIDDEN", "FILE_ATTRIBUTE_SYSTEM", "FILE_ATTRIBUTE_DIRECTORY", "FILE_ATTRIBUTE_ARCHIVE",
            "FILE_ATTRIBUTE_DEVICE", "FILE_ATTRIBUTE_NORMAL", "FILE_ATTRIBUTE_TEMPORARY", "FILE_ATTRIBUTE_SPARSE_FILE",
            "FILE_ATTRIBUTE_REPARSE_POINT", "FILE_ATTRIBUTE_COMPRESSED", "FILE_ATTRIBUTE_OFFLINE",
            "FILE_ATTRIBUTE_NOT_CONTENT_INDEXED", "FILE_ATTRIBUTE_ENCRYPTED");

    private FileAttributes() {
    }

    /** @return {@code FILE_ATTRIBUTE_HIDDEN|FILE_ATTRIBUTE_ARCHIVE} and so on; {@code 0} for none */
    public static String format(int attributes) {
        return NAMES.formatFlags(attributes);
    }

    /** @return the symbol table of the attribute bits */
    public static SymbolTable symbols() {
        return NAMES;
    }
}
