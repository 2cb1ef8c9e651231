package org.irpemu.flt;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fsrtl.OplockIrpCompleter;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.Irp;

/**
 * {@code FLT_CALLBACK_DATA}: one operation as minifilters see it. {@link #iopb()} holds its parameters,
 * {@link #ioStatus()} its status (set it before returning FLT_PREOP_COMPLETE; it holds the final status
 * in post-operation callbacks). The operation's buffers are the IRP's: {@link #systemBuffer()} for
 * METHOD_BUFFERED requests (FSCTLs, information classes), {@link #userBuffer()} for reads and writes.
 *
 * <p>The Filter Manager reuses callback data objects when no verifier runs; a filter must not keep one
 * after its operation completed (the verifier reports a use after completion).
 */
public final class FltCallbackData implements OplockIrpCompleter {
    /** Flags: the operation is an IRP. */
    public static final int FLTFL_CALLBACK_DATA_IRP_OPERATION = 0x00000001;
    /** Flags: the operation is fast I/O. */
    public static final int FLTFL_CALLBACK_DATA_FAST_IO_OPERATION = 0x00000002;
    /** Flags: the operation was issued by a filter (FltCreateFile and friends). */
    public static final int FLTFL_CALLBACK_DATA_GENERATED_IO = 0x00010000;
    /** Flags: the post-operation callback is running while the instance drains. */
    public static final int FLTFL_CALLBACK_DATA_DRAINING_IO = 0x00040000;
    /** Flags: set during post-operation callbacks. */
    public static final int FLTFL_CALLBACK_DATA_POST_OPERATION = 0x00080000;
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

    /** In-flight list of the dispatcher that acquired it ({@code home}); -1 when not on a list. */
    FltCallbackData activePrev;
    FltCallbackData activeNext;
    int home = -1;

    /** With the verifier: the parameters before a callback, to catch changes made without FltSetCallbackDataDirty. */
    IoStackLocation snapshot;

    /**
     * Changes marked dirty, in the order made (highest instance first): the instance and the parameters
     * after its change. The parameters before change {@code k} are those after change {@code k - 1}, or
     * the frame's own IRP stack location for the first.
     */
    private FltInstance[] dirtyInstances;
    private IoStackLocation[] dirtyAfter;
    int dirtyCount;

    // Filter-initiated I/O (FltAllocateCallbackData, FltCreateFileEx2, FltReadFile, ...).
    boolean generated;
    FltInstance initiatingInstance;
    FltCompletedAsyncIoCallback asyncCallback;
    Object asyncContext;
    /** The synchronous caller gave up waiting (it would have blocked its dispatcher thread). */
    volatile boolean abandoned;
    /** The cleanup of an FltClose: an abandoned one is followed by the close when it completes. */
    boolean closeAfterCleanup;
    volatile boolean generatedDone;
    /** Signalled when synchronous filter-initiated I/O handed to a dispatcher completes. */
    volatile java.util.concurrent.CountDownLatch syncWaiter;

    /** A pre-operation callback is running; a resume now is the WDK's race with returning FLT_PREOP_PENDING. */
    boolean inPreCallback;
    boolean earlyResume;
    int earlyStatus;
    Object earlyContext;
    String earlySite;

    // FltCheckOplock and friends while the operation waits on an oplock.
    FltOplockWaitCompleteRoutine oplockWait;
    FltOplockPrePostCallbackDataRoutine oplockPrePost;
    Object oplockContext;
    /**
     * A Flt oplock routine is running with this callback data: a hand-back the oplock package makes before
     * it returns (a request cancelled before it could be kept) is recorded in {@code oplockHandedBack} and
     * acted on by the routine once the filter can pend the operation (see {@code FltOplocks}).
     */
    boolean oplockCallActive;
    boolean oplockHandedBack;

    static final int STATE_IDLE = 0;
    static final int STATE_PRE = 1;
    static final int STATE_PRE_PENDED = 2;
    static final int STATE_BELOW = 3;
    static final int STATE_POST = 4;
    static final int STATE_POST_PENDED = 5;
    /** With the verifier: the operation is over and the object is never reused. */
    static final int STATE_FREED = 6;

    /** A pre-operation callback of {@code instance} changed the parameters and marked them dirty. */
    void recordDirty(FltInstance instance) {
        if (dirtyInstances == null) {
            dirtyInstances = new FltInstance[4];
            dirtyAfter = new IoStackLocation[4];
        } else if (dirtyCount == dirtyInstances.length) {
            dirtyInstances = java.util.Arrays.copyOf(dirtyInstances, dirtyCount * 2);
            dirtyAfter = java.util.Arrays.copyOf(dirtyAfter, dirtyCount * 2);
        }
        IoStackLocation after = dirtyAfter[dirtyCount];
        if (after == null) {
            after = new IoStackLocation();
            dirtyAfter[dirtyCount] = after;
        }
        after.copyParametersFrom(iopb.parameters());
        dirtyInstances[dirtyCount++] = instance;
    }

    /**
     * Before the post-operation callback of {@code instance} (null: after the last): puts back the
     * parameters as they were before every change made at or below it.
     */
    void restoreOriginalsFor(FltInstance instance) {
        while (dirtyCount > 0) {
            FltInstance changer = dirtyInstances[dirtyCount - 1];
            if (instance != null && changer != instance && !changer.isBelow(instance)) {
                return;
            }
            dirtyCount--;
            dirtyInstances[dirtyCount] = null;
            IoStackLocation before = dirtyCount == 0 ? frameParameters() : dirtyAfter[dirtyCount - 1];
            iopb.parameters().copyParametersFrom(before);
        }
    }

    /** The frame's own stack location in the IRP, set when the frame receives the operation. */
    int frameLocation = -1;

    /** @return the frame's own location: the original function codes and parameters */
    private IoStackLocation frameParameters() {
        return frameLocation >= 0 ? irp.stackLocation(frameLocation) : org.irpemu.irp.Io.getCurrentIrpStackLocation(irp);
    }

    /**
     * The parameters the post-operation callback of {@code instance} is owed (as it received them in its
     * pre-operation callback), without undoing anything: for a drained callback, while the operation is still
     * below with the changed parameters.
     */
    IoStackLocation originalsFor(FltInstance instance) {
        for (int k = dirtyCount - 1; k >= 0; k--) {
            FltInstance changer = dirtyInstances[k];
            if (changer != instance && !changer.isBelow(instance)) {
                return dirtyAfter[k]; // the last change made above the instance
            }
        }
        return frameParameters();
    }

    void clearDirtyRecords() {
        while (dirtyCount > 0) {
            dirtyInstances[--dirtyCount] = null;
        }
    }

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

    /** @return whether the operation came from a minifilter ({@code FLTFL_CALLBACK_DATA_GENERATED_IO}) */
    public boolean isGeneratedIo() {
        return (flags & FLTFL_CALLBACK_DATA_GENERATED_IO) != 0;
    }

    /**
     * @return {@code Parameters.*.SystemBuffer} ({@code Irp->AssociatedIrp.SystemBuffer}): the input, then
     *     the output, of a METHOD_BUFFERED request, little-endian
     */
    public UnsafeBuffer systemBuffer() {
        return irp.systemBuffer();
    }

    /**
     * Grows the system buffer of filter-initiated I/O before it is filled.
     *
     * @param capacity bytes
     * @return the system buffer
     */
    public UnsafeBuffer ensureSystemBuffer(int capacity) {
        return irp.ensureSystemBuffer(capacity);
    }

    /** @return the read or write buffer ({@code Parameters.Read.ReadBuffer} / {@code Write.WriteBuffer}), or {@code null} */
    public MutableDirectBuffer userBuffer() {
        return irp.userBuffer();
    }

    /** @return the offset of the operation's data in {@link #userBuffer()}, bytes */
    public int userBufferOffset() {
        return irp.userBufferOffset();
    }

    /** Sets the read or write buffer of filter-initiated I/O. */
    public void userBuffer(MutableDirectBuffer buffer, int offset) {
        irp.userBuffer(buffer, offset);
    }

    /** @return the IRP behind the operation (read-only use: tracing, tests) */
    public Irp irp() {
        return irp;
    }

    /**
     * The oplock package hands back the IRP of an {@code FltOplockFsctrl} request this callback data
     * stands for (a granted oplock that broke or was cancelled, a break-notify request): the pended
     * operation completes with the IRP's status, as {@code FltCompletePendedPreOperation(FLT_PREOP_COMPLETE)}.
     */
    @Override
    public void completeIrp(Irp completed) {
        if (oplockCallActive) {
            oplockHandedBack = true; // FltOplockFsctrl returns FLT_PREOP_COMPLETE instead of pending it
            return;
        }
        frame.oplockRequestCompleted(this);
    }

    @Override
    public String toString() {
        return "FLT_CALLBACK_DATA{" + org.irpemu.irp.IrpMajorFunction.name(iopb.majorFunction()) + ", "
                + iopb.targetFileObject() + '}';
    }
}
