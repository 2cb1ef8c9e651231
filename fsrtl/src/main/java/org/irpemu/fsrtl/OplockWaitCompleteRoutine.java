package org.irpemu.fsrtl;

import org.irpemu.irp.Irp;

/**
 * {@code OPLOCK_WAIT_COMPLETE_ROUTINE}: called when an IRP that the oplock package parked may go on —
 * the break it waited for was acknowledged, or the holder's handle closed — with
 * {@code Irp.IoStatus.Status} STATUS_SUCCESS, or when the parked IRP was cancelled, with
 * STATUS_CANCELLED. The routine owns the IRP again: it re-drives the request (FastFAT's
 * {@code FatOplockComplete} posts it to a worker) or completes it.
 *
 * <p>Called on the dispatcher thread that owns the stream, after the oplock package has finished the
 * call that released the IRP.
 */
@FunctionalInterface
public interface OplockWaitCompleteRoutine {
    void complete(Object context, Irp irp);
}
