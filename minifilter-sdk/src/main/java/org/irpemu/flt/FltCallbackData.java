package org.irpemu.flt;

import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.Irp;

/**
 * {@code FLT_CALLBACK_DATA}: one operation as minifilters see it. {@link #iopb()} holds its parameters,
 * {@link #ioStatus()} its status (set it before returning FLT_PREOP_COMPLETE; it holds the final status
 * in post-operation callbacks).
 *
 * <p>The Filter Manager reuses callback data objects; a filter must not keep one after the operation
 * completed (the verifier reports a use after completion).
 */
public final class FltCallbackData {
    /** Flags: the operation is an IRP. */
    public static final int FLTFL_CALLBACK_DATA_IRP_OPERATION = 0x00000001;
    /** Flags: the operation is fast I/O. */
    public static final int FLTFL_CALLBACK_DATA_FAST_IO_OPERATION = 0x00000002;
    /** Flags: the operation was issued by a filter (FltCreateFile and friends). */
    public static final int FLTFL_CALLBACK_DATA_GENERATED_IO = 0x00010000;
    /** Flags: the post-operation callback is running while the instance drains. */
    public static final int FLTFL_CALLBACK_DATA_DRAINING_IO = 0x00040000;
    /** Flags: the callback data was changed and {@code FltSetCallbackDataDirty} was called. */
    public static final int FLTFL_CALLBACK_DATA_DIRTY = 0x80000000;

    private final FltIoParameterBlock iopb = new FltIoParameterBlock();
    private final IoStatusBlock ioStatus = new IoStatusBlock();
    private int flags;
    private int requestorMode;

    // Filter Manager state (package-private).
    Irp irp;
    FilterManager frame;
    FltInstance[] instances;
    int nextPre;
    FltInstance pendedInstance;
    final FltInstance[] postInstances = new FltInstance[32];
    final Object[] postContexts = new Object[32];
    int postCount;
    int state;
    final FltRelatedObjects related = new FltRelatedObjects();
    final CompletionContext completionContext = new CompletionContext();

    static final int STATE_IDLE = 0;
    static final int STATE_PRE = 1;
    static final int STATE_PRE_PENDED = 2;
    static final int STATE_BELOW = 3;
    static final int STATE_POST = 4;
    static final int STATE_POST_PENDED = 5;

    /** @return Flags, FLTFL_CALLBACK_DATA_* */
    public int flags() {
        return flags;
    }

    void flags(int flags) {
        this.flags = flags;
    }

    /** @return Iopb: function codes, target and parameters */
    public FltIoParameterBlock iopb() {
        return iopb;
    }

    /** @return IoStatus */
    public IoStatusBlock ioStatus() {
        return ioStatus;
    }

    /** @return RequestorMode (KernelMode 0, UserMode 1) */
    public int requestorMode() {
        return requestorMode;
    }

    void requestorMode(int mode) {
        this.requestorMode = mode;
    }

    /** @return whether FLTFL_CALLBACK_DATA_DIRTY is set ({@code FltIsCallbackDataDirty}) */
    public boolean isDirty() {
        return (flags & FLTFL_CALLBACK_DATA_DIRTY) != 0;
    }

    /** @return the IRP behind the operation (read-only use: tracing, tests) */
    public Irp irp() {
        return irp;
    }

    @Override
    public String toString() {
        return "FLT_CALLBACK_DATA{" + org.irpemu.irp.IrpMajorFunction.name(iopb.majorFunction()) + ", "
                + iopb.targetFileObject() + '}';
    }
}
