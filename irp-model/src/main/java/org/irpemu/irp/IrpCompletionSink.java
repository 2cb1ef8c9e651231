package org.irpemu.irp;

/**
 * Where an IRP goes when {@link Io#completeRequest(Irp)} has run every completion routine: the I/O
 * manager's final completion (copy-back of buffered output, the caller's IO_STATUS_BLOCK, its event or
 * completion port). Implemented by the I/O manager, and by drivers that build their own IRPs.
 */
@FunctionalInterface
public interface IrpCompletionSink {
    void irpCompleted(Irp irp);
}
