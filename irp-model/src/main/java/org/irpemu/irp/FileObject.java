package org.irpemu.irp;

import java.util.UUID;

/**
 * {@code FILE_OBJECT}: one open instance of a file, created by the I/O manager for each successful
 * {@code NtCreateFile} (one handle). File systems keep their per-stream context in
 * {@link #fsContext()} (the FCB) and their per-handle context in {@link #fsContext2()} (the CCB).
 *
 * <p>The oplock keys are those an {@code OPLOCK_KEY_ECP_CONTEXT} (target) or
 * {@code DUAL_OPLOCK_KEY_ECP_CONTEXT} (target and parent) attached to the create set; a file object with
 * no target key is its own unique key, as FsRtl treats it.
 *
 * <p>All fields are owned by the dispatcher thread of the file's stream.
 */
public final class FileObject {
    public static final int FO_FILE_OPEN = 0x00000001;
    public static final int FO_SYNCHRONOUS_IO = 0x00000002;
    public static final int FO_ALERTABLE_IO = 0x00000004;
    public static final int FO_NO_INTERMEDIATE_BUFFERING = 0x00000008;
    public static final int FO_WRITE_THROUGH = 0x00000010;
    public static final int FO_SEQUENTIAL_ONLY = 0x00000020;
    public static final int FO_CLEANUP_COMPLETE = 0x00004000;
    public static final int FO_DELETE_ON_CLOSE = 0x00010000;
    public static final int FO_HANDLE_CREATED = 0x00040000;
    public static final int FO_RANDOM_ACCESS = 0x00100000;

    private DeviceObject deviceObject;
    private String fileName;
    private Object fsContext;
    private Object fsContext2;
    private int flags;
    private long currentByteOffset;
    private boolean lockOperation;
    private boolean deletePending;
    private boolean readAccess;
    private boolean writeAccess;
    private boolean deleteAccess;
    private boolean sharedRead;
    private boolean sharedWrite;
    private boolean sharedDelete;
    private UUID targetOplockKey;
    private UUID parentOplockKey;
    private int dispatcher;
    private int grantedAccess;
    private long id;
    /** Head of the I/O manager's list of this file object's in-flight IRPs (for CancelIoEx); not for drivers. */
    public Irp ioListHead;
    private volatile Object filterContext;

    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    /** Created by the I/O manager for a create; drivers do not create file objects for callers. */
    public FileObject(DeviceObject deviceObject, String fileName) {
        this.deviceObject = deviceObject;
        this.fileName = fileName;
        this.id = IDS.incrementAndGet();
    }

    /**
     * Makes a file object whose handle was closed (and which no IRP references any more) a new one, for
     * the I/O manager's recycling ({@link org.irpemu.io.IoManager.Builder#recycleFileObjects}): every field
     * as {@code new FileObject(deviceObject, fileName)} leaves it, and a new {@link #id()}. As Windows
     * reuses a closed handle's value, a caller that keeps using a closed handle reaches the new open.
     */
    public void reinitialize(DeviceObject deviceObject, String fileName) {
        this.deviceObject = deviceObject;
        this.fileName = fileName;
        this.fsContext = null;
        this.fsContext2 = null;
        this.flags = 0;
        this.currentByteOffset = 0;
        this.lockOperation = false;
        this.deletePending = false;
        this.readAccess = false;
        this.writeAccess = false;
        this.deleteAccess = false;
        this.sharedRead = false;
        this.sharedWrite = false;
        this.sharedDelete = false;
        this.targetOplockKey = null;
        this.parentOplockKey = null;
        this.dispatcher = 0;
        this.grantedAccess = 0;
        this.ioListHead = null;
        this.filterContext = null;
        this.id = IDS.incrementAndGet();
    }

    /** @return a number unique in this JVM, for traces ("which handle") */
    public long id() {
        return id;
    }

    /** @return DeviceObject: the volume device the file was opened on */
    public DeviceObject deviceObject() {
        return deviceObject;
    }

    /** @return FileName: the volume-relative path, starting with a backslash */
    public String fileName() {
        return fileName;
    }

    public void fileName(String fileName) {
        this.fileName = fileName;
    }

    /**
     * {@code IoGetFileObjectFilterContext}: the file object's filter context, where the Filter Manager
     * keeps its per-handle (stream handle) contexts.
     *
     * @return the context, or {@code null}
     */
    public Object filterContext() {
        return filterContext;
    }

    /**
     * {@code IoChangeFileObjectFilterContext}: sets the filter context once, or removes it.
     *
     * @param expected the current value ({@code null} to set, the value to remove it)
     * @param value the new value ({@code null} to remove)
     * @return whether the change was made (it fails when {@code expected} is not the current value)
     */
    public synchronized boolean changeFilterContext(Object expected, Object value) {
        if (filterContext != expected) {
            return false;
        }
        filterContext = value;
        return true;
    }

    /** @return FsContext: the file system's per-stream context (FCB / SCB) */
    public Object fsContext() {
        return fsContext;
    }

    public void fsContext(Object fsContext) {
        this.fsContext = fsContext;
    }

    /** @return FsContext2: the file system's per-handle context (CCB) */
    public Object fsContext2() {
        return fsContext2;
    }

    public void fsContext2(Object fsContext2) {
        this.fsContext2 = fsContext2;
    }

    /** @return Flags, {@code FO_*} bits */
    public int flags() {
        return flags;
    }

    public void flags(int flags) {
        this.flags = flags;
    }

    /** @return whether any of {@code flag} is set */
    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public void setFlag(int flag) {
        flags |= flag;
    }

    /** @return CurrentByteOffset, used by synchronous-I/O file objects */
    public long currentByteOffset() {
        return currentByteOffset;
    }

    public void currentByteOffset(long offset) {
        this.currentByteOffset = offset;
    }

    /** @return LockOperation: a byte-range lock request has been made through this file object */
    public boolean lockOperation() {
        return lockOperation;
    }

    public void lockOperation(boolean value) {
        this.lockOperation = value;
    }

    /** @return DeletePending, as the file system last set it */
    public boolean deletePending() {
        return deletePending;
    }

    public void deletePending(boolean value) {
        this.deletePending = value;
    }

    /** @return ReadAccess, set by {@code IoSetShareAccess} */
    public boolean readAccess() {
        return readAccess;
    }

    /** @return WriteAccess, set by {@code IoSetShareAccess} */
    public boolean writeAccess() {
        return writeAccess;
    }

    /** @return DeleteAccess, set by {@code IoSetShareAccess} */
    public boolean deleteAccess() {
        return deleteAccess;
    }

    /** @return SharedRead, set by {@code IoSetShareAccess} */
    public boolean sharedRead() {
        return sharedRead;
    }

    /** @return SharedWrite, set by {@code IoSetShareAccess} */
    public boolean sharedWrite() {
        return sharedWrite;
    }

    /** @return SharedDelete, set by {@code IoSetShareAccess} */
    public boolean sharedDelete() {
        return sharedDelete;
    }

    /** Sets the six access and sharing booleans, as {@code IoSetShareAccess} and {@code IoCheckShareAccess} do. */
    public void setAccessAndSharing(boolean read, boolean write, boolean delete, boolean shareRead,
            boolean shareWrite, boolean shareDelete) {
        this.readAccess = read;
        this.writeAccess = write;
        this.deleteAccess = delete;
        this.sharedRead = shareRead;
        this.sharedWrite = shareWrite;
        this.sharedDelete = shareDelete;
    }

    /** @return the target oplock key from the create's ECP, or {@code null} when none was given */
    public UUID targetOplockKey() {
        return targetOplockKey;
    }

    /** @return the parent oplock key from the create's ECP, or {@code null} when none was given */
    public UUID parentOplockKey() {
        return parentOplockKey;
    }

    /** Sets the oplock keys, as the oplock package does from the create's ECP list. */
    public void oplockKeys(UUID target, UUID parent) {
        this.targetOplockKey = target;
        this.parentOplockKey = parent;
    }

    /** @return the index of the dispatcher thread that owns this file's stream */
    public int dispatcher() {
        return dispatcher;
    }

    /** Set by the file system when the stream's owner is known (creates may move between dispatchers). */
    public void dispatcher(int dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** @return the access granted to the handle (the object manager's GrantedAccess) */
    public int grantedAccess() {
        return grantedAccess;
    }

    public void grantedAccess(int grantedAccess) {
        this.grantedAccess = grantedAccess;
    }

    @Override
    public String toString() {
        return "FILE_OBJECT#" + id + " " + fileName;
    }
}
