package org.irpemu.irp;

/** ShareAccess bits of a create ({@code FILE_SHARE_*}, {@code winnt.h}). */
public final class ShareAccessFlags {
    public static final int FILE_SHARE_READ = 0x1;
    public static final int FILE_SHARE_WRITE = 0x2;
    public static final int FILE_SHARE_DELETE = 0x4;
    public static final int FILE_SHARE_VALID_FLAGS = 0x7;

    private static final SymbolTable NAMES = SymbolTable.of(ShareAccessFlags.class, "FILE_SHARE_READ",
            "FILE_SHARE_WRITE", "FILE_SHARE_DELETE");

    private ShareAccessFlags() {
    }

    /** @return {@code FILE_SHARE_READ|FILE_SHARE_WRITE} and so on; {@code 0} for none */
    public static String format(int shareAccess) {
        return NAMES.formatFlags(shareAccess);
    }
}
