package org.irpemu.irp;

/**
 * {@code IoStatus.Information} values of legacy oplock completions ({@code ntifs.h}): what a Level 1,
 * Batch, Filter or Level 2 oplock request IRP carries when it completes, and what a create reports when
 * it failed with a sharing violation after breaking a Batch or Filter oplock.
 */
public final class OplockBreakInformation {
    /** The legacy oplock was broken to Level 2. */
    public static final int FILE_OPLOCK_BROKEN_TO_LEVEL_2 = 0x00000007;
    /** The legacy oplock was broken to none (also: its handle was closed). */
    public static final int FILE_OPLOCK_BROKEN_TO_NONE = 0x00000008;
    /** A create failed with STATUS_SHARING_VIOLATION while a Batch or Filter break it started is under way. */
    public static final int FILE_OPBATCH_BREAK_UNDERWAY = 0x00000009;

    private static final SymbolTable NAMES = SymbolTable.of(OplockBreakInformation.class, "FILE_");

    private OplockBreakInformation() {
    }

    /** @return the constant's name, or {@code null} when {@code information} is not one of them */
    public static String name(long information) {
        return information >= 0 && information <= Integer.MAX_VALUE ? NAMES.name((int) information) : null;
    }

    /** @return the symbol table */
    public static SymbolTable symbols() {
        return NAMES;
    }
}
