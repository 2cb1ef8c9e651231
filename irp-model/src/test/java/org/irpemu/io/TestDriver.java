package org.irpemu.io;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;

/**
 * A file system reduced to two majors, for the I/O manager tests. IRP_MJ_CREATE completes at once with
 * STATUS_SUCCESS / FILE_OPENED. IRP_MJ_READ is marked pending and kept (keyed by the caller's
 * Overlapped) until {@link #completeRead} or {@link #completeReadOf} runs as a work item on the
 * dispatcher; with {@code cancellable}, it carries a cancel routine that completes it with
 * STATUS_CANCELLED. IRP_MJ_CLEANUP and IRP_MJ_CLOSE succeed at once. IRP_MJ_FILE_SYSTEM_CONTROL reads a
 * REQUEST_OPLOCK_INPUT_BUFFER from the system buffer, writes a REQUEST_OPLOCK_OUTPUT_BUFFER (original
 * level = the requested one, new level R) and completes with {@link #fsctlStatus}, Information 24.
 * Every other major gets the default dispatch (STATUS_INVALID_DEVICE_REQUEST).
 */
final class TestDriver {
    // ntstatus.h / wdm.h values, typed in.
    static final int STATUS_SUCCESS = 0x00000000;
    static final int STATUS_PENDING = 0x00000103;
    static final int STATUS_CANCELLED = 0xC0000120;
    static final int IRP_MJ_CREATE = 0x00;
    static final int IRP_MJ_CLOSE = 0x02;
    static final int IRP_MJ_READ = 0x03;
    static final int IRP_MJ_FILE_SYSTEM_CONTROL = 0x0D;
    static final int IRP_MJ_CLEANUP = 0x12;
    static final int REQUEST_OPLOCK_OUTPUT_LENGTH = 24;
    static final int FILE_OPENED = 1;

    final DriverObject driver = new DriverObject("\\FileSystem\\TestFs");
    final DeviceObject volume = new DeviceObject(driver, "\\Device\\TestVolume", null);
    final boolean cancellable;
    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger cancelRoutineCalls = new AtomicInteger();
    /** Pending reads by the caller's Overlapped; changed on the dispatcher thread only. */
    final Map<Overlapped, Irp> pendingReads = new ConcurrentHashMap<>();
    /** Every major function the driver was called for, in order. */
    final List<Integer> majors = new CopyOnWriteArrayList<>();
    /** The dispatcher each create ran on, in order. */
    final List<Integer> createDispatchers = new CopyOnWriteArrayList<>();
    /** The status FSCTLs complete with. */
    final AtomicInteger fsctlStatus = new AtomicInteger(STATUS_SUCCESS);
    /** The last create's name and parameters as the driver saw them. */
    final AtomicReference<String> lastCreate = new AtomicReference<>();

    TestDriver(boolean cancellable) {
        this.cancellable = cancellable;
        driver.majorFunction(IRP_MJ_CREATE, this::create);
        driver.majorFunction(IRP_MJ_READ, this::read);
        driver.majorFunction(IRP_MJ_CLEANUP, this::succeed);
        driver.majorFunction(IRP_MJ_CLOSE, this::succeed);
        driver.majorFunction(IRP_MJ_FILE_SYSTEM_CONTROL, this::fsControl);
    }

    private int create(DeviceObject device, Irp irp) {
        majors.add(IRP_MJ_CREATE);
        creates.incrementAndGet();
        createDispatchers.add(device.ioSystem().currentDispatcher());
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        lastCreate.set(String.format("%s access=0x%X options=0x%08X share=0x%X", sl.fileObject().fileName(),
                sl.desiredAccess(), sl.options(), sl.shareAccess()));
        return Io.completeRequest(irp, STATUS_SUCCESS, FILE_OPENED);
    }

    private int read(DeviceObject device, Irp irp) {
        majors.add(IRP_MJ_READ);
        reads.incrementAndGet();
        Io.markIrpPending(irp);
        pendingReads.put((Overlapped) irp.originator(), irp);
        if (cancellable) {
            Io.setCancelRoutine(irp, (d, cancelled) -> {
                cancelRoutineCalls.incrementAndGet();
                pendingReads.remove((Overlapped) cancelled.originator());
                Io.completeRequest(cancelled, STATUS_CANCELLED, 0);
            });
        }
        return STATUS_PENDING;
    }

    private int fsControl(DeviceObject device, Irp irp) {
        majors.add(IRP_MJ_FILE_SYSTEM_CONTROL);
        int requested = new RequestOplockInputBuffer().wrap(irp.systemBuffer(), 0).requestedOplockLevel();
        RequestOplockOutputBuffer.write(irp.systemBuffer(), 0, requested, OplockLevel.R,
                RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED, 0, 0);
        return Io.completeRequest(irp, fsctlStatus.get(), REQUEST_OPLOCK_OUTPUT_LENGTH);
    }

    private int succeed(DeviceObject device, Irp irp) {
        majors.add(Io.getCurrentIrpStackLocation(irp).majorFunction());
        return Io.completeRequest(irp, STATUS_SUCCESS, 0);
    }

    /** Work-item routine; context: a held read IRP. Completes it with its full length if still held. */
    void completeRead(Object context) {
        Irp irp = (Irp) context;
        if (pendingReads.values().remove(irp)) {
            finish(irp);
        }
    }

    /** Work-item routine; context: the caller's Overlapped. Completes its read if still held. */
    void completeReadOf(Object context) {
        Irp irp = pendingReads.remove((Overlapped) context);
        if (irp != null) {
            finish(irp);
        }
    }

    private static void finish(Irp irp) {
        Io.setCancelRoutine(irp, null);
        Io.completeRequest(irp, STATUS_SUCCESS, Io.getCurrentIrpStackLocation(irp).length());
    }
}
