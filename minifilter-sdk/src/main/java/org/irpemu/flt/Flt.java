package org.irpemu.flt;

import org.irpemu.irp.FileObject;
import org.irpemu.irp.IoSystem;

/**
 * The Filter Manager routines minifilters call ({@code Flt*} of fltKernel.h), translated to Java names:
 * {@code FltCompletePendedPreOperation} is {@link #completePendedPreOperation}, and so on.
 *
 * <p>Threading: these may be called from any thread. Work on an operation always runs on the dispatcher
 * thread that owns the operation's stream: from that thread the routine runs at once, from any other it
 * is queued there.
 */
public final class Flt {
    private Flt() {
    }

    /**
     * {@code FltCompletePendedPreOperation}: resumes an operation a pre-operation callback pended.
     *
     * @param status FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_NO_CALLBACK or FLT_PREOP_COMPLETE (then
     *     {@code data.ioStatus()} holds the final status). PENDING, SYNCHRONIZE and DISALLOW_FASTIO are illegal
     *     here (WDK): the bug is reported to the I/O system and the operation fails with STATUS_UNSUCCESSFUL.
     *     Resuming an operation that is not pended is reported and ignored.
     * @param context the completion context for the post-operation callback (WITH_CALLBACK only)
     */
    public static void completePendedPreOperation(FltCallbackData data, int status, Object context) {
        FilterManager frame = data.frame;
        runOnOwner(data, () -> frame.resumePre(data, status, context));
    }

    /**
     * {@code FltCompletePendedPostOperation}: resumes completion of an operation whose post-operation
     * callback returned FLT_POSTOP_MORE_PROCESSING_REQUIRED.
     */
    public static void completePendedPostOperation(FltCallbackData data) {
        FilterManager frame = data.frame;
        runOnOwner(data, () -> frame.resumePost(data));
    }

    /**
     * {@code FltSetCallbackDataDirty}: declares that the filter changed the parameters of
     * {@code data.iopb()}; the instances below and the file system see the change.
     */
    public static void setCallbackDataDirty(FltCallbackData data) {
        data.flags(data.flags() | FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY);
    }

    /** {@code FltClearCallbackDataDirty}. */
    public static void clearCallbackDataDirty(FltCallbackData data) {
        data.flags(data.flags() & ~FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY);
    }

    /** {@code FltIsCallbackDataDirty}. */
    public static boolean isCallbackDataDirty(FltCallbackData data) {
        return data.isDirty();
    }

    private static void runOnOwner(FltCallbackData data, Runnable action) {
        IoSystem io = data.frame.ioSystem();
        FileObject fo = data.iopb().targetFileObject();
        int owner = fo == null ? 0 : fo.dispatcher();
        if (io == null || io.currentDispatcher() == owner) {
            action.run();
        } else {
            io.queueWorkItem(owner, context -> action.run(), null);
        }
    }
}
