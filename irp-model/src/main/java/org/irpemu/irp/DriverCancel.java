package org.irpemu.irp;

/**
 * {@code DRIVER_CANCEL}: the routine {@link Io#cancelIrp(Irp)} calls for a pending IRP that has one
 * set with {@link Io#setCancelRoutine(Irp, DriverCancel)}. It must take the IRP off whatever queue holds
 * it and complete it, normally with {@code STATUS_CANCELLED}.
 *
 * <p>irpemu runs cancellation on the dispatcher thread that owns the IRP's stream, so there is no
 * cancel spin lock: a cancel can never race a completion.
 */
@FunctionalInterface
public interface DriverCancel {
    void cancel(DeviceObject deviceObject, Irp irp);
}
