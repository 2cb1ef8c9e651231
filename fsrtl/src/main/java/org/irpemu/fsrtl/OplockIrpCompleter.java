package org.irpemu.fsrtl;

import org.irpemu.irp.Irp;

/**
 * How the oplock package hands back an IRP it held — a granted oplock request when it breaks or is
 * cancelled, an FSCTL_OPLOCK_BREAK_NOTIFY request when the break ends. File systems ({@code FsRtl*})
 * leave it to {@code IoCompleteRequest}; the Filter Manager ({@code FltOplockFsctrl}) resumes the
 * callback data its minifilter pended, as {@code FltCompletePendedPreOperation(FLT_PREOP_COMPLETE)}.
 *
 * <p>Called on the stream's dispatcher thread, with {@code irp.ioStatus()} and the output buffer filled.
 */
@FunctionalInterface
public interface OplockIrpCompleter {
    /** @param irp the IRP whose operation is over; its IoStatus holds the final status and information */
    void completeIrp(Irp irp);
}
