package org.irpemu.irp;

import org.irpemu.status.NtStatus;

/**
 * The I/O manager's routines for drivers: {@code IoCallDriver}, {@code IoCompleteRequest},
 * {@code IoMarkIrpPending}, stack-location handling, completion routines and cancellation.
 *
 * <p>Threading: every routine here runs on the dispatcher thread that owns the IRP's stream (see the
 * architecture page); nothing here blocks or locks. Cancellation needs no cancel spin lock because a
 * cancel is delivered on that same thread.
 */
public final class Io {
    /** {@code STATUS_CONTINUE_COMPLETION}: a completion routine lets completion go on (equals STATUS_SUCCESS). */
    public static final int STATUS_CONTINUE_COMPLETION = NtStatus.STATUS_SUCCESS;

    /** The dispatch routine drivers get for major functions they do not handle. */
    public static final DriverDispatch INVALID_DEVICE_REQUEST = (device, irp) -> {
        irp.ioStatus().set(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        completeRequest(irp);
        return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
    };

    private Io() {
    }

    /**
     * {@code IoGetCurrentIrpStackLocation}: the location of the driver the IRP is dispatched to (in a
     * completion routine: of the driver that set the routine).
     *
     * @throws IllegalStateException when the IRP has not been dispatched yet
     */
    public static IoStackLocation getCurrentIrpStackLocation(Irp irp) {
        if (irp.currentLocation >= irp.stackCount) {
            throw new IllegalStateException(irp + " has no current stack location");
        }
        return irp.stackLocation(irp.currentLocation);
    }

    /**
     * {@code IoGetNextIrpStackLocation}: the location of the next-lower driver, which the caller fills
     * before {@link #callDriver}.
     *
     * @throws IllegalStateException when there is no lower location ({@code NO_MORE_IRP_STACK_LOCATIONS})
     */
    public static IoStackLocation getNextIrpStackLocation(Irp irp) {
        if (irp.currentLocation == 0) {
            throw new IllegalStateException("NO_MORE_IRP_STACK_LOCATIONS: " + irp);
        }
        return irp.stackLocation(irp.currentLocation - 1);
    }

    /** {@code IoCopyCurrentIrpStackLocationToNext}: the next location gets the current parameters, no completion routine. */
    public static void copyCurrentIrpStackLocationToNext(Irp irp) {
        IoStackLocation next = getNextIrpStackLocation(irp);
        next.copyParametersFrom(getCurrentIrpStackLocation(irp));
        next.completionRoutine = null;
        next.context = null;
        next.control = 0;
    }

    /**
     * {@code IoAllocateIrp}: a new IRP with {@code stackSize} locations, not associated with any caller;
     * the allocating driver completes it to {@code sink} (its own completion), or {@code null}.
     */
    public static Irp allocateIrp(int stackSize, IrpCompletionSink sink) {
        Irp irp = new Irp();
        irp.initialize(stackSize, 0, null, sink);
        irp.requestorMode(Irp.KERNEL_MODE);
        return irp;
    }

    /** {@code IoSetNextIrpStackLocation}: makes the next-lower location current, as IoCallDriver does. */
    public static void setNextIrpStackLocation(Irp irp) {
        getNextIrpStackLocation(irp);
        irp.currentLocation--;
    }

    /** {@code IoSkipCurrentIrpStackLocation}: the lower driver will see this driver's location as its own. */
    public static void skipCurrentIrpStackLocation(Irp irp) {
        irp.currentLocation++;
    }

    /**
     * {@code IoSetCompletionRoutine}: sets a routine in the next-lower location, called when the lower
     * driver completes the IRP.
     */
    public static void setCompletionRoutine(Irp irp, IoCompletionRoutine routine, Object context,
            boolean invokeOnSuccess, boolean invokeOnError, boolean invokeOnCancel) {
        IoStackLocation next = getNextIrpStackLocation(irp);
        next.completionRoutine = routine;
        next.context = context;
        next.control = (invokeOnSuccess ? IoStackLocation.SL_INVOKE_ON_SUCCESS : 0)
                | (invokeOnError ? IoStackLocation.SL_INVOKE_ON_ERROR : 0)
                | (invokeOnCancel ? IoStackLocation.SL_INVOKE_ON_CANCEL : 0);
    }

    /**
     * {@code IoCallDriver}: moves to the next-lower location and calls the device's dispatch routine for
     * that location's major function.
     *
     * @return what the dispatch routine returned: the final status, or STATUS_PENDING
     * @throws IllegalStateException when the IRP has no stack location left
     */
    public static int callDriver(DeviceObject device, Irp irp) {
        if (irp.completed) {
            throw new IllegalStateException(irp + " is used after its completion");
        }
        IoStackLocation sl = getNextIrpStackLocation(irp);
        irp.currentLocation--;
        sl.deviceObject = device;
        return device.driverObject().majorFunction(sl.majorFunction).dispatch(device, irp);
    }

    /** {@code IoMarkIrpPending}: the current driver will return STATUS_PENDING. */
    public static void markIrpPending(Irp irp) {
        getCurrentIrpStackLocation(irp).control |= IoStackLocation.SL_PENDING_RETURNED;
    }

    /**
     * {@code IoCompleteRequest}: the current driver is done with the IRP. Completion routines run from
     * the current location upward; a routine that returns STATUS_MORE_PROCESSING_REQUIRED stops the walk
     * and owns the IRP until it calls this again. When the walk reaches the top, the IRP goes to the I/O
     * manager's final completion and must not be touched again.
     *
     * @throws IllegalStateException when the IRP was already completed (a double completion, which
     *     bugchecks Windows with MULTIPLE_IRP_COMPLETE_REQUESTS), or when its status is STATUS_PENDING
     */
    public static void completeRequest(Irp irp) {
        if (irp.completed) {
            throw new IllegalStateException("MULTIPLE_IRP_COMPLETE_REQUESTS: " + irp);
        }
        int status = irp.ioStatus().status();
        if (status == NtStatus.STATUS_PENDING) {
            throw new IllegalStateException(irp + " completed with STATUS_PENDING");
        }
        irp.cancelRoutine = null;
        int loc = irp.currentLocation;
        while (loc < irp.stackCount) {
            IoStackLocation sl = irp.stackLocation(loc);
            irp.pendingReturned = (sl.control & IoStackLocation.SL_PENDING_RETURNED) != 0;
            IoCompletionRoutine routine = sl.completionRoutine;
            Object context = sl.context;
            boolean invoke = routine != null
                    && ((NtStatus.ntSuccess(status) && (sl.control & IoStackLocation.SL_INVOKE_ON_SUCCESS) != 0)
                    || (!NtStatus.ntSuccess(status) && (sl.control & IoStackLocation.SL_INVOKE_ON_ERROR) != 0)
                    || (irp.cancel && (sl.control & IoStackLocation.SL_INVOKE_ON_CANCEL) != 0));
            sl.completionRoutine = null;
            sl.context = null;
            loc++;
            irp.currentLocation = loc;
            if (invoke) {
                DeviceObject upper = loc < irp.stackCount ? irp.stackLocation(loc).deviceObject : null;
                if (routine.complete(upper, irp, context) == NtStatus.STATUS_MORE_PROCESSING_REQUIRED) {
                    return;
                }
                status = irp.ioStatus().status();
            } else if (irp.pendingReturned && loc < irp.stackCount) {
                // No routine to do it: propagate the pending mark to the driver above, as the I/O manager does.
                irp.stackLocation(loc).control |= IoStackLocation.SL_PENDING_RETURNED;
            }
        }
        irp.completed = true;
        IrpCompletionSink sink = irp.completionSink();
        if (sink != null) {
            sink.irpCompleted(irp);
        }
    }

    /**
     * Completes the IRP with a status and information; the common tail of a dispatch routine.
     *
     * @return {@code status}, for {@code return Io.completeRequest(irp, status, 0);}
     */
    public static int completeRequest(Irp irp, int status, long information) {
        irp.ioStatus().set(status, information);
        completeRequest(irp);
        return status;
    }

    /**
     * {@code IoSetCancelRoutine}: sets (or with {@code null} clears) the routine {@link #cancelIrp} calls.
     *
     * @return the previous routine; {@code null} from a clearing call means the IRP is being cancelled
     *     and the cancel routine owns it
     */
    public static DriverCancel setCancelRoutine(Irp irp, DriverCancel routine) {
        DriverCancel previous = irp.cancelRoutine;
        irp.cancelRoutine = routine;
        return previous;
    }

    /**
     * {@code IoCancelIrp}: marks the IRP cancelled and calls its cancel routine, if it has one.
     *
     * @return whether a cancel routine was called
     */
    public static boolean cancelIrp(Irp irp) {
        if (irp.completed) {
            return false;
        }
        irp.cancel = true;
        DriverCancel routine = setCancelRoutine(irp, null);
        if (routine == null) {
            return false;
        }
        DeviceObject device = irp.currentLocation < irp.stackCount
                ? irp.stackLocation(irp.currentLocation).deviceObject : null;
        routine.cancel(device, irp);
        return true;
    }
}
