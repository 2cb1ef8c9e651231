package org.irpemu.irp;

/**
 * CreateOptions bits of {@code NtCreateFile} ({@code FILE_*}, {@code wdm.h}); the low 24 bits of
 * {@code Parameters.Create.Options}.
 */
public final class CreateOptions {
    public static final int FILE_DIRECTORY_FILE = 0x00000001;
    public static final int FILE_WRITE_THROUGH = 0x00000002;
    public static final int FILE_SEQUENTIAL_ONLY = 0x00000004;
    public static final int FILE_NO_INTERMEDIATE_BUFFERING = 0x00000008;
    public static final int FILE_SYNCHRONOUS_IO_ALERT = 0x00000010;
    public static final int FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
    public static final int FILE_NON_DIRECTORY_FILE = 0x00000040;
    public static final int FILE_CREATE_TREE_CONNECTION = 0x00000080;
    public static final int FILE_COMPLETE_IF_OPLOCKED = 0x00000100;
    public static final int FILE_NO_EA_KNOWLEDGE = 0x00000200;
    public static final int FILE_OPEN_REMOTE_INSTANCE = 0x00000400;
    public static final int FILE_RANDOM_ACCESS = 0x00000800;
    public static final int FILE_DELETE_ON_CLOSE = 0x00001000;
    public static final int FILE_OPEN_BY_FILE_ID = 0x00002000;
    public static final int FILE_OPEN_FOR_BACKUP_INTENT = 0x00004000;
    public static final int FILE_NO_COMPRESSION = 0x00008000;
    public static final int FILE_OPEN_REQUIRING_OPLOCK = 0x00010000;
    public static final int FILE_DISALLOW_EXCLUSIVE = 0x00020000;
    public static final int FILE_SESSION_AWARE = 0x00040000;
    public static final int FILE_RESERVE_OPFILTER = 0x00100000;
    public static final int FILE_OPEN_REPARSE_POINT = 0x00200000;
    public static final int FILE_OPEN_NO_RECALL = 0x00400000;
    public static final int FILE_OPEN_FOR_FREE_SPACE_QUERY = 0x00800000;

    /** The bits {@code NtCreateFile} accepts ({@code FILE_VALID_OPTION_FLAGS}). */
    public static final int FILE_VALID_OPTION_FLAGS = 0x00FFFFFF;

    private static final SymbolTable NAMES = SymbolTable.of(CreateOptions.class, "FILE_DIRECTORY_FILE",
            "FILE_WRITE_THROUGH", "FILE_SEQUENTIAL_ONLY", "FILE_NO_", "FILE_SYNCHRONOUS_", "FILE_NON_DIRECTORY_FILE",
            "FILE_CREATE_TREE_CONNECTION", "FILE_COMPLETE_IF_OPLOCKED", "FILE_OPEN_", "FILE_RANDOM_ACCESS",
            "FILE_DELETE_ON_CLOSE", "FILE_DISALLOW_EXCLUSIVE", "FILE_SESSION_AWARE", "FILE_RESERVE_OPFILTER");

    private CreateOptions() {
    }

    /** Packs a disposition and options as the I/O manager does in {@code Parameters.Create.Options}. */
    public static int pack(int disposition, int createOptions) {
        return (disposition << 24) | (createOptions & FILE_VALID_OPTION_FLAGS);
    }

    /** @return the disposition (high 8 bits) of a packed {@code Parameters.Create.Options} */
    public static int disposition(int packedOptions) {
        return packedOptions >>> 24;
    }

    /** @return the create options (low 24 bits) of a packed {@code Parameters.Create.Options} */
    public static int options(int packedOptions) {
        return packedOptions & FILE_VALID_OPTION_FLAGS;
    }

    /** @return the options as {@code FILE_NON_DIRECTORY_FILE|FILE_COMPLETE_IF_OPLOCKED}; {@code 0} for none */
    public static String format(int createOptions) {
        return NAMES.formatFlags(createOptions);
    }

    /** @return the symbol table of the option bits */
    public static SymbolTable symbols() {
        return NAMES;
    }
}
