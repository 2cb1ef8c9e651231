package org.irpemu.irp;

/**
 * {@code DRIVER_OBJECT}: a driver's name and its dispatch table. Entries not set dispatch to a routine
 * that completes the IRP with {@code STATUS_INVALID_DEVICE_REQUEST}, as the I/O manager's default
 * ({@code IopInvalidDeviceRequest}) does.
 */
public final class DriverObject {
    private final String driverName;
    private final DriverDispatch[] majorFunction = new DriverDispatch[IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION + 1];

    /** @param driverName for example {@code \FileSystem\RefFs} */
    public DriverObject(String driverName) {
        this.driverName = driverName;
        java.util.Arrays.fill(majorFunction, Io.INVALID_DEVICE_REQUEST);
    }

    /** @return DriverName */
    public String driverName() {
        return driverName;
    }

    /** Sets {@code MajorFunction[major]}. */
    public DriverObject majorFunction(int major, DriverDispatch routine) {
        majorFunction[major] = routine == null ? Io.INVALID_DEVICE_REQUEST : routine;
        return this;
    }

    /** @return {@code MajorFunction[major]}, never null */
    public DriverDispatch majorFunction(int major) {
        return majorFunction[major];
    }

    @Override
    public String toString() {
        return driverName;
    }
}
