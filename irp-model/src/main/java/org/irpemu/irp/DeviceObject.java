package org.irpemu.irp;

/**
 * {@code DEVICE_OBJECT}: one device of a device stack. {@link #attachedDevice()} is the device above
 * (AttachedDevice), {@link #lowerDevice()} the one below (the AttachedTo of its extension);
 * {@link #stackSize()} is StackSize, the number of stack locations an IRP sent to it needs.
 */
public final class DeviceObject {
    private final DriverObject driverObject;
    private final String name;
    private Object deviceExtension;
    private DeviceObject attachedDevice;
    private DeviceObject lowerDevice;
    private int stackSize = 1;
    private IoSystem ioSystem;

    /**
     * {@code IoCreateDevice}.
     *
     * @param driverObject the owning driver
     * @param name the device name, for example {@code \Device\HarddiskVolume1}, or {@code null}
     * @param deviceExtension the driver-defined extension, or {@code null}
     */
    public DeviceObject(DriverObject driverObject, String name, Object deviceExtension) {
        this.driverObject = driverObject;
        this.name = name;
        this.deviceExtension = deviceExtension;
    }

    /** @return DriverObject */
    public DriverObject driverObject() {
        return driverObject;
    }

    /** @return the device name, possibly {@code null} */
    public String name() {
        return name;
    }

    /** @return DeviceExtension */
    public Object deviceExtension() {
        return deviceExtension;
    }

    public void deviceExtension(Object extension) {
        this.deviceExtension = extension;
    }

    /** @return AttachedDevice: the device attached above this one, or {@code null} */
    public DeviceObject attachedDevice() {
        return attachedDevice;
    }

    /** @return the device this one is attached to, or {@code null} for the bottom of the stack */
    public DeviceObject lowerDevice() {
        return lowerDevice;
    }

    /** @return StackSize */
    public int stackSize() {
        return stackSize;
    }

    /**
     * {@code IoAttachDeviceToDeviceStack}: attaches this device on top of the stack that
     * {@code target} belongs to.
     *
     * @return the device it was attached to (the previous top of the stack)
     * @throws IllegalStateException when this device is already attached
     */
    public DeviceObject attachToDeviceStack(DeviceObject target) {
        if (lowerDevice != null) {
            throw new IllegalStateException(this + " is already attached");
        }
        DeviceObject top = target.topOfStack();
        top.attachedDevice = this;
        this.lowerDevice = top;
        this.stackSize = top.stackSize + 1;
        this.ioSystem = top.ioSystem;
        return top;
    }

    /** {@code IoGetAttachedDevice}: the highest device of this device's stack. */
    public DeviceObject topOfStack() {
        DeviceObject d = this;
        while (d.attachedDevice != null) {
            d = d.attachedDevice;
        }
        return d;
    }

    /** @return the I/O system the device's stack is mounted in, or {@code null} before mounting */
    public IoSystem ioSystem() {
        return ioSystem;
    }

    /** Set by the I/O manager on every device of the stack when the stack is mounted. */
    public void ioSystem(IoSystem ioSystem) {
        for (DeviceObject d = this; d != null; d = d.lowerDevice) {
            d.ioSystem = ioSystem;
        }
        for (DeviceObject d = attachedDevice; d != null; d = d.attachedDevice) {
            d.ioSystem = ioSystem;
        }
    }

    @Override
    public String toString() {
        return name != null ? name : driverObject.driverName() + " device";
    }
}
