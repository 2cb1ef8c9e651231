package org.irpemu.io;

import org.irpemu.irp.Irp;

/**
 * Observes requests as they enter the device stack and as they complete, on the dispatcher thread.
 * Used for traces; must not block or submit requests. Implementations are called only when installed,
 * so an emulator without a listener pays nothing.
 */
public interface IoEventListener {
    /** The I/O manager is about to send {@code irp} to the top of the device stack. */
    void irpDispatched(Irp irp, Overlapped overlapped);

    /**
     * The IRP finished completing; {@code irp.ioStatus()} holds its final status.
     *
     * @param overlapped the caller's object, or {@code null} for an IRP the I/O manager issued itself
     */
    void irpCompleted(Irp irp, Overlapped overlapped);

    /** A cancel request reached the dispatcher; {@code irp} is {@code null} when nothing was left to cancel. */
    default void cancelRequested(Overlapped overlapped, Irp irp) {
    }
}
