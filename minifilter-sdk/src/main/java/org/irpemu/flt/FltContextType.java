package org.irpemu.flt;

import org.irpemu.irp.SymbolTable;

/**
 * {@code FLT_CONTEXT_TYPE} (fltKernel.h): the object a minifilter context is attached to. irpemu attaches
 * instance, stream and stream handle contexts; the others can be registered and allocated but not set.
 */
public final class FltContextType {
    public static final int FLT_VOLUME_CONTEXT = 0x0001;
    public static final int FLT_INSTANCE_CONTEXT = 0x0002;
    public static final int FLT_FILE_CONTEXT = 0x0004;
    public static final int FLT_STREAM_CONTEXT = 0x0008;
    public static final int FLT_STREAMHANDLE_CONTEXT = 0x0010;
    public static final int FLT_TRANSACTION_CONTEXT = 0x0020;
    public static final int FLT_SECTION_CONTEXT = 0x0040;
    /** Ends a C registration array; never a context's type. */
    public static final int FLT_CONTEXT_END = 0xFFFF;

    /** {@code FLT_SET_CONTEXT_OPERATION}: replace a context already set (the old one is deleted). */
    public static final int FLT_SET_CONTEXT_REPLACE_IF_EXISTS = 0;
    /** {@code FLT_SET_CONTEXT_OPERATION}: keep a context already set and fail with STATUS_FLT_CONTEXT_ALREADY_DEFINED. */
    public static final int FLT_SET_CONTEXT_KEEP_IF_EXISTS = 1;

    private static final SymbolTable NAMES = SymbolTable.ofNames(FltContextType.class, "FLT_VOLUME_CONTEXT",
            "FLT_INSTANCE_CONTEXT", "FLT_FILE_CONTEXT", "FLT_STREAM_CONTEXT", "FLT_STREAMHANDLE_CONTEXT",
            "FLT_TRANSACTION_CONTEXT", "FLT_SECTION_CONTEXT");

    private FltContextType() {
    }

    /** @return the symbol of a context type, or its number */
    public static String name(int contextType) {
        return NAMES.nameOrHex(contextType);
    }

    static boolean isValid(int contextType) {
        return contextType == FLT_VOLUME_CONTEXT || contextType == FLT_INSTANCE_CONTEXT
                || contextType == FLT_FILE_CONTEXT || contextType == FLT_STREAM_CONTEXT
                || contextType == FLT_STREAMHANDLE_CONTEXT || contextType == FLT_TRANSACTION_CONTEXT
                || contextType == FLT_SECTION_CONTEXT;
    }
}
