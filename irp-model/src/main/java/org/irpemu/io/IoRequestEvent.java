package org.irpemu.io;

import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;

/**
 * A ring slot: a preallocated IRP that the submitting thread fills (the Disruptor's translator role)
 * and the dispatcher sends down the device stack, or a cancel or close request.
 */
final class IoRequestEvent {
    static final int SUBMIT = 1;
    static final int CLOSE = 2;
    static final int CANCEL = 3;
    static final int CANCEL_FILE = 4;

    int type;
    int dispatcher;
    Irp irp = new Irp();
    DeviceObject device;
    Overlapped overlapped;
    FileObject fileObject;
    long generation;

    /** Drops references once the slot is processed, so that the ring does not keep garbage alive. */
    void clearReferences() {
        device = null;
        overlapped = null;
        fileObject = null;
    }
}
