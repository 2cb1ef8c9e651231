package org.irpemu.io;

import com.lmax.disruptor.RingBuffer;
import java.util.UUID;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;

/**
 * The user-mode view of one volume: the native file APIs of {@code ntdll}, each of which builds an IRP
 * in a ring slot and returns at once. The caller's {@link Overlapped} receives the final
 * {@code IO_STATUS_BLOCK}, the output bytes and, for a create, the new handle (its {@link FileObject}).
 *
 * <p>Every method may be called from any thread except a dispatcher thread; none allocates except
 * {@link #ntCreateFile}, which creates the {@code FILE_OBJECT} as {@code IoCreateFile} does. A method
 * blocks only when the ring is full, until a slot frees.
 *
 * <p>Where Windows would fail the call before any driver sees it, the {@link Overlapped} completes at
 * once with that status: {@link #ntCreateFile} checks its parameters as {@code IoCreateFile} does
 * (STATUS_INVALID_PARAMETER).
 */
public final class NtApi {
    private final IoManager io;
    private final DeviceObject volume;
    private final RingBuffer<IoRequestEvent> ring;

    NtApi(IoManager io, DeviceObject volume) {
        this.io = io;
        this.volume = volume;
        this.ring = io.ring();
    }

    /** @return the volume's file system device (the bottom of its stack) */
    public DeviceObject volume() {
        return volume;
    }

    /** @return the I/O manager */
    public IoManager ioManager() {
        return io;
    }

    /**
     * {@code NtCreateFile}: opens or creates a file or directory.
     *
     * @param ov receives the status, {@code Information} (a create action such as {@code FILE_OPENED})
     *     and, on success, the handle's file object
     * @param path volume-relative path, components separated by {@code \}; a leading {@code \} is optional;
     *     {@code \} is the root directory and the empty path the volume itself (a volume open)
     * @param desiredAccess ACCESS_MASK; generic rights are mapped to file rights before the file system sees them
     * @param fileAttributes {@code FILE_ATTRIBUTE_*} for a new file
     * @param shareAccess {@code FILE_SHARE_*}
     * @param createDisposition {@code FILE_SUPERSEDE} .. {@code FILE_OVERWRITE_IF}
     * @param createOptions {@code FILE_*} create options
     * @param targetOplockKey the OPLOCK_KEY_ECP_CONTEXT target key, or {@code null}
     * @param parentOplockKey the DUAL_OPLOCK_KEY_ECP_CONTEXT parent key, or {@code null}
     * @return {@code ov}
     */
    public Overlapped ntCreateFile(Overlapped ov, String path, int desiredAccess, int fileAttributes,
            int shareAccess, int createDisposition, int createOptions, UUID targetOplockKey, UUID parentOplockKey) {
        io.checkNotDispatcherThread();
        String name = IoCreateParameters.normalize(path);
        int dispatcher = io.dispatcherForName(name);
        ov.begin(Overlapped.KIND_IRP, dispatcher, 0, io.isTiming());
        int access = IoCreateParameters.mapDesiredAccess(desiredAccess);
        int invalid = IoCreateParameters.check(access, shareAccess, createDisposition, createOptions);
        if (invalid != NtStatus.STATUS_SUCCESS) {
            ov.completeImmediately(invalid, 0);
            return ov;
        }
        FileObject fo = io.spareFileObject();
        if (fo == null) {
            fo = IoCreateParameters.newFileObject(volume, name, dispatcher, access, createOptions);
        } else {
            fo.reinitialize(volume, name);
            IoCreateParameters.initialize(fo, dispatcher, access, createOptions);
        }
        long seq = ring.next();
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, dispatcher, ov);
            IoStackLocation sl = Io.getNextIrpStackLocation(e.irp);
            sl.majorFunction(IrpMajorFunction.IRP_MJ_CREATE).fileObject(fo).desiredAccess(access)
                    .options(CreateOptions.pack(createDisposition, createOptions)).shareAccess(shareAccess)
                    .fileAttributes(fileAttributes);
            e.irp.oplockKeyEcp().set(targetOplockKey, parentOplockKey);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtFsControlFile}: sends an FSCTL ({@code IRP_MJ_FILE_SYSTEM_CONTROL} /
     * {@code IRP_MN_USER_FS_REQUEST}). The input is copied into the IRP's system buffer; up to
     * {@code outputLength} bytes of output are copied to {@link Overlapped#outputBuffer()} at completion.
     *
     * @param input the input buffer, or {@code null} with {@code inputLength} 0
     * @param inputLength InputBufferLength handed to the driver, bytes (may exceed what {@code input}
     *     holds only when {@code input} is null, in which case zeros are passed)
     * @param outputLength OutputBufferLength handed to the driver, bytes
     */
    public Overlapped ntFsControlFile(Overlapped ov, FileObject file, int fsControlCode, DirectBuffer input,
            int inputOffset, int inputLength, int outputLength) {
        if (rejected(ov, file, IoAccessChecks.fsControl(file, fsControlCode))) {
            return ov;
        }
        long seq = claim(ov, file, outputLength);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            Irp irp = e.irp;
            int capacity = Math.max(inputLength, outputLength);
            irp.ensureSystemBuffer(capacity);
            irp.systemBuffer().setMemory(0, capacity, (byte) 0);
            if (input != null && inputLength > 0) {
                irp.systemBuffer().putBytes(0, input, inputOffset, Math.min(inputLength, input.capacity() - inputOffset));
            }
            Io.getNextIrpStackLocation(irp).majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                    .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fileObject(file)
                    .fsControlCode(fsControlCode).inputBufferLength(inputLength).outputBufferLength(outputLength);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtReadFile}.
     *
     * @param buffer receives the data, or {@code null} when the caller does not look at it
     * @param length bytes to read
     * @param byteOffset file offset, or {@link org.irpemu.irp.ByteOffset#FILE_USE_FILE_POINTER_POSITION} for
     *     synchronous handles
     * @param key the byte-range lock key
     */
    public Overlapped ntReadFile(Overlapped ov, FileObject file, MutableDirectBuffer buffer, int bufferOffset,
            int length, long byteOffset, int key) {
        return readWrite(IrpMajorFunction.IRP_MJ_READ, ov, file, buffer, bufferOffset, length, byteOffset, key);
    }

    /**
     * {@code NtWriteFile}.
     *
     * @param buffer the data, or {@code null} to write zeros
     */
    public Overlapped ntWriteFile(Overlapped ov, FileObject file, MutableDirectBuffer buffer, int bufferOffset,
            int length, long byteOffset, int key) {
        return readWrite(IrpMajorFunction.IRP_MJ_WRITE, ov, file, buffer, bufferOffset, length, byteOffset, key);
    }

    private Overlapped readWrite(int major, Overlapped ov, FileObject file, MutableDirectBuffer buffer,
            int bufferOffset, int length, long byteOffset, int key) {
        int check = major == IrpMajorFunction.IRP_MJ_READ ? IoAccessChecks.read(file) : IoAccessChecks.write(file);
        if (rejected(ov, file, check)) {
            return ov;
        }
        long seq = claim(ov, file, 0);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            e.irp.userBuffer(buffer, bufferOffset);
            Io.getNextIrpStackLocation(e.irp).majorFunction(major).fileObject(file).length(length)
                    .byteOffset(byteOffset).key(key);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtLockFile}: a byte-range lock ({@code IRP_MJ_LOCK_CONTROL} / {@code IRP_MN_LOCK}).
     *
     * @param failImmediately fail with STATUS_LOCK_NOT_GRANTED rather than wait for a conflicting lock
     * @param exclusiveLock exclusive rather than shared
     */
    public Overlapped ntLockFile(Overlapped ov, FileObject file, long byteOffset, long length, int key,
            boolean failImmediately, boolean exclusiveLock) {
        if (rejected(ov, file, IoAccessChecks.lock(file))) {
            return ov;
        }
        long seq = claim(ov, file, 0);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            Io.getNextIrpStackLocation(e.irp).majorFunction(IrpMajorFunction.IRP_MJ_LOCK_CONTROL)
                    .minorFunction(IrpMinorFunction.IRP_MN_LOCK).fileObject(file).byteOffset(byteOffset)
                    .length(length).key(key)
                    .flags((failImmediately ? IoStackLocation.SL_FAIL_IMMEDIATELY : 0)
                            | (exclusiveLock ? IoStackLocation.SL_EXCLUSIVE_LOCK : 0));
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /** {@code NtUnlockFile}: {@code IRP_MJ_LOCK_CONTROL} / {@code IRP_MN_UNLOCK_SINGLE}. */
    public Overlapped ntUnlockFile(Overlapped ov, FileObject file, long byteOffset, long length, int key) {
        if (rejected(ov, file, IoAccessChecks.lock(file))) {
            return ov;
        }
        long seq = claim(ov, file, 0);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            Io.getNextIrpStackLocation(e.irp).majorFunction(IrpMajorFunction.IRP_MJ_LOCK_CONTROL)
                    .minorFunction(IrpMinorFunction.IRP_MN_UNLOCK_SINGLE).fileObject(file).byteOffset(byteOffset)
                    .length(length).key(key);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtSetInformationFile}: the information structure (its Windows x64 layout) is copied into
     * the IRP's system buffer.
     *
     * @param fileInformationClass a {@code FileXxxInformation} class
     */
    public Overlapped ntSetInformationFile(Overlapped ov, FileObject file, DirectBuffer information, int offset,
            int length, int fileInformationClass) {
        if (rejected(ov, file, IoAccessChecks.setInformation(file, fileInformationClass, length))) {
            return ov;
        }
        long seq = claim(ov, file, 0);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            e.irp.ensureSystemBuffer(length);
            if (length > 0) {
                e.irp.systemBuffer().putBytes(0, information, offset, length);
            }
            Io.getNextIrpStackLocation(e.irp).majorFunction(IrpMajorFunction.IRP_MJ_SET_INFORMATION).fileObject(file)
                    .length(length).fileInformationClass(fileInformationClass);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtQueryInformationFile}: up to {@code length} bytes of the structure are copied to
     * {@link Overlapped#outputBuffer()}; {@code Information} is the byte count the file system filled.
     */
    public Overlapped ntQueryInformationFile(Overlapped ov, FileObject file, int length, int fileInformationClass) {
        if (rejected(ov, file, IoAccessChecks.queryInformation(file, fileInformationClass, length))) {
            return ov;
        }
        long seq = claim(ov, file, length);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            e.irp.ensureSystemBuffer(length);
            e.irp.systemBuffer().setMemory(0, length, (byte) 0);
            Io.getNextIrpStackLocation(e.irp).majorFunction(IrpMajorFunction.IRP_MJ_QUERY_INFORMATION)
                    .fileObject(file).length(length).fileInformationClass(fileInformationClass);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /** {@code NtFlushBuffersFile}: {@code IRP_MJ_FLUSH_BUFFERS}. */
    public Overlapped ntFlushBuffersFile(Overlapped ov, FileObject file) {
        if (rejected(ov, file, IoAccessChecks.flush(file))) {
            return ov;
        }
        return simple(ov, file, IrpMajorFunction.IRP_MJ_FLUSH_BUFFERS);
    }

    /** {@code NtSetSecurityObject}: {@code IRP_MJ_SET_SECURITY} (the descriptor itself is not modelled). */
    public Overlapped ntSetSecurityObject(Overlapped ov, FileObject file) {
        if (rejected(ov, file, IoAccessChecks.setSecurity(file))) {
            return ov;
        }
        return simple(ov, file, IrpMajorFunction.IRP_MJ_SET_SECURITY);
    }

    private Overlapped simple(Overlapped ov, FileObject file, int major) {
        long seq = claim(ov, file, 0);
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            Io.getNextIrpStackLocation(e.irp).majorFunction(major).fileObject(file);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code NtClose} of the handle's last reference: {@code IRP_MJ_CLEANUP}, then {@code IRP_MJ_CLOSE}.
     * The {@link Overlapped} completes after the close with the cleanup's status.
     */
    public Overlapped ntClose(Overlapped ov, FileObject file) {
        io.checkNotDispatcherThread();
        ov.begin(Overlapped.KIND_CLOSE, file.dispatcher(), 0, io.isTiming());
        long seq = ring.next();
        try {
            IoRequestEvent e = slot(seq, IoRequestEvent.SUBMIT, file.dispatcher(), ov);
            Io.getNextIrpStackLocation(e.irp).majorFunction(IrpMajorFunction.IRP_MJ_CLEANUP).fileObject(file);
        } finally {
            ring.publish(seq);
        }
        return ov;
    }

    /**
     * {@code CancelIoEx}: cancels the request of {@code ov} if it is still pending ({@code IoCancelIrp});
     * with {@code ov} null, every pending request issued on {@code file}. Returns at once; the cancelled
     * requests complete (normally with STATUS_CANCELLED) through their own {@link Overlapped}s.
     *
     * @return false when {@code ov} is given but has no request in flight (ERROR_NOT_FOUND in Win32)
     */
    public boolean cancelIoEx(FileObject file, Overlapped ov) {
        io.checkNotDispatcherThread();
        if (ov != null && !ov.isInFlight()) {
            return false;
        }
        int dispatcher = ov != null ? ov.dispatcher : file.dispatcher();
        long seq = ring.next();
        try {
            IoRequestEvent e = ring.get(seq);
            e.type = ov != null ? IoRequestEvent.CANCEL : IoRequestEvent.CANCEL_FILE;
            e.dispatcher = dispatcher;
            e.overlapped = ov;
            e.fileObject = file;
            e.generation = ov != null ? ov.generation : 0;
        } finally {
            ring.publish(seq);
        }
        return true;
    }

    /** Completes the request at once when the I/O manager's own checks fail; no IRP is built. */
    private boolean rejected(Overlapped ov, FileObject file, int status) {
        if (status == NtStatus.STATUS_SUCCESS) {
            return false;
        }
        io.checkNotDispatcherThread();
        ov.begin(Overlapped.KIND_IRP, file.dispatcher(), 0, io.isTiming());
        ov.completeImmediately(status, 0);
        return true;
    }

    private long claim(Overlapped ov, FileObject file, int outputLength) {
        io.checkNotDispatcherThread();
        ov.begin(Overlapped.KIND_IRP, file.dispatcher(), outputLength, io.isTiming());
        return ring.next();
    }

    /**
     * The top of the volume's device stack, remembered until a device is attached above it (walking the
     * stack on every request touched the volume device's cache line, which the dispatcher side shares).
     */
    private DeviceObject top() {
        DeviceObject t = cachedTop;
        if (t == null || t.attachedDevice() != null) {
            t = volume.topOfStack();
            cachedTop = t;
        }
        return t;
    }

    private DeviceObject cachedTop;

    private IoRequestEvent slot(long seq, int type, int dispatcher, Overlapped ov) {
        IoRequestEvent e = ring.get(seq);
        e.type = type;
        e.dispatcher = dispatcher;
        e.overlapped = ov;
        e.generation = ov.generation;
        e.device = top();
        e.irp.initialize(e.device.stackSize(), seq, ov, io);
        return e;
    }

}
