package org.irpemu.irp;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code IRP}: an I/O request packet. IRPs are preallocated and reused by the I/O manager (ring slots
 * and per-dispatcher pools); a driver owns an IRP from the moment it is dispatched to it until it
 * completes it or passes it on with {@link Io#callDriver(DeviceObject, Irp)}.
 *
 * <p>Buffers: {@link #systemBuffer()} is {@code AssociatedIrp.SystemBuffer}, the kernel copy of a
 * METHOD_BUFFERED request's input, overwritten by its output; the I/O manager copies
 * {@code IoStatus.Information} bytes of it back to the caller when the request completes without an
 * error ({@code !NT_ERROR}), warnings included. {@link #userBuffer()} is the caller's data buffer of a
 * read or write ({@code UserBuffer} / {@code MdlAddress}); it may be {@code null}, meaning the caller
 * does not look at the data (reads discard it, writes write zeros).
 */
public final class Irp {
    /** The most stack locations an IRP has: the deepest device stack irpemu builds. */
    public static final int MAX_STACK_SIZE = 16;
    /** Initial capacity of the system buffer, bytes; it grows on demand. */
    public static final int INITIAL_SYSTEM_BUFFER_CAPACITY = 512;

    /** RequestorMode values. */
    public static final int KERNEL_MODE = 0;
    public static final int USER_MODE = 1;

    private final IoStatusBlock ioStatus = new IoStatusBlock();
    private final IoStackLocation[] stack = new IoStackLocation[MAX_STACK_SIZE];
    private final Object[] driverContext = new Object[4];
    private final OplockKeyEcpContext oplockKeyEcp = new OplockKeyEcpContext();
    private final UnsafeBuffer systemBuffer = new UnsafeBuffer(new byte[INITIAL_SYSTEM_BUFFER_CAPACITY]);

    int stackCount;
    int currentLocation;
    boolean pendingReturned;
    boolean cancel;
    DriverCancel cancelRoutine;
    boolean completed;
    private int requestorMode = USER_MODE;
    private MutableDirectBuffer userBuffer;
    private int userBufferOffset;
    private long serial;
    private Object originator;
    private IrpCompletionSink completionSink;

    /** Intrusive list links for the driver that holds the IRP pending ({@code Tail.Overlay.ListEntry}). */
    public Irp listNext;
    public Irp listPrev;
    /** The I/O manager's links of the file object's in-flight IRPs ({@code ThreadListEntry}); not for drivers. */
    public Irp ioListNext;
    public Irp ioListPrev;

    public Irp() {
        for (int i = 0; i < stack.length; i++) {
            stack[i] = new IoStackLocation();
        }
    }

    /**
     * Prepares the IRP for a new request to a device stack of {@code stackSize} locations: everything
     * is cleared and the next location ({@link Io#getNextIrpStackLocation(Irp)}) is the top driver's.
     *
     * @throws IllegalArgumentException when {@code stackSize} exceeds {@link #MAX_STACK_SIZE}
     */
    public void initialize(int stackSize, long serial, Object originator, IrpCompletionSink sink) {
        if (stackSize < 1 || stackSize > MAX_STACK_SIZE) {
            throw new IllegalArgumentException("stack size " + stackSize);
        }
        if (!clean) {
            clear();
        }
        for (int i = clearedLocations; i < stackSize; i++) {
            stack[i].clear();
        }
        clean = false;
        stackCount = stackSize;
        currentLocation = stackSize;
        this.serial = serial;
        this.originator = originator;
        this.completionSink = sink;
    }

    /**
     * Clears the IRP for its next use, on the thread that last used it (the I/O manager does this on the
     * dispatcher thread, where the IRP's memory is still in cache, so that the submitting thread only
     * writes the few fields of the next request).
     */
    public void recycle() {
        clear();
        clean = true;
    }

    /** Set by {@link #recycle()}: every field is as {@link #initialize} leaves it, but for the header. */
    private boolean clean;
    /** Stack locations cleared since the IRP was last used (its previous stack size). */
    private int clearedLocations;

    private void clear() {
        for (int i = 0; i < stackCount; i++) {
            stack[i].clear();
        }
        clearedLocations = stackCount;
        ioStatus.set(0, 0);
        pendingReturned = false;
        cancel = false;
        cancelRoutine = null;
        completed = false;
        requestorMode = USER_MODE;
        userBuffer = null;
        userBufferOffset = 0;
        driverContext[0] = driverContext[1] = driverContext[2] = driverContext[3] = null;
        oplockKeyEcp.clear();
        listNext = listPrev = null;
        ioListNext = ioListPrev = null;
        originator = null;
        completionSink = null;
    }

    /** @return IoStatus */
    public IoStatusBlock ioStatus() {
        return ioStatus;
    }

    /** @return PendingReturned, as {@link Io#completeRequest(Irp)} sets it before each completion routine */
    public boolean pendingReturned() {
        return pendingReturned;
    }

    /** @return Cancel: {@link Io#cancelIrp(Irp)} has been called */
    public boolean isCancel() {
        return cancel;
    }

    /** @return the cancel routine currently set, or {@code null} */
    public DriverCancel cancelRoutine() {
        return cancelRoutine;
    }

    /** @return whether the IRP has finished completing (it is back with the I/O manager) */
    public boolean isCompleted() {
        return completed;
    }

    /** @return RequestorMode */
    public int requestorMode() {
        return requestorMode;
    }

    public void requestorMode(int mode) {
        this.requestorMode = mode;
    }

    /** @return AssociatedIrp.SystemBuffer; its capacity is at least what {@link #ensureSystemBuffer} asked */
    public UnsafeBuffer systemBuffer() {
        return systemBuffer;
    }

    /** Grows the system buffer to at least {@code capacity} bytes, keeping its contents. */
    public UnsafeBuffer ensureSystemBuffer(int capacity) {
        if (systemBuffer.capacity() < capacity) {
            byte[] bigger = new byte[Math.max(capacity, systemBuffer.capacity() * 2)];
            systemBuffer.getBytes(0, bigger, 0, systemBuffer.capacity());
            systemBuffer.wrap(bigger);
        }
        return systemBuffer;
    }

    /** @return the caller's data buffer of a read or write, or {@code null} */
    public MutableDirectBuffer userBuffer() {
        return userBuffer;
    }

    /** @return the offset of the data in {@link #userBuffer()} */
    public int userBufferOffset() {
        return userBufferOffset;
    }

    public void userBuffer(MutableDirectBuffer buffer, int offset) {
        this.userBuffer = buffer;
        this.userBufferOffset = offset;
    }

    /** @return {@code Tail.Overlay.DriverContext}: four pointers for the driver holding the IRP */
    public Object[] driverContext() {
        return driverContext;
    }

    /** @return the create's {@code OPLOCK_KEY_ECP_CONTEXT}, empty when the create carries none */
    public OplockKeyEcpContext oplockKeyEcp() {
        return oplockKeyEcp;
    }

    /** @return a number unique to this dispatch of the IRP object, for cancellation and traces */
    public long serial() {
        return serial;
    }

    /** @return what the I/O manager associates with the request (the caller's completion object) */
    public Object originator() {
        return originator;
    }

    /** @return StackCount */
    public int stackCount() {
        return stackCount;
    }

    /** @return CurrentLocation, 0-based: {@code stackCount} before the IRP is first dispatched */
    public int currentLocation() {
        return currentLocation;
    }

    /** @return stack location {@code index} (0 is the bottom driver's) */
    public IoStackLocation stackLocation(int index) {
        return stack[index];
    }

    IrpCompletionSink completionSink() {
        return completionSink;
    }

    @Override
    public String toString() {
        IoStackLocation sl = currentLocation < stackCount ? stack[currentLocation]
                : currentLocation > 0 ? stack[currentLocation - 1] : null;
        return "IRP#" + serial + (sl == null ? "" : " " + IrpMajorFunction.name(sl.majorFunction));
    }
}
