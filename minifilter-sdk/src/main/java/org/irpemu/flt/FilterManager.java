package org.irpemu.flt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.irpemu.fsrtl.BlockingWaitException;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverObject;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoCompletionRoutine;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;

/**
 * The Filter Manager's frame on one volume: a legacy filter device attached above the file system's
 * volume device that runs the registered minifilters' callbacks around every IRP — pre-operation
 * callbacks from the highest altitude down, then the file system, then post-operation callbacks from
 * the lowest altitude up — with FLT_PREOP_PENDING / {@link Flt#completePendedPreOperation} and
 * FLT_POSTOP_MORE_PROCESSING_REQUIRED / {@link Flt#completePendedPostOperation}; instance setup and
 * teardown with draining; filter-initiated I/O sent to the instances below its initiator.
 *
 * <p>Parameters a pre-operation callback changes and marks with {@link Flt#setCallbackDataDirty} reach the
 * instances below and the file system; the changing instance and those above see the original parameters
 * again in their post-operation callbacks. The frame clears the dirty flag after acting on it.
 *
 * <p>Source: the WDK's Filter Manager pages (filter manager concepts, FLT_REGISTRATION, writing pre- and
 * post-operation callback routines, pending an I/O operation, loading and unloading, contexts).
 */
public final class FilterManager {
    public static final String DRIVER_NAME = "\\FileSystem\\FltMgr";
    /** How long an instance teardown waits for pended operations when no verifier says otherwise, ms. */
    static final long DEFAULT_TEARDOWN_TIMEOUT_MILLIS = 30_000;

    private final DriverObject driverObject = new DriverObject(DRIVER_NAME);
    private final DeviceObject volume;
    private final DeviceObject frameDevice;
    private final List<FltFilter> filters = new ArrayList<>();
    private volatile FltInstance[] instances = new FltInstance[0];
    private volatile DataPool[] pools = new DataPool[0];
    private volatile FltVerifier verifier;
    private volatile OplockObserver oplockObserver;
    /** Guards every context link (see {@link FltContexts}). */
    final Object contextLock = new Object();

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

    /**
     * Installs the minifilter verifier (before the first request; {@code null} removes it). With a
     * verifier, callback data is never reused and every check of {@link FltVerifier.Rule} is made.
     */
    public void verifier(FltVerifier verifier) {
        this.verifier = verifier;
        if (verifier != null) {
            verifier.frame(this);
        }
    }

    /** @return the verifier, or {@code null} */
    public FltVerifier verifier() {
        return verifier;
    }

    /** Observes the oplocks minifilters initialize ({@code FltInitializeOplock}): traces, the verifier. */
    public void oplockObserver(OplockObserver observer) {
        this.oplockObserver = observer;
    }

    /** @return the observer given to minifilters' oplocks, or {@code null} */
    public OplockObserver oplockObserver() {
        return oplockObserver;
    }

    // ---------------------------------------------------------------------------------------------
    // Registration, attachment, teardown
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code FltRegisterFilter}: registers a minifilter; it filters nothing until started and attached.
     *
     * @throws IllegalArgumentException when a filter of that name is registered
     */
    public synchronized FltFilter registerFilter(FltRegistration registration) {
        for (FltFilter f : filters) {
            if (f.name().equalsIgnoreCase(registration.name())) {
                throw new IllegalArgumentException("a filter named " + registration.name() + " is registered");
            }
        }
        FltFilter filter = new FltFilter(this, registration);
        filters.add(filter);
        return filter;
    }

    /** {@code FltStartFiltering}. */
    public void startFiltering(FltFilter filter) {
        filter.startFiltering();
    }

    /**
     * {@code FltAttachVolumeAtAltitude}: attaches an instance of the filter to the volume, after its
     * InstanceSetupCallback (FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT) agrees.
     *
     * @param altitude a decimal string; no two instances may share one
     * @return the instance, or {@code null} when the InstanceSetupCallback returned an error
     *     (STATUS_FLT_DO_NOT_ATTACH)
     * @throws IllegalArgumentException for a malformed or taken altitude (STATUS_FLT_INSTANCE_ALTITUDE_COLLISION),
     *     a taken instance name (STATUS_FLT_INSTANCE_NAME_COLLISION) or a filter being unloaded
     */
    public FltInstance attachVolumeAtAltitude(FltFilter filter, String altitude, String instanceName) {
        FltInstance instance = new FltInstance(this, filter, volume, altitude, instanceName);
        synchronized (this) {
            if (filter.unregistering) {
                throw new IllegalArgumentException(filter + " is being unloaded");
            }
            for (FltInstance existing : instances) {
                if (existing.compareTo(instance) == 0) {
                    throw new IllegalArgumentException("altitude " + altitude + " is taken by " + existing);
                }
                if (existing.name().equalsIgnoreCase(instanceName)) {
                    throw new IllegalArgumentException("an instance named " + instanceName + " is attached");
                }
            }
        }
        FltInstanceSetupCallback setup = filter.registration().instanceSetup();
        if (setup != null) {
            FltRelatedObjects objects = new FltRelatedObjects();
            objects.set(instance, null);
            int status;
            try {
                status = setup.setup(objects, FltInstanceSetupCallback.FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT,
                        FltInstanceSetupCallback.FILE_DEVICE_DISK_FILE_SYSTEM, FltInstanceSetupCallback.FLT_FSTYPE_NTFS);
            } catch (RuntimeException e) {
                report(FltVerifier.Rule.CALLBACK_EXCEPTION, filter, FltVerifier.siteOf(e),
                        "InstanceSetupCallback threw " + e, false);
                status = NtStatus.STATUS_FLT_DO_NOT_ATTACH;
            }
            if (!NtStatus.ntSuccess(status)) {
                abandon(instance);
                return null;
            }
        }
        synchronized (this) {
            for (FltInstance existing : instances) {
                if (existing.compareTo(instance) == 0) {
                    abandon(instance);
                    throw new IllegalArgumentException("altitude " + altitude + " is taken by " + existing);
                }
            }
            FltInstance[] next = Arrays.copyOf(instances, instances.length + 1);
            next[next.length - 1] = instance;
            Arrays.sort(next);
            instances = next;
        }
        return instance;
    }

    /** An instance that never got attached: what its setup callback set (an instance context) goes with it. */
    private static void abandon(FltInstance instance) {
        instance.state = FltInstance.DETACHED;
        FltContexts.instanceTornDown(instance);
    }

    /**
     * {@code FltDetachVolume}: detaches an instance by hand, if its InstanceQueryTeardownCallback agrees,
     * and tears it down (FLTFL_INSTANCE_TEARDOWN_MANUAL). Call from a thread that is not a dispatcher
     * thread: it waits for the instance's operations to drain.
     *
     * @return STATUS_SUCCESS; STATUS_FLT_DO_NOT_DETACH when the filter has no InstanceQueryTeardownCallback,
     *     or what that callback returned when it refused; STATUS_FLT_DELETING_OBJECT when the instance is
     *     already being torn down; STATUS_CANT_WAIT on a dispatcher thread
     */
    public int detachVolume(FltInstance instance) {
        FltInstanceQueryTeardownCallback query = instance.filter().registration().instanceQueryTeardown();
        if (query == null) {
            return NtStatus.STATUS_FLT_DO_NOT_DETACH;
        }
        if (instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        if (onDispatcher(instance)) {
            return NtStatus.STATUS_CANT_WAIT; // before asking the filter: the detach cannot happen here
        }
        FltRelatedObjects objects = new FltRelatedObjects();
        objects.set(instance, null);
        int status;
        try {
            status = query.queryTeardown(objects, 0);
        } catch (RuntimeException e) {
            report(FltVerifier.Rule.CALLBACK_EXCEPTION, instance.filter(), FltVerifier.siteOf(e),
                    "InstanceQueryTeardownCallback threw " + e, false);
            status = NtStatus.STATUS_FLT_DO_NOT_DETACH;
        }
        if (status != NtStatus.STATUS_SUCCESS) {
            return status;
        }
        return teardown(instance, FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_MANUAL);
    }

    /**
     * {@code FltUnregisterFilter}: tears down every instance of the filter (FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD),
     * deletes its contexts, reports the contexts it still references (verifier: CONTEXT_LEAK) and forgets
     * it. Call from a thread that is not a dispatcher thread.
     */
    public void unregisterFilter(FltFilter filter) {
        unregister(filter, FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
    }

    private void unregister(FltFilter filter, int reason) {
        filter.unregistering = true;
        for (FltInstance instance : instances) {
            if (instance.filter() == filter) {
                teardown(instance, reason);
            }
        }
        FltContexts.reportLeaks(filter);
        synchronized (this) {
            filters.remove(filter);
        }
    }

    /**
     * {@code FltUnloadFilter} (what {@code fltmc unload} does): calls the filter's FilterUnloadCallback,
     * which unregisters it; when the callback leaves it registered the Filter Manager unregisters it.
     *
     * @param mandatory FLTFL_FILTER_UNLOAD_MANDATORY: a refusal is ignored
     * @return STATUS_SUCCESS; STATUS_FLT_FILTER_NOT_FOUND; STATUS_FLT_DO_NOT_DETACH when the filter has no
     *     FilterUnloadCallback (it cannot be unloaded); the callback's error when it refused a
     *     non-mandatory unload
     */
    public int unloadFilter(String name, boolean mandatory) {
        FltFilter filter = null;
        synchronized (this) {
            for (FltFilter f : filters) {
                if (f.name().equalsIgnoreCase(name)) {
                    filter = f;
                }
            }
        }
        if (filter == null) {
            return NtStatus.STATUS_FLT_FILTER_NOT_FOUND;
        }
        FltFilterUnloadCallback unload = filter.registration().filterUnload();
        if (unload == null && !mandatory) {
            return NtStatus.STATUS_FLT_DO_NOT_DETACH;
        }
        int status = NtStatus.STATUS_SUCCESS;
        if (unload != null) {
            try {
                status = unload.unload(mandatory ? FltFilterUnloadCallback.FLTFL_FILTER_UNLOAD_MANDATORY : 0);
            } catch (RuntimeException e) {
                report(FltVerifier.Rule.CALLBACK_EXCEPTION, filter, FltVerifier.siteOf(e),
                        "FilterUnloadCallback threw " + e, false);
                status = NtStatus.STATUS_SUCCESS;
            }
        }
        if (status != NtStatus.STATUS_SUCCESS && !mandatory) {
            return status;
        }
        boolean stillRegistered;
        synchronized (this) {
            stillRegistered = filters.contains(filter);
        }
        if (stillRegistered) {
            unregister(filter, mandatory ? FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD
                    : FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** @return the attached instances, highest altitude first */
    public List<FltInstance> instances() {
        return Collections.unmodifiableList(Arrays.asList(instances));
    }

    /** @return the registered filters */
    public synchronized List<FltFilter> filters() {
        return new ArrayList<>(filters);
    }

    /**
     * Tears an instance down: no new callbacks; InstanceTeardownStartCallback; the post-operation
     * callbacks still owed are called with FLTFL_POST_OPERATION_DRAINING; the teardown waits for the
     * operations the filter pended and the I/O it initiated; InstanceTeardownCompleteCallback; the
     * instance's contexts are deleted.
     *
     * <p>Windows waits forever for pended operations; irpemu waits {@link FltVerifier#teardownTimeoutMillis()}
     * (or 30 s without a verifier), then reports each one (PENDED_NEVER_RESUMED) and completes it with
     * STATUS_CANCELLED, so that no caller hangs.
     */
    int teardown(FltInstance instance, int reason) {
        if (onDispatcher(instance)) {
            return NtStatus.STATUS_CANT_WAIT;
        }
        synchronized (this) {
            if (instance.state != FltInstance.ATTACHED) {
                return NtStatus.STATUS_FLT_DELETING_OBJECT;
            }
            instance.state = FltInstance.TEARING_DOWN;
            List<FltInstance> next = new ArrayList<>(Arrays.asList(instances));
            next.remove(instance);
            instances = next.toArray(new FltInstance[0]);
        }
        FltRelatedObjects objects = new FltRelatedObjects();
        objects.set(instance, null);
        callTeardown(instance.filter().registration().instanceTeardownStart(), objects, reason, "InstanceTeardownStart");
        onEveryDispatcher(d -> {
            drainPostOperations(d, instance);
            return 0;
        });
        FltVerifier v = verifier;
        long timeout = v != null ? v.teardownTimeoutMillis() : DEFAULT_TEARDOWN_TIMEOUT_MILLIS;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        while (true) {
            // Drained again each time: an operation TeardownStart resumed (from any thread, at any time) with
            // FLT_PREOP_SUCCESS_WITH_CALLBACK owes this instance a post-operation callback, which must come
            // before TeardownComplete.
            int pended = onEveryDispatcher(d -> {
                drainPostOperations(d, instance);
                return countPended(d, instance);
            });
            if (pended == 0 && instance.generatedOutstanding.get() == 0) {
                break;
            }
            if (System.nanoTime() - deadline > 0) {
                onEveryDispatcher(d -> abandonPended(d, instance));
                break;
            }
            sleepBriefly();
        }
        callTeardown(instance.filter().registration().instanceTeardownComplete(), objects, reason,
                "InstanceTeardownComplete");
        for (FileObject left : new ArrayList<>(instance.openedFiles)) {
            report(FltVerifier.Rule.GENERATED_IO_OUTSTANDING, instance.filter(), null,
                    left.fileName() + " opened with FltCreateFileEx2 was never closed (FltClose); closed now", false);
            FltIo.closeAbandoned(this, instance, left);
        }
        FltContexts.instanceTornDown(instance);
        instance.state = FltInstance.DETACHED;
        return NtStatus.STATUS_SUCCESS;
    }

    /** A teardown would wait for the dispatchers from one of them: reported (BLOCKING_WAIT), STATUS_CANT_WAIT. */
    private boolean onDispatcher(FltInstance instance) {
        IoSystem io = ioSystem();
        if (io == null || io.currentDispatcher() < 0) {
            return false;
        }
        report(FltVerifier.Rule.BLOCKING_WAIT, instance.filter(), null,
                "instance teardown (FltDetachVolume / FltUnregisterFilter) on a dispatcher thread would wait"
                        + " for the dispatcher itself; STATUS_CANT_WAIT returned", false);
        return true;
    }

    private void callTeardown(FltInstanceTeardownCallback callback, FltRelatedObjects objects, int reason, String what) {
        if (callback == null) {
            return;
        }
        try {
            callback.teardown(objects, reason);
        } catch (RuntimeException e) {
            report(FltVerifier.Rule.CALLBACK_EXCEPTION, objects.filter(), FltVerifier.siteOf(e),
                    what + "Callback threw " + e, false);
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a routine on every dispatcher thread (inline when there is no I/O system) and waits for all.
     *
     * @return the sum of what the routine returned
     */
    private int onEveryDispatcher(IntFunction<Integer> routine) {
        IoSystem io = ioSystem();
        if (io == null) {
            return routine.apply(0);
        }
        int n = io.dispatcherCount();
        CountDownLatch done = new CountDownLatch(n);
        int[] sums = new int[n];
        for (int d = 0; d < n; d++) {
            int index = d;
            io.queueWorkItem(d, context -> {
                try {
                    sums[index] = routine.apply(index);
                } finally {
                    done.countDown();
                }
            }, null);
        }
        try {
            if (!done.await(DEFAULT_TEARDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the dispatcher threads did not run the teardown work");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during instance teardown", e);
        }
        int sum = 0;
        for (int s : sums) {
            sum += s;
        }
        return sum;
    }

    /** On dispatcher {@code d}: calls the post-operation callbacks the instance is still owed, draining. */
    private void drainPostOperations(int d, FltInstance instance) {
        IoStackLocation saved = new IoStackLocation();
        for (FltCallbackData data = pool(d).activeHead; data != null; ) {
            FltCallbackData next = data.activeNext;
            for (int i = data.postCount - 1; i >= 0; i--) {
                if (data.postInstances[i] != instance) {
                    continue;
                }
                Object context = data.postContexts[i];
                System.arraycopy(data.postInstances, i + 1, data.postInstances, i, data.postCount - i - 1);
                System.arraycopy(data.postContexts, i + 1, data.postContexts, i, data.postCount - i - 1);
                data.postCount--;
                data.postInstances[data.postCount] = null;
                data.postContexts[data.postCount] = null;
                // The callback works on a copy (WDK: Data is a copy when draining) of the parameters it is owed,
                // those it received in its pre-operation callback; the operation below keeps its own.
                saved.copyParametersFrom(data.iopb().parameters());
                data.iopb().parameters().copyParametersFrom(data.originalsFor(instance));
                try {
                    callPost(data, instance, context, FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING);
                } finally {
                    data.iopb().parameters().copyParametersFrom(saved);
                }
            }
            data = next;
        }
    }

    /** On dispatcher {@code d}: how many operations the instance pended and has not resumed. */
    private int countPended(int d, FltInstance instance) {
        int n = 0;
        for (FltCallbackData data = pool(d).activeHead; data != null; data = data.activeNext) {
            if ((data.state == FltCallbackData.STATE_PRE_PENDED || data.state == FltCallbackData.STATE_POST_PENDED)
                    && data.pendedInstance == instance) {
                n++;
            }
        }
        return n;
    }

    /** On dispatcher {@code d}: reports and completes what the instance never resumed. */
    private int abandonPended(int d, FltInstance instance) {
        List<FltCallbackData> left = new ArrayList<>();
        for (FltCallbackData data = pool(d).activeHead; data != null; data = data.activeNext) {
            if (data.pendedInstance == instance || data.generated && data.initiatingInstance == instance) {
                left.add(data);
            }
        }
        for (FltCallbackData data : left) {
            String op = IrpMajorFunction.name(data.iopb().majorFunction()) + " " + data.iopb().targetFileObject();
            if (data.generated && data.initiatingInstance == instance) {
                report(FltVerifier.Rule.GENERATED_IO_OUTSTANDING, instance.filter(), null,
                        "filter-initiated " + op + " still outstanding at teardown; cancelled", false);
                Io.cancelIrp(data.irp);
            } else if (data.state == FltCallbackData.STATE_PRE_PENDED) {
                report(FltVerifier.Rule.PENDED_NEVER_RESUMED, instance.filter(), describe(data, true),
                        op + " pended and never resumed; completed with STATUS_CANCELLED", true);
                data.ioStatus().set(NtStatus.STATUS_CANCELLED, 0);
                resumePre(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null, null);
            } else if (data.state == FltCallbackData.STATE_POST_PENDED) {
                report(FltVerifier.Rule.PENDED_NEVER_RESUMED, instance.filter(), describe(data, false),
                        op + " pended in its post-operation callback and never resumed; resumed now", false);
                resumePost(data, null);
            }
        }
        return left.size();
    }

    private static String describe(FltCallbackData data, boolean pre) {
        return "the " + IrpMajorFunction.name(data.iopb().majorFunction()) + (pre ? " pre" : " post")
                + "-operation callback of " + data.pendedInstance;
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
        data.frameLocation = irp.currentLocation();
        data.frame = this;
        data.instances = snapshot;
        data.nextPre = 0;
        data.postCount = 0;
        data.pendedInstance = null;
        data.dirtyCount = 0;
        data.earlyResume = false;
        data.state = FltCallbackData.STATE_PRE;
        data.flags(FltCallbackData.FLTFL_CALLBACK_DATA_IRP_OPERATION);
        data.requestorMode(irp.requestorMode());
        data.iopb().parameters().copyParametersFrom(sl);
        data.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        return runPre(data);
    }

    /**
     * Sends filter-initiated I/O down from below its initiating instance. {@code data.irp} has the frame's
     * stack location current, filled from the iopb.
     */
    int sendGenerated(FltCallbackData data) {
        FltInstance[] snapshot = instances;
        int start = 0;
        while (data.initiatingInstance != null && start < snapshot.length
                && !snapshot[start].isBelow(data.initiatingInstance)) {
            start++;
        }
        DataPool p = pool();
        track(p, data);
        data.frameLocation = data.irp.currentLocation();
        data.frame = this;
        data.instances = snapshot;
        data.nextPre = start;
        data.postCount = 0;
        data.pendedInstance = null;
        data.dirtyCount = 0;
        data.earlyResume = false;
        data.state = FltCallbackData.STATE_PRE;
        data.flags(FltCallbackData.FLTFL_CALLBACK_DATA_IRP_OPERATION | FltCallbackData.FLTFL_CALLBACK_DATA_GENERATED_IO);
        data.requestorMode(org.irpemu.irp.Irp.KERNEL_MODE);
        data.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        return runPre(data);
    }

    /** Calls the pre-operation callbacks from {@code data.nextPre} down, then the file system. */
    int runPre(FltCallbackData data) {
        int major = data.iopb().majorFunction();
        FltVerifier v = verifier;
        while (data.nextPre < data.instances.length) {
            FltInstance instance = data.instances[data.nextPre++];
            if (!instance.filter().isFiltering() || instance.state != FltInstance.ATTACHED) {
                continue;
            }
            FltOperationRegistration op = instance.filter().registration().operation(major);
            if (op == null) {
                continue;
            }
            int status = FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            data.completionContext.clear();
            String site = null;
            if (op.preOperation() != null) {
                data.iopb().targetInstance(instance);
                data.related.set(instance, data.iopb().targetFileObject());
                if (v != null) {
                    snapshot(data);
                }
                data.inPreCallback = true;
                try {
                    status = op.preOperation().preOperation(data, data.related, data.completionContext);
                } catch (BlockingWaitException e) {
                    data.earlyResume = false;
                    return failOperation(data, FltVerifier.Rule.BLOCKING_WAIT, instance, FltVerifier.siteOf(e),
                            "the " + IrpMajorFunction.name(major) + " pre-operation callback would block: "
                                    + e.getMessage());
                } catch (RuntimeException e) {
                    data.earlyResume = false;
                    return failOperation(data, FltVerifier.Rule.CALLBACK_EXCEPTION, instance, FltVerifier.siteOf(e),
                            "the " + IrpMajorFunction.name(major) + " pre-operation callback threw " + e);
                } finally {
                    data.inPreCallback = false;
                }
                if (data.earlyResume && status != FltPreopCallbackStatus.FLT_PREOP_PENDING) {
                    data.earlyResume = false;
                    report(FltVerifier.Rule.CALLBACK_DATA_REUSED, instance.filter(), data.earlySite,
                            "FltCompletePendedPreOperation on an operation its callback did not pend (it returned "
                                    + FltPreopCallbackStatus.name(status) + ")", true);
                }
                if (v != null) {
                    site = callbackSite(instance, major, op.preOperation(), true); // no cost without a verifier
                }
                afterPreCallback(data, instance, v, site);
            }
            Object context = data.completionContext.get();
            switch (status) {
                case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK:
                case FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE:
                    if (status == FltPreopCallbackStatus.FLT_PREOP_SYNCHRONIZE && !mayBeSynchronized(data)) {
                        return failOperation(data, FltVerifier.Rule.ILLEGAL_PREOP_STATUS, instance, site,
                                "FLT_PREOP_SYNCHRONIZE is not allowed for " + describeOperation(data));
                    }
                    if (op.postOperation() != null) {
                        pushPost(data, instance, context);
                    } else if (op.preOperation() != null) {
                        verify(FltVerifier.Rule.NO_POST_OPERATION, instance, site, FltPreopCallbackStatus.name(status)
                                + " with no post-operation callback registered for " + IrpMajorFunction.name(major));
                    }
                    break;
                case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK:
                    checkNoContext(instance, status, context, site);
                    break;
                case FltPreopCallbackStatus.FLT_PREOP_PENDING:
                    checkNoContext(instance, status, context, site);
                    data.pendedInstance = instance;
                    data.state = FltCallbackData.STATE_PRE_PENDED;
                    Io.markIrpPending(data.irp);
                    if (data.earlyResume) {
                        // The WDK's acceptable race: the filter resumed the operation before returning PENDING.
                        data.earlyResume = false;
                        Object early = data.earlyContext;
                        data.earlyContext = null;
                        resumePre(data, data.earlyStatus, early, data.earlySite);
                    }
                    return NtStatus.STATUS_PENDING;
                case FltPreopCallbackStatus.FLT_PREOP_COMPLETE:
                    checkNoContext(instance, status, context, site);
                    checkCompletionStatus(data, instance, site);
                    return completeFromPre(data);
                default:
                    // DISALLOW_FASTIO is for fast I/O only, DISALLOW_FSFILTER_IO for QueryOpen only; the rest is garbage.
                    return failOperation(data, FltVerifier.Rule.ILLEGAL_PREOP_STATUS, instance, site,
                            FltPreopCallbackStatus.name(status) + " returned from the " + IrpMajorFunction.name(major)
                                    + " pre-operation callback of an IRP-based operation");
            }
        }
        return sendDown(data);
    }

    /** The WDK's list of operations FLT_PREOP_SYNCHRONIZE cannot be returned for. */
    private static boolean mayBeSynchronized(FltCallbackData data) {
        IoStackLocation p = data.iopb().parameters();
        switch (p.majorFunction()) {
            case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                return p.minorFunction() != IrpMinorFunction.IRP_MN_LOCK;
            case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                switch (p.fsControlCode()) {
                    case FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK:
                    case FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK:
                    case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1:
                    case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2:
                    case FsControlCode.FSCTL_REQUEST_OPLOCK:
                        return false;
                    default:
                        return true;
                }
            default:
                return true;
        }
    }

    private static String describeOperation(FltCallbackData data) {
        IoStackLocation p = data.iopb().parameters();
        if (p.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL) {
            return FsControlCode.name(p.fsControlCode());
        }
        return IrpMajorFunction.name(p.majorFunction());
    }

    private void checkNoContext(FltInstance instance, int status, Object context, String site) {
        if (context != null) {
            verify(FltVerifier.Rule.COMPLETION_CONTEXT_NOT_ALLOWED, instance, site,
                    "a completion context returned with " + FltPreopCallbackStatus.name(status));
        }
    }

    /**
     * FLT_PREOP_COMPLETE: never STATUS_PENDING nor STATUS_FLT_DISALLOW_FAST_IO; cleanup and close cannot fail.
     * The caller then sees another status than the filter set, so the breach is reported without a verifier too.
     */
    private void checkCompletionStatus(FltCallbackData data, FltInstance instance, String site) {
        int status = data.ioStatus().status();
        int major = data.iopb().majorFunction();
        if (status == NtStatus.STATUS_PENDING || status == NtStatus.STATUS_FLT_DISALLOW_FAST_IO) {
            report(FltVerifier.Rule.ILLEGAL_COMPLETION_STATUS, instance.filter(), site, instance
                    + ": FLT_PREOP_COMPLETE with " + NtStatus.symbol(status), true);
            data.ioStatus().set(NtStatus.STATUS_UNSUCCESSFUL, 0);
        } else if ((major == IrpMajorFunction.IRP_MJ_CLEANUP || major == IrpMajorFunction.IRP_MJ_CLOSE)
                && status != NtStatus.STATUS_SUCCESS) {
            report(FltVerifier.Rule.ILLEGAL_COMPLETION_STATUS, instance.filter(), site, instance
                    + ": FLT_PREOP_COMPLETE of " + IrpMajorFunction.name(major) + " with " + NtStatus.describe(status)
                    + " (it cannot fail)", true);
            data.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        }
    }

    /** With the verifier: the parameters as the callback received them. */
    private static void snapshot(FltCallbackData data) {
        if (data.snapshot == null) {
            data.snapshot = new IoStackLocation();
        }
        data.snapshot.copyParametersFrom(data.iopb().parameters());
    }

    /**
     * After a pre-operation callback (or the resumption of one): records a change marked dirty, so that the
     * instance and those above see the original parameters again after the operation, and clears the flag;
     * with the verifier, reports a change not marked dirty.
     */
    private void afterPreCallback(FltCallbackData data, FltInstance instance, FltVerifier v, String site) {
        if (data.isDirty()) {
            data.recordDirty(instance);
            data.flags(data.flags() & ~FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY);
            if (data.snapshot != null) {
                // Declared: a pended operation resumed later is compared with the parameters as changed.
                data.snapshot.copyParametersFrom(data.iopb().parameters());
            }
        } else if (v != null && data.snapshot != null && !data.iopb().parameters().parametersEqual(data.snapshot)) {
            verify(FltVerifier.Rule.PARAMETERS_CHANGED_NOT_DIRTY, instance, site, IrpMajorFunction.name(
                    data.iopb().majorFunction()) + " parameters changed without FltSetCallbackDataDirty");
        }
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
        FileObject fo = data.iopb().targetFileObject();
        boolean closing = data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CLOSE && fo != null
                && fo.filterContext() != null;
        if (data.postCount == 0 && !closing && !data.generated) {
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
        closeFileObjectIfClosing(data);
        release(data);
        return Io.STATUS_CONTINUE_COMPLETION;
    }

    /** After IRP_MJ_CLOSE: the file object's stream handle contexts go with it. */
    private void closeFileObjectIfClosing(FltCallbackData data) {
        FileObject fo = data.iopb().targetFileObject();
        if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CLOSE && fo != null && fo.filterContext() != null) {
            FltContexts.fileObjectClosed(this, fo);
        }
    }

    /**
     * Calls the pending post-operation callbacks, lowest altitude first.
     *
     * @return true when all ran; false when one returned MORE_PROCESSING_REQUIRED
     */
    boolean runPost(FltCallbackData data) {
        data.flags(data.flags() | FltCallbackData.FLTFL_CALLBACK_DATA_POST_OPERATION);
        while (data.postCount > 0) {
            int i = --data.postCount;
            FltInstance instance = data.postInstances[i];
            Object context = data.postContexts[i];
            data.postInstances[i] = null;
            data.postContexts[i] = null;
            data.restoreOriginalsFor(instance);
            int status = callPost(data, instance, context, 0);
            if (status == FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
                data.pendedInstance = instance;
                data.state = FltCallbackData.STATE_POST_PENDED;
                return false;
            }
        }
        data.restoreOriginalsFor(null);
        return true;
    }

    /** Calls one post-operation callback; reports illegal results (treated as FINISHED_PROCESSING). */
    private int callPost(FltCallbackData data, FltInstance instance, Object context, int flags) {
        FltOperationRegistration op = instance.filter().registration().operation(data.iopb().majorFunction());
        data.iopb().targetInstance(instance);
        data.related.set(instance, data.iopb().targetFileObject());
        boolean draining = (flags & FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING) != 0;
        int savedFlags = data.flags();
        if (draining) {
            data.flags(savedFlags | FltCallbackData.FLTFL_CALLBACK_DATA_DRAINING_IO
                    | FltCallbackData.FLTFL_CALLBACK_DATA_POST_OPERATION);
        }
        int status;
        try {
            status = op.postOperation().postOperation(data, data.related, context, flags);
        } catch (RuntimeException e) {
            report(FltVerifier.Rule.CALLBACK_EXCEPTION, instance.filter(), FltVerifier.siteOf(e), "the "
                    + IrpMajorFunction.name(data.iopb().majorFunction()) + " post-operation callback threw " + e, false);
            status = FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
        } finally {
            if (draining) {
                data.flags(savedFlags);
            }
        }
        if (status == FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED && draining) {
            report(FltVerifier.Rule.MORE_PROCESSING_WHILE_DRAINING, instance.filter(),
                    callbackSite(instance, data.iopb().majorFunction(), op.postOperation(), false),
                    "FLT_POSTOP_MORE_PROCESSING_REQUIRED from a post-operation callback called with"
                            + " FLTFL_POST_OPERATION_DRAINING", false);
            return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
        }
        if (status != FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING
                && status != FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
            // Completion cannot stop half-way: report the bug and go on as if FINISHED_PROCESSING.
            report(FltVerifier.Rule.ILLEGAL_POSTOP_STATUS, instance.filter(),
                    callbackSite(instance, data.iopb().majorFunction(), op.postOperation(), false), instance + " returned "
                    + FltPostopCallbackStatus.name(status) + " from its post-operation callback", true);
            return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
        }
        return status;
    }

    /** Completes the IRP with the callback data's status after the post callbacks (resumed or FLT_PREOP_COMPLETE). */
    void finish(FltCallbackData data) {
        Irp irp = data.irp;
        irp.ioStatus().copyFrom(data.ioStatus());
        closeFileObjectIfClosing(data);
        release(data);
        Io.completeRequest(irp);
    }

    /**
     * A filter broke a rule the operation cannot survive: the bug is reported and the operation fails with
     * STATUS_UNSUCCESSFUL (post-operation callbacks of the instances above still run), so that no caller
     * hangs.
     */
    private int failOperation(FltCallbackData data, FltVerifier.Rule rule, FltInstance instance, String site,
            String problem) {
        report(rule, instance.filter(), site, instance + ": " + problem, true);
        data.ioStatus().set(NtStatus.STATUS_UNSUCCESSFUL, 0);
        return completeFromPre(data);
    }

    /** A finding only the verifier makes (no verifier: nothing). */
    private void verify(FltVerifier.Rule rule, FltInstance instance, String site, String message) {
        FltVerifier v = verifier;
        if (v != null) {
            v.report(rule, instance.filter(), site, instance + ": " + message);
        }
    }

    /**
     * The call site of a value a callback returned (the callback's own code is no longer on the stack):
     * the operation, the callback, the instance and the class that implements it.
     */
    private static String callbackSite(FltInstance instance, int major, Object callback, boolean pre) {
        String type = callback.getClass().getName();
        int lambda = type.indexOf("$$Lambda");
        if (lambda >= 0) {
            type = type.substring(0, lambda);
        }
        return IrpMajorFunction.name(major) + (pre ? " pre" : " post") + "-operation callback of " + instance
                + " (" + type + ")";
    }

    /** @return where a Flt routine was called from, when a verifier will want to know (else null) */
    String callSite() {
        return verifier != null ? FltVerifier.callerOutsideKernel() : null;
    }

    /**
     * Reports a broken rule: to the verifier when one runs; otherwise, when {@code alsoWithoutVerifier},
     * to the I/O system's failures (the breaches that change what the caller sees).
     */
    void report(FltVerifier.Rule rule, FltFilter filter, String callSite, String message, boolean alsoWithoutVerifier) {
        FltVerifier v = verifier;
        if (v != null) {
            v.report(rule, filter, callSite, message);
            return;
        }
        if (!alsoWithoutVerifier) {
            return;
        }
        IllegalStateException e = new IllegalStateException(rule + ": " + message);
        IoSystem io = ioSystem();
        if (io == null) {
            throw e;
        }
        io.reportFailure(e);
    }

    /**
     * {@link Flt#completePendedPreOperation}, on the stream's dispatcher thread.
     *
     * @param site where the filter called it (findings point there), or null
     */
    void resumePre(FltCallbackData data, int status, Object context, String site) {
        if (data.state == FltCallbackData.STATE_PRE && data.inPreCallback && !data.earlyResume) {
            // Resumed from inside the callback that is about to return FLT_PREOP_PENDING: done when it returns.
            data.earlyResume = true;
            data.earlyStatus = status;
            data.earlyContext = context;
            data.earlySite = site;
            return;
        }
        if (data.state != FltCallbackData.STATE_PRE_PENDED) {
            report(FltVerifier.Rule.CALLBACK_DATA_REUSED, null, site,
                    "FltCompletePendedPreOperation on an operation that is not pended: " + data, true);
            return;
        }
        data.state = FltCallbackData.STATE_PRE;
        FltInstance instance = data.pendedInstance;
        data.pendedInstance = null;
        afterPreCallback(data, instance, verifier, site);
        switch (status) {
            case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK:
                FltOperationRegistration op = instance.filter().registration().operation(data.iopb().majorFunction());
                if (op.postOperation() != null) {
                    pushPost(data, instance, context);
                } else {
                    verify(FltVerifier.Rule.NO_POST_OPERATION, instance, site,
                            "FltCompletePendedPreOperation with FLT_PREOP_SUCCESS_WITH_CALLBACK and no post-operation callback");
                }
                runPre(data);
                break;
            case FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK:
                checkNoContext(instance, status, context, site);
                runPre(data);
                break;
            case FltPreopCallbackStatus.FLT_PREOP_COMPLETE:
                checkNoContext(instance, status, context, site);
                checkCompletionStatus(data, instance, site);
                completeFromPre(data);
                break;
            default:
                // The WDK: CallbackStatus cannot be FLT_PREOP_PENDING, FLT_PREOP_SYNCHRONIZE or DISALLOW_FASTIO.
                failOperation(data, FltVerifier.Rule.ILLEGAL_PREOP_STATUS, instance, site,
                        "FltCompletePendedPreOperation with " + FltPreopCallbackStatus.name(status));
                break;
        }
    }

    /** {@link Flt#completePendedPostOperation}, on the stream's dispatcher thread; {@code site} as for resumePre. */
    void resumePost(FltCallbackData data, String site) {
        if (data.state != FltCallbackData.STATE_POST_PENDED) {
            report(FltVerifier.Rule.CALLBACK_DATA_REUSED, null, site,
                    "FltCompletePendedPostOperation on an operation that is not pended: " + data, true);
            return;
        }
        data.state = FltCallbackData.STATE_POST;
        data.pendedInstance = null;
        if (runPost(data)) {
            finish(data);
        }
    }

    /** The oplock package hands back the IRP of an FltOplockFsctrl request: the pended operation completes. */
    void oplockRequestCompleted(FltCallbackData data) {
        data.ioStatus().copyFrom(data.irp.ioStatus());
        resumePre(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null, null);
    }

    IoSystem ioSystem() {
        return volume.ioSystem();
    }

    // ---------------------------------------------------------------------------------------------
    // Callback data, one pool and one in-flight list per dispatcher thread
    // ---------------------------------------------------------------------------------------------

    private static final class DataPool {
        final int index;
        FltCallbackData[] spare = new FltCallbackData[64];
        int size;
        /** Operations in flight that this dispatcher acquired (for draining and teardown). */
        FltCallbackData activeHead;

        DataPool(int index) {
            this.index = index;
        }
    }

    private int currentDispatcher() {
        IoSystem io = ioSystem();
        return io == null ? 0 : Math.max(0, io.currentDispatcher());
    }

    private DataPool pool() {
        return pool(currentDispatcher());
    }

    private DataPool pool(int d) {
        DataPool[] p = pools;
        if (d >= p.length) {
            synchronized (this) {
                p = pools;
                if (d >= p.length) {
                    IoSystem io = ioSystem();
                    DataPool[] bigger = Arrays.copyOf(p, Math.max(d + 1, io == null ? 1 : io.dispatcherCount()));
                    for (int i = 0; i < bigger.length; i++) {
                        if (bigger[i] == null) {
                            bigger[i] = new DataPool(i);
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
        FltCallbackData d;
        if (p.size == 0 || verifier != null) {
            d = new FltCallbackData();
        } else {
            d = p.spare[--p.size];
            p.spare[p.size] = null;
        }
        track(p, d);
        return d;
    }

    private static void track(DataPool p, FltCallbackData d) {
        d.home = p.index;
        d.activePrev = null;
        d.activeNext = p.activeHead;
        if (p.activeHead != null) {
            p.activeHead.activePrev = d;
        }
        p.activeHead = d;
    }

    private static void untrack(DataPool p, FltCallbackData d) {
        if (d.activePrev != null) {
            d.activePrev.activeNext = d.activeNext;
        } else if (p.activeHead == d) {
            p.activeHead = d.activeNext;
        }
        if (d.activeNext != null) {
            d.activeNext.activePrev = d.activePrev;
        }
        d.activePrev = null;
        d.activeNext = null;
        d.home = -1;
    }

    /** The frame is done with the callback data: off the in-flight list, back to the pool (or freed). */
    private void release(FltCallbackData data) {
        int home = data.home;
        if (home >= 0) {
            int current = currentDispatcher();
            if (home == current) {
                untrack(pool(home), data);
            } else {
                // Completed on another dispatcher (a create that moved to its stream's owner): unlink at home.
                IoSystem io = ioSystem();
                DataPool homePool = pool(home);
                io.queueWorkItem(home, context -> untrack(homePool, data), null);
            }
        }
        if (data.generated) {
            data.state = FltCallbackData.STATE_IDLE;
            return; // the filter owns it (FltFreeCallbackData)
        }
        data.irp = null;
        data.instances = null;
        data.snapshot = null;
        data.clearDirtyRecords();
        data.iopb().parameters().fileObject(null).targetFileObject(null);
        if (verifier != null) {
            data.state = FltCallbackData.STATE_FREED;
            return;
        }
        data.state = FltCallbackData.STATE_IDLE;
        if (home >= 0 && home != currentDispatcher()) {
            return; // still linked at home until the work item runs: never reuse it
        }
        DataPool p = pool();
        if (p.size == p.spare.length) {
            p.spare = Arrays.copyOf(p.spare, p.size * 2);
        }
        p.spare[p.size++] = data;
    }
}
