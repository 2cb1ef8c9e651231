package org.irpemu.fs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.fsrtl.OplockFsPrepostIrp;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.fsrtl.OplockWaitCompleteRoutine;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverObject;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.IoWorkItemRoutine;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;

/**
 * The reference file system: an NTFS-like, in-memory file system driver with one volume. It keeps files
 * and directories (default data streams only), share access, byte-range locks and one FsRtl oplock per
 * stream, and calls the oplock package where the FastFAT sample does: before the share check when a
 * Batch or Filter oplock exists, {@code FsRtlOplockBreakH} after a sharing violation, the full create
 * check after it, and {@code FsRtlCheckOplock} on read, write, lock, flush, set information, set
 * security, zeroing and cleanup.
 *
 * <p>Operations that must wait for an oplock break are parked by the oplock package and re-driven from
 * the start on the stream's dispatcher thread when the break is acknowledged (FastFAT's
 * {@code FatOplockComplete} / {@code FatAddToWorkque}); no thread ever blocks.
 *
 * <p>Usage: create it, {@link #createDirectories} and {@link #createFile} what the volume holds at start,
 * then mount {@link #volumeDevice()} in an I/O manager. After mounting, the name space changes only
 * through IRPs.
 */
public final class ReferenceFileSystem {
    public static final String DRIVER_NAME = "\\FileSystem\\RefFs";
    /** January 1, 2020, as a FILETIME (100 ns units since 1601). */
    static final long EPOCH_FILETIME = 132223104000000000L;
    static final long CLUSTER = 4096;

    private static final VarHandle DISPATCHER;

    static {
        try {
            DISPATCHER = MethodHandles.privateLookupIn(Fcb.class, MethodHandles.lookup())
                    .findVarHandle(Fcb.class, "dispatcher", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DriverObject driverObject;
    private final DeviceObject volumeDevice;
    final Fcb root;
    private final AtomicLong nextFileId = new AtomicLong(5);
    /** The volume's clock, padded: every write advances it, from any dispatcher thread. */
    private final com.lmax.disruptor.Sequence clock = new com.lmax.disruptor.Sequence(EPOCH_FILETIME);
    /** Advances on every change of the name space (create, delete, rename, link): {@link PathCache} validity. */
    private final AtomicLong namespaceGeneration = new AtomicLong();
    private volatile PathCache[] pathCaches = new PathCache[0];
    final OplockObserver observer;
    final long volumeSerialNumber = 0xA85A5794L;

    final FsCreate create = new FsCreate(this);
    final FsReadWrite readWrite = new FsReadWrite(this);
    final FsInformation information = new FsInformation(this);
    final FsControl control = new FsControl(this);
    final FsCleanup cleanup = new FsCleanup(this);

    /** FastFAT's FatPrePostIrp: the IRP will be parked, so mark it pending. */
    final OplockFsPrepostIrp prePost = (context, irp) -> Io.markIrpPending(irp);

    /**
     * FastFAT's FatOplockComplete: a parked IRP may go on (re-driven from the start on this dispatcher,
     * after the current request) or was cancelled (completed with that status).
     */
    final OplockWaitCompleteRoutine oplockComplete = (context, irp) -> {
        int status = irp.ioStatus().status();
        if (status == NtStatus.STATUS_SUCCESS) {
            post(currentDispatcher(), irp);
        } else {
            Io.completeRequest(irp, status, 0);
        }
    };

    private final IoWorkItemRoutine redrive = context -> dispatchCommon((Irp) context);

    /** A file system without oplock tracing. */
    public ReferenceFileSystem() {
        this(null);
    }

    /**
     * @param observer receives every decision of every stream's oplock (traces), or {@code null}
     */
    public ReferenceFileSystem(OplockObserver observer) {
        this.observer = observer;
        this.driverObject = new DriverObject(DRIVER_NAME);
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            switch (major) {
                case IrpMajorFunction.IRP_MJ_CREATE:
                case IrpMajorFunction.IRP_MJ_CLEANUP:
                case IrpMajorFunction.IRP_MJ_CLOSE:
                case IrpMajorFunction.IRP_MJ_READ:
                case IrpMajorFunction.IRP_MJ_WRITE:
                case IrpMajorFunction.IRP_MJ_QUERY_INFORMATION:
                case IrpMajorFunction.IRP_MJ_SET_INFORMATION:
                case IrpMajorFunction.IRP_MJ_FLUSH_BUFFERS:
                case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                case IrpMajorFunction.IRP_MJ_SET_SECURITY:
                case IrpMajorFunction.IRP_MJ_QUERY_SECURITY:
                    driverObject.majorFunction(major, (device, irp) -> dispatchCommon(irp));
                    break;
                default:
                    break;
            }
        }
        this.volumeDevice = new DeviceObject(driverObject, "\\Device\\HarddiskVolume1", this);
        this.root = new Fcb(null, "", true, nextFileId.getAndIncrement(), -1, clock.get(), observer);
    }

    /** @return the driver object ({@code \FileSystem\RefFs}) */
    public DriverObject driverObject() {
        return driverObject;
    }

    /** @return the volume device, the bottom of the volume's device stack */
    public DeviceObject volumeDevice() {
        return volumeDevice;
    }

    /**
     * Creates a directory and its missing ancestors before the volume is mounted.
     *
     * @param path volume-relative, for example {@code \Users\test}
     * @throws IllegalArgumentException when the path is invalid or a component is a file
     */
    public void createDirectories(String path) {
        List<String> parts = PathName.split(path);
        if (parts == null) {
            throw new IllegalArgumentException("invalid path: " + path);
        }
        Fcb dir = root;
        for (String part : parts) {
            dir = childOrCreate(dir, part, true, path);
        }
    }

    /**
     * Creates a file (and its missing parent directories) before the volume is mounted.
     *
     * @param size the end of file, bytes; the contents read as zeros
     * @param attributes FILE_ATTRIBUTE_* bits (0 means FILE_ATTRIBUTE_ARCHIVE)
     * @throws IllegalArgumentException when the path is invalid, is the root, or crosses a file
     */
    public void createFile(String path, long size, int attributes) {
        List<String> parts = PathName.split(path);
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("invalid file path: " + path);
        }
        Fcb dir = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = childOrCreate(dir, parts.get(i), true, path);
        }
        Fcb f = childOrCreate(dir, parts.get(parts.size() - 1), false, path);
        f.fileSize = size;
        f.validDataLength = size;
        f.allocationSize = roundUp(size);
        if (attributes != 0) {
            f.attributes = attributes & ~FileAttributes.FILE_ATTRIBUTE_DIRECTORY;
        }
    }

    /** @return whether this file system implements the FSCTL (the others fail with STATUS_INVALID_DEVICE_REQUEST) */
    public static boolean implementsFsControl(int fsControlCode) {
        return FsControl.implemented(fsControlCode);
    }

    /** @return whether the path names an existing file or directory (for tests and tools) */
    public boolean exists(String path) {
        return lookup(path) != null;
    }

    /** @return whether the path names an existing directory */
    public boolean isDirectory(String path) {
        Fcb f = lookup(path);
        return f != null && f.directory;
    }

    /**
     * @return the oplock of an existing stream, or {@code null}; for inspection between requests (the
     *     dispatcher thread owns it: read it only when the emulator is quiescent)
     */
    public org.irpemu.fsrtl.Oplock oplock(String path) {
        Fcb f = lookup(path);
        return f == null ? null : f.oplock;
    }

    /** @return the end of file of an existing file, or -1 */
    public long fileSize(String path) {
        Fcb f = lookup(path);
        return f == null ? -1 : f.fileSize;
    }

    private Fcb lookup(String path) {
        List<String> parts = PathName.split(path);
        if (parts == null) {
            return null;
        }
        Fcb f = root;
        for (String p : parts) {
            if (!f.directory) {
                return null;
            }
            f = f.children.get(PathName.key(p));
            if (f == null) {
                return null;
            }
        }
        return f;
    }

    private Fcb childOrCreate(Fcb dir, String name, boolean directory, String path) {
        if (!dir.directory) {
            throw new IllegalArgumentException(dir.path() + " is a file, in " + path);
        }
        Fcb existing = dir.children.get(PathName.key(name));
        if (existing != null) {
            if (existing.directory != directory) {
                throw new IllegalArgumentException(existing.path() + (directory ? " is a file" : " is a directory"));
            }
            return existing;
        }
        Fcb f = newFcb(dir, name, directory, -1);
        dir.children.put(PathName.key(name), f);
        namespaceChanged();
        return f;
    }

    Fcb newFcb(Fcb parent, String name, boolean directory, int dispatcher) {
        return new Fcb(parent, name, directory, nextFileId.getAndIncrement(), dispatcher, now(), observer);
    }

    /** @return the name space's generation (a volatile read) */
    long namespaceGeneration() {
        return namespaceGeneration.get();
    }

    /** A directory's children changed: every dispatcher's resolved names are stale. */
    void namespaceChanged() {
        namespaceGeneration.incrementAndGet();
    }

    /** @return the path cache of a dispatcher thread (only that thread uses it) */
    PathCache pathCache(int dispatcher) {
        PathCache[] caches = pathCaches;
        if (dispatcher >= caches.length) {
            synchronized (this) {
                caches = pathCaches;
                if (dispatcher >= caches.length) {
                    PathCache[] bigger = java.util.Arrays.copyOf(caches, dispatcher + 1);
                    for (int i = caches.length; i < bigger.length; i++) {
                        bigger[i] = new PathCache();
                    }
                    pathCaches = bigger;
                    caches = bigger;
                }
            }
        }
        return caches[dispatcher];
    }

    /** @return a CCB for a new handle, reused from a closed one of this dispatcher when there is one */
    Ccb newCcb(int dispatcher) {
        return pathCache(dispatcher).takeCcb();
    }

    /** IRP_MJ_CLOSE: the handle's CCB goes back to the dispatcher's spares. */
    void freeCcb(int dispatcher, Ccb ccb) {
        pathCache(dispatcher).giveCcb(ccb);
    }

    long now() {
        return clock.addAndGet(10_000L);
    }

    static long roundUp(long size) {
        return (size + CLUSTER - 1) / CLUSTER * CLUSTER;
    }

    /**
     * The dispatcher that owns a stream: pre-created streams are claimed by the first dispatcher that
     * reaches them (the one their name hashes to).
     */
    int ownerOf(Fcb fcb, int current) {
        int d = fcb.dispatcher;
        if (d >= 0) {
            return d;
        }
        if (DISPATCHER.compareAndSet(fcb, -1, current)) {
            return current;
        }
        return fcb.dispatcher;
    }

    IoSystem ioSystem() {
        return volumeDevice.ioSystem();
    }

    int currentDispatcher() {
        IoSystem io = ioSystem();
        int d = io == null ? -1 : io.currentDispatcher();
        if (d < 0) {
            throw new IllegalStateException("the file system runs only on dispatcher threads");
        }
        return d;
    }

    /** Re-drives an IRP from the start of its dispatch routine on a dispatcher, after what is running now. */
    void post(int dispatcher, Irp irp) {
        ioSystem().queueWorkItem(dispatcher, redrive, irp);
    }

    /** Runs a routine on another dispatcher (parent-directory oplock breaks across dispatchers). */
    void post(int dispatcher, IoWorkItemRoutine routine, Object context) {
        ioSystem().queueWorkItem(dispatcher, routine, context);
    }

    /**
     * Breaks the parent directory's oplock for a change of one of its children (FsRtlCheckOplockEx with
     * OPLOCK_FLAG_PARENT_OBJECT, which never waits). A directory owned by another dispatcher gets the
     * check there, with an IRP that carries the same major function and file object.
     */
    void breakParentOplock(Fcb parent, Irp irp, FileObject fo, int extraFlags, int current) {
        if (parent == null) {
            return;
        }
        int flags = OplockFlags.OPLOCK_FLAG_PARENT_OBJECT | extraFlags;
        int owner = ownerOf(parent, current);
        if (owner == current) {
            FsRtl.checkOplockEx(parent.oplock, irp, flags, null, null, null);
            return;
        }
        int major = Io.getCurrentIrpStackLocation(irp).majorFunction();
        post(owner, context -> {
            Irp check = Io.allocateIrp(1, null);
            Io.getNextIrpStackLocation(check).majorFunction(major).fileObject(fo);
            Io.setNextIrpStackLocation(check);
            FsRtl.checkOplockEx(parent.oplock, check, flags, null, null, null);
        }, null);
    }

    /** The common dispatch routine: entered from IoCallDriver and when a parked IRP is re-driven. */
    int dispatchCommon(Irp irp) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        switch (sl.majorFunction()) {
            case IrpMajorFunction.IRP_MJ_CREATE:
                return create.create(irp, sl);
            case IrpMajorFunction.IRP_MJ_CLEANUP:
                return cleanup.cleanup(irp, sl);
            case IrpMajorFunction.IRP_MJ_CLOSE:
                return cleanup.close(irp, sl);
            case IrpMajorFunction.IRP_MJ_READ:
                return readWrite.read(irp, sl);
            case IrpMajorFunction.IRP_MJ_WRITE:
                return readWrite.write(irp, sl);
            case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                return readWrite.lockControl(irp, sl);
            case IrpMajorFunction.IRP_MJ_FLUSH_BUFFERS:
                return readWrite.flush(irp, sl);
            case IrpMajorFunction.IRP_MJ_QUERY_INFORMATION:
                return information.query(irp, sl);
            case IrpMajorFunction.IRP_MJ_SET_INFORMATION:
                return information.set(irp, sl);
            case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                return control.fileSystemControl(irp, sl);
            case IrpMajorFunction.IRP_MJ_SET_SECURITY:
                return readWrite.setSecurity(irp, sl);
            case IrpMajorFunction.IRP_MJ_QUERY_SECURITY:
                return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
            default:
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        }
    }

    /** @return the FCB of an opened file object, or {@code null} */
    static Fcb fcb(IoStackLocation sl) {
        // A file object another driver completed the create of (a filter's virtual file) is not ours.
        Object context = sl.fileObject() == null ? null : sl.fileObject().fsContext();
        return context instanceof Fcb ? (Fcb) context : null;
    }

    /** @return the CCB of an opened file object, or {@code null} */
    static Ccb ccb(IoStackLocation sl) {
        Object context = sl.fileObject() == null ? null : sl.fileObject().fsContext2();
        return context instanceof Ccb ? (Ccb) context : null;
    }
}
