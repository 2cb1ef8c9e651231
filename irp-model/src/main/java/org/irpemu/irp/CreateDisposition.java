package org.irpemu.irp;

/**
 * CreateDisposition values of {@code NtCreateFile} (stored by the I/O manager in the high 8 bits of
 * {@code Parameters.Create.Options}), and the create actions returned in {@code IoStatus.Information}.
 */
public final class CreateDisposition {
    public static final int FILE_SUPERSEDE = 0;
    public static final int FILE_OPEN = 1;
    public static final int FILE_CREATE = 2;
    public static final int FILE_OPEN_IF = 3;
    public static final int FILE_OVERWRITE = 4;
    public static final int FILE_OVERWRITE_IF = 5;
    public static final int FILE_MAXIMUM_DISPOSITION = 5;

    /** Create actions: {@code IoStatus.Information} of a successful create. */
    public static final int FILE_SUPERSEDED = 0;
    public static final int FILE_OPENED = 1;
    public static final int FILE_CREATED = 2;
    public static final int FILE_OVERWRITTEN = 3;
    public static final int FILE_EXISTS = 4;
    public static final int FILE_DOES_NOT_EXIST = 5;

    private static final SymbolTable DISPOSITIONS = SymbolTable.ofNames(CreateDisposition.class, "FILE_SUPERSEDE",
            "FILE_OPEN", "FILE_CREATE", "FILE_OPEN_IF", "FILE_OVERWRITE", "FILE_OVERWRITE_IF");
    private static final SymbolTable ACTIONS = SymbolTable.ofNames(CreateDisposition.class, "FILE_SUPERSEDED",
            "FILE_OPENED", "FILE_CREATED", "FILE_OVERWRITTEN", "FILE_EXISTS", "FILE_DOES_NOT_EXIST");

    private CreateDisposition() {
    }

    /** @return {@code FILE_OPEN_IF} and so on */
    public static String name(int disposition) {
        return DISPOSITIONS.nameOrHex(disposition);
    }

    /** @return {@code FILE_OPENED} and so on */
    public static String actionName(int action) {
        return ACTIONS.nameOrHex(action);
    }

    /** @return the symbol table of the six create actions */
    public static SymbolTable actionSymbols() {
        return ACTIONS;
    }

    /** @return the symbol table of the six dispositions */
    public static SymbolTable symbols() {
        return DISPOSITIONS;
    }
}
