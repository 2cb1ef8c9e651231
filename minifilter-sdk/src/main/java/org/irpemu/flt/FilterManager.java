package org.irpemu.flt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoCompletionRoutine;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;

/**
 * The Filter Manager's frame on one volume: a legacy filter device attached above the file system's
 * volume device that runs the registered minifilters' callbacks around every IRP — pre-operation
 * callbacks from the highest altitude down, then the file system, then post-operation callbacks from
 * the lowest altitude up — with FLT_PREOP_PENDING / {@link Flt#completePendedPreOperation} and
 * FLT_POSTOP_MORE_PROCESSING_REQUIRED / {@link Flt#completePendedPostOperation}.
 *
 * <p>Source: the WDK's Filter Manager pages (filter manager concepts, FLT_REGISTRATION, writing pre- and
 * post-operation callback routines, pending an I/O operation).
 */
public final class FilterManager {
    public static final String DRIVER_NAME = "\\FileSystem\\FltMgr";

    private final DriverObject driverObject = new DriverObject(DRIVER_NAME);
    private final DeviceObject volume;
    private final DeviceObject frameDevice;
    private final List<FltFilter> filters = new ArrayList<>();
    private volatile FltInstance[] instances = new FltInstance[0];
    private volatile DataPool[] pools = new DataPool[0];

    private final IoCompletionRoutine completion = (device, irp, context) -> completed(irp, (FltCallbackData) context);

    /**
     * Attaches the frame above a volume's file system device ({@code IoAttachDeviceToDeviceStack}).
     *
     * @param volumeDevice the file system's volume device (the bottom of the stack)
     */
    public FilterManager(DeviceObject volumeDevice) {
        this.volume = volumeDevice;
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            driverObject.majorFunction(major, this::dispatch);
        }
        this.frameDevice = new DeviceObject(driverObject, "\\FileSystem\\FltMgr frame", this);
        frameDevice.attachToDeviceStack(volumeDevice);
    }

    /** @return the volume's file system device */
    public DeviceObject volume() {
        return volume;
    }

    /** @return the frame's device, attached above the file system */
    public DeviceObject frameDevice() {
        return frameDevice;
    }

    /** {@code FltRegisterFilter}: registers a minifilter; it filters nothing until started and attached. */
    public synchronized FltFilter registerFilter(FltRegistration registration) {
        for (FltFilter f : filters) {
            if (f.name().equalsIgnoreCase(registration.name())) {
                throw new IllegalArgumentException("a filter named " + registration.name() + " is registered");
            }
        }
        FltFilter filter = new FltFilter(registration);
        filters.add(filter);
        return filter;
    }

    /** {@code FltStartFiltering}. */
    public void startFiltering(FltFilter filter) {
        filter.startFiltering();
    }

    /**
     * {@code FltAttachVolumeAtAltitude}: attaches an instance of the filter to the volume.
     *
     * @param altitude a decimal string; no two instances may share one
     * @throws IllegalArgumentException for a malformed or taken altitude
     */
    public synchronized FltInstance attachVolumeAtAltitude(FltFilter filter, String altitude, String instanceName) {
        FltInstance instance = new FltInstance(filter, volume, altitude, instanceName);
        for (FltInstance existing : instances) {
            if (existing.compareTo(instance) == 0) {
                throw new IllegalArgumentException("altitude " + altitude + " is taken by " + existing);
            }
        }
        FltInstance[] next = Arrays.copyOf(instances, instances.length + 1);
        next[next.length - 1] = instance;
        Arrays.sort(next);
        instances = next;
        return instance;
    }

    /** {@code FltDetachVolume}: operations already inside keep the instances they started with. */
    public synchronized void detachVolume(FltInstance instance) {
        List<FltInstance> next = new ArrayList<>(Arrays.asList(instances));
        next.remove(instance);
        instances = next.toArray(new FltInstance[0]);
    }

    /** @return the attached instances, highest altitude first */
    public List<FltInstance> instances() {
        return Collections.unmodifiableList(Arrays.asList(instances));
    }

    /** @return the registered filters */
    public synchronized List<FltFilter> filters() {
        return new ArrayList<>(filters);
    }

    // ---------------------------------------------------------------------------------------------
    // The frame
    // ---------------------------------------------------------------------------------------------

    private int dispatch(DeviceObject device, Irp irp) {
        FltInstance[] snapshot = instances;
        if (snapshot.length == 0) {
            Io.skipCurrentIrpStackLocation(irp);
            return Io.callDriver(volume, irp);
        }
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        FltCallbackData data = acquire();
        data.irp = irp;
        data.frame = this;
        data.instances = snapshot;
        data.nextPre = 0;
        data.postCount = 0;
        data.pendedInstance = null;
        data.state = FltCallbackData.STATE_PRE;
        data.flags(FltCallbackData.FLTFL_CALLBACK_DATA_IRP_OPERATION);
        data.requestorMode(irp.requestorMode());
        data.iopb().parameters().copyParametersFrom(sl);
        data.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        return runPre(data);
    }

    /** Calls the pre-operation callbacks from {@code data.nextPre} down, then the file system. */
    int runPre(FltCallbackData data) {
        int major = data.iopb().majorFunction();
        while (data.nextPre < data.instances.length) {
            FltInstance instance = data.instances[data.nextPre++];
            if (!instance.filter().isFiltering()) {
                continue;
            }
            FltOperationRegistration op = instance.filter().registration().operation(major);
            if (op == null) {
                continue;
            }
            int status = FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            data.completionContext.clear();
            if (op.preOperation() != null) {
                data.iopb().targetInstance(instance);
                data.related.set(instance, data.iopb().targetFileObject());
                status = op.preOperation().preOperation(data, data.related, data.completionContext);
            }
            switch (status) {
                case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK:
                case FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE:
                    if (op.postOperation() != null) {
                        pushPost(data, instance, data.completionContext.get());
                    }
                    break;
                case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK:
                case FltPreopCallbackStatus.FLT_PREOP_DISALLOW_FASTIO:
                    break;
                case FltPreopCallbackStatus.FLT_PREOP_PENDING:
                    data.pendedInstance = instance;
                    data.state = FltCallbackData.STATE_PRE_PENDED;
                    Io.markIrpPending(data.irp);
                    return NtStatus.STATUS_PENDING;
                case FltPreopCallbackStatus.FLT_PREOP_COMPLETE:
                    return completeFromPre(data);
                default:
                    return failOperation(data, instance + " returned " + FltPreopCallbackStatus.name(status)
                            + " from its " + IrpMajorFunction.name(major) + " pre-operation callback");
            }
        }
        return sendDown(data);
    }

    private static void pushPost(FltCallbackData data, FltInstance instance, Object context) {
        data.postInstances[data.postCount] = instance;
        data.postContexts[data.postCount] = context;
        data.postCount++;
    }

    private int sendDown(FltCallbackData data) {
        Irp irp = data.irp;
        data.state = FltCallbackData.STATE_BELOW;
        IoStackLocation next = Io.getNextIrpStackLocation(irp);
        next.copyParametersFrom(data.iopb().parameters());
        if (data.postCount == 0) {
            release(data);
            return Io.callDriver(volume, irp);
        }
        Io.setCompletionRoutine(irp, completion, data, true, true, true);
        return Io.callDriver(volume, irp);
    }

    /** A pre-operation callback returned FLT_PREOP_COMPLETE: post callbacks of the instances above, then done. */
    private int completeFromPre(FltCallbackData data) {
        int status = data.ioStatus().status();
        data.state = FltCallbackData.STATE_POST;
        if (runPost(data)) {
            finish(data);
        }
        return status;
    }

    /** The file system completed the IRP. */
    private int completed(Irp irp, FltCallbackData data) {
        data.ioStatus().copyFrom(irp.ioStatus());
        data.state = FltCallbackData.STATE_POST;
        if (!runPost(data)) {
            return NtStatus.STATUS_MORE_PROCESSING_REQUIRED;
        }
        irp.ioStatus().copyFrom(data.ioStatus());
        release(data);
        return Io.STATUS_CONTINUE_COMPLETION;
    }

    /**
     * Calls the pending post-operation callbacks, lowest altitude first.
     *
     * @return true when all ran; false when one returned MORE_PROCESSING_REQUIRED
     */
    boolean runPost(FltCallbackData data) {
        while (data.postCount > 0) {
            int i = --data.postCount;
            FltInstance instance = data.postInstances[i];
            Object context = data.postContexts[i];
            data.postInstances[i] = null;
            data.postContexts[i] = null;
            FltOperationRegistration op = instance.filter().registration().operation(data.iopb().majorFunction());
            data.iopb().targetInstance(instance);
            data.related.set(instance, data.iopb().targetFileObject());
            int status = op.postOperation().postOperation(data, data.related, context, 0);
            if (status == FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
                data.state = FltCallbackData.STATE_POST_PENDED;
                return false;
            }
            if (status != FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING) {
                // Completion cannot stop half-way: report the bug and go on as if FINISHED_PROCESSING.
                report(instance + " returned " + FltPostopCallbackStatus.name(status)
                        + " from its post-operation callback");
            }
        }
        return true;
    }

    /** Completes the IRP with the callback data's status after the post callbacks (resumed or FLT_PREOP_COMPLETE). */
    void finish(FltCallbackData data) {
        Irp irp = data.irp;
        irp.ioStatus().copyFrom(data.ioStatus());
        release(data);
        Io.completeRequest(irp);
    }

    /**
     * A filter broke a rule the operation cannot survive: the bug is reported and the operation fails with
     * STATUS_UNSUCCESSFUL (post-operation callbacks of the instances above still run), so that no caller
     * hangs.
     */
    private int failOperation(FltCallbackData data, String problem) {
        report(problem);
        data.ioStatus().set(NtStatus.STATUS_UNSUCCESSFUL, 0);
        return completeFromPre(data);
    }

    private void report(String problem) {
        IoSystem io = ioSystem();
        IllegalStateException e = new IllegalStateException(problem);
        if (io == null) {
            throw e;
        }
        io.reportFailure(e);
    }

    /** {@link Flt#completePendedPreOperation}, on the stream's dispatcher thread. */
    void resumePre(FltCallbackData data, int status, Object context) {
        if (data.state != FltCallbackData.STATE_PRE_PENDED) {
            report("FltCompletePendedPreOperation on an operation that is not pended: " + data);
            return;
        }
        data.state = FltCallbackData.STATE_PRE;
        FltInstance instance = data.pendedInstance;
        data.pendedInstance = null;
        switch (status) {
            case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK:
                FltOperationRegistration op = instance.filter().registration().operation(data.iopb().majorFunction());
                if (op.postOperation() != null) {
                    pushPost(data, instance, context);
                }
                runPre(data);
                break;
            case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK:
                runPre(data);
                break;
            case FltPreopCallbackStatus.FLT_PREOP_COMPLETE:
                completeFromPre(data);
                break;
            default:
                // The WDK: CallbackStatus cannot be FLT_PREOP_PENDING, FLT_PREOP_SYNCHRONIZE or DISALLOW_FASTIO.
                failOperation(data, instance + ": FltCompletePendedPreOperation with "
                        + FltPreopCallbackStatus.name(status));
                break;
        }
    }

    /** {@link Flt#completePendedPostOperation}, on the stream's dispatcher thread. */
    void resumePost(FltCallbackData data) {
        if (data.state != FltCallbackData.STATE_POST_PENDED) {
            report("FltCompletePendedPostOperation on an operation that is not pended: " + data);
            return;
        }
        data.state = FltCallbackData.STATE_POST;
        if (runPost(data)) {
            finish(data);
        }
    }

    IoSystem ioSystem() {
        return volume.ioSystem();
    }

    // ---------------------------------------------------------------------------------------------
    // Callback data, one pool per dispatcher thread
    // ---------------------------------------------------------------------------------------------

    private static final class DataPool {
        FltCallbackData[] spare = new FltCallbackData[64];
        int size;
    }

    private DataPool pool() {
        IoSystem io = ioSystem();
        int d = io == null ? 0 : Math.max(0, io.currentDispatcher());
        DataPool[] p = pools;
        if (d >= p.length) {
            synchronized (this) {
                p = pools;
                if (d >= p.length) {
                    DataPool[] bigger = Arrays.copyOf(p, Math.max(d + 1, io == null ? 1 : io.dispatcherCount()));
                    for (int i = 0; i < bigger.length; i++) {
                        if (bigger[i] == null) {
                            bigger[i] = new DataPool();
                        }
                    }
                    pools = bigger;
                    p = bigger;
                }
            }
        }
        return p[d];
    }

    private FltCallbackData acquire() {
        DataPool p = pool();
        if (p.size == 0) {
            return new FltCallbackData();
        }
        FltCallbackData d = p.spare[--p.size];
        p.spare[p.size] = null;
        return d;
    }

    private void release(FltCallbackData data) {
        data.irp = null;
        data.instances = null;
        data.state = FltCallbackData.STATE_IDLE;
        data.iopb().parameters().fileObject(null).targetFileObject(null);
        DataPool p = pool();
        if (p.size == p.spare.length) {
            p.spare = Arrays.copyOf(p.spare, p.size * 2);
        }
        p.spare[p.size++] = data;
    }
}
