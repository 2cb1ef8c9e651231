package org.irpemu.flt;

/**
 * {@code FLT_OPERATION_REGISTRATION}: the callbacks of one major function. Either callback may be
 * {@code null}; a missing pre-operation callback counts as FLT_PREOP_SUCCESS_WITH_CALLBACK.
 */
public final class FltOperationRegistration {
    /** Flags: do not call the callbacks for paging I/O. */
    public static final int FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO = 0x00000001;
    /** Flags: do not call the callbacks for cached I/O. */
    public static final int FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO = 0x00000002;
    /** Flags: do not call the callbacks for non-cached I/O. */
    public static final int FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO = 0x00000004;

    private final int majorFunction;
    private final int flags;
    private final FltPreOperationCallback preOperation;
    private final FltPostOperationCallback postOperation;

    public FltOperationRegistration(int majorFunction, int flags, FltPreOperationCallback preOperation,
            FltPostOperationCallback postOperation) {
        this.majorFunction = majorFunction;
        this.flags = flags;
        this.preOperation = preOperation;
        this.postOperation = postOperation;
    }

    /** @return MajorFunction, an IRP_MJ_* code */
    public int majorFunction() {
        return majorFunction;
    }

    /** @return Flags, FLTFL_OPERATION_REGISTRATION_* */
    public int flags() {
        return flags;
    }

    /** @return PreOperation, or {@code null} */
    public FltPreOperationCallback preOperation() {
        return preOperation;
    }

    /** @return PostOperation, or {@code null} */
    public FltPostOperationCallback postOperation() {
        return postOperation;
    }
}
