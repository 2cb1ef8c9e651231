package org.irpemu.irp;

/**
 * {@code DRIVER_DISPATCH}: a driver's routine for one major function, entered through
 * {@link Io#callDriver(DeviceObject, Irp)} with the driver's stack location current.
 *
 * <p>Return the NTSTATUS of the request. A routine that does not complete the IRP before returning
 * must call {@link Io#markIrpPending(Irp)} and return {@code STATUS_PENDING}; one that completes it
 * returns the same status it put in {@code IoStatus.Status}.
 */
@FunctionalInterface
public interface DriverDispatch {
    int dispatch(DeviceObject deviceObject, Irp irp);
}
