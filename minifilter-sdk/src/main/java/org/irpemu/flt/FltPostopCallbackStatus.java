package org.irpemu.flt;

/**
 * {@code FLT_POSTOP_CALLBACK_STATUS} (fltKernel.h): what a post-operation callback returns.
 * MORE_PROCESSING_REQUIRED keeps the operation until {@code Flt.completePendedPostOperation}.
 */
public final class FltPostopCallbackStatus {
    public static final int FLT_POSTOP_FINISHED_PROCESSING = 0;
    public static final int FLT_POSTOP_MORE_PROCESSING_REQUIRED = 1;
    public static final int FLT_POSTOP_DISALLOW_FSFILTER_IO = 2;

    private static final org.irpemu.irp.SymbolTable NAMES =
            org.irpemu.irp.SymbolTable.of(FltPostopCallbackStatus.class, "FLT_POSTOP_");

    private FltPostopCallbackStatus() {
    }

    /** @return the symbol of a status, or its number */
    public static String name(int status) {
        return NAMES.nameOrHex(status);
    }
}
