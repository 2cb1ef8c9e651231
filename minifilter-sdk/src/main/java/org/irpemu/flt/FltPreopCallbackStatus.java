package org.irpemu.flt;

/**
 * {@code FLT_PREOP_CALLBACK_STATUS} (fltKernel.h): what a pre-operation callback returns.
 *
 * <ul>
 *   <li>{@link #FLT_PREOP_SUCCESS_WITH_CALLBACK}: pass the operation down, call the post-operation callback;</li>
 *   <li>{@link #FLT_PREOP_SUCCESS_NO_CALLBACK}: pass it down, no post-operation callback;</li>
 *   <li>{@link #FLT_PREOP_PENDING}: the filter keeps the operation; it resumes it with
 *       {@code Flt.completePendedPreOperation};</li>
 *   <li>{@link #FLT_PREOP_DISALLOW_FASTIO}: fast I/O only; returned for an IRP it is a bug (verifier:
 *       ILLEGAL_PREOP_STATUS) and the operation fails with STATUS_UNSUCCESSFUL;</li>
 *   <li>{@link #FLT_PREOP_COMPLETE}: the filter completed the operation with {@code Data->IoStatus};</li>
 *   <li>{@link #FLT_PREOP_SYNCHRONIZE}: pass it down, run the post-operation callback in the caller's context;</li>
 *   <li>{@link #FLT_PREOP_DISALLOW_FSFILTER_IO}: FsFilter callbacks only.</li>
 * </ul>
 */
public final class FltPreopCallbackStatus {
    public static final int FLT_PREOP_SUCCESS_WITH_CALLBACK = 0;
    public static final int FLT_PREOP_SUCCESS_NO_CALLBACK = 1;
    public static final int FLT_PREOP_PENDING = 2;
    public static final int FLT_PREOP_DISALLOW_FASTIO = 3;
    public static final int FLT_PREOP_COMPLETE = 4;
    public static final int FLT_PREOP_SYNCHRONIZE = 5;
    public static final int FLT_PREOP_DISALLOW_FSFILTER_IO = 6;

    private static final org.irpemu.irp.SymbolTable NAMES =
            org.irpemu.irp.SymbolTable.of(FltPreopCallbackStatus.class, "FLT_PREOP_");

    private FltPreopCallbackStatus() {
    }

    /** @return the symbol of a status, or its number */
    public static String name(int status) {
        return NAMES.nameOrHex(status);
    }
}
