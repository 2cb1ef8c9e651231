package org.irpemu.fsrtl;

import java.util.ArrayList;
import java.util.List;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.DriverCancel;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;

/**
 * {@code FILE_LOCK}: the byte-range locks of one stream, with the FsRtl file-lock routines
 * ({@code FsRtlProcessFileLock}, {@code FsRtlCheckLockForReadAccess}, {@code FsRtlCheckLockForWriteAccess},
 * {@code FsRtlFastUnlockAll}, {@code FsRtlAreThereCurrentFileLocks}, {@code FsRtlCheckLockForOplockRequest}).
 *
 * <p>Rules (MS-FSA 2.1.4.10 and 2.1.5.8, which LockFileEx's prose simplifies): an exclusive lock may not
 * overlap any existing lock; a shared lock may not overlap another owner's exclusive lock; a lock's owner
 * is its file object and key. Reads conflict with exclusive locks of other owners; writes conflict with
 * exclusive locks of other owners and with every shared lock. A range ends at offset + length - 1, so a
 * zero-length range inside another overlaps it; only {0, 0} overlaps nothing. A lock request that
 * conflicts and did not ask to fail immediately waits (pending, cancelable) until an unlock lets it
 * through.
 */
public final class FileLock {
    private static final class Range {
        final FileObject owner;
        final int key;
        final long offset;
        final long length;
        final boolean exclusive;

        Range(FileObject owner, int key, long offset, long length, boolean exclusive) {
            this.owner = owner;
            this.key = key;
            this.offset = offset;
            this.length = length;
            this.exclusive = exclusive;
        }

        /**
         * MS-FSA 2.1.4.10's arithmetic: a range ends at offset + length - 1, so a zero-length range strictly
         * inside another overlaps it; only the range {0, 0} overlaps nothing.
         */
        boolean overlaps(long o, long l) {
            if ((offset == 0 && length == 0) || (o == 0 && l == 0)) {
                return false;
            }
            // Offsets and lengths are unsigned 64-bit values (MS-FSA 2.1.5.8).
            return Long.compareUnsigned(o, offset + length - 1) <= 0
                    && Long.compareUnsigned(o + l - 1, offset) >= 0;
        }

        boolean ownedBy(FileObject fo, int k) {
            return owner == fo && key == k;
        }
    }

    private final List<Range> locks = new ArrayList<>();
    private final List<Irp> waiting = new ArrayList<>();

    /**
     * {@code FsRtlProcessFileLock}: performs the IRP_MJ_LOCK_CONTROL request of the IRP's current stack
     * location and completes the IRP, unless a lock must wait, in which case the IRP stays pending here.
     *
     * @return STATUS_SUCCESS, STATUS_LOCK_NOT_GRANTED (conflict, fail immediately), STATUS_RANGE_NOT_LOCKED
     *     (unlock of a range that is not locked exactly so), STATUS_INVALID_LOCK_RANGE (the
     *     range runs past offset 2^64 - 1; offsets and lengths are unsigned 64-bit byte counts, MS-FSA 2.1.5.8
     *     and 2.1.5.9), STATUS_INVALID_PARAMETER (unknown minor function), or STATUS_PENDING
     */
    public int processFileLock(Irp irp) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        if (sl.majorFunction() != IrpMajorFunction.IRP_MJ_LOCK_CONTROL) {
            throw new IllegalArgumentException("FsRtlProcessFileLock on " + IrpMajorFunction.name(sl.majorFunction()));
        }
        FileObject fo = sl.fileObject();
        long offset = sl.byteOffset();
        long length = sl.length();
        int status;
        switch (sl.minorFunction()) {
            case IrpMinorFunction.IRP_MN_LOCK:
                if (!validRange(offset, length)) {
                    status = NtStatus.STATUS_INVALID_LOCK_RANGE;
                    break;
                }
                boolean exclusive = (sl.flags() & IoStackLocation.SL_EXCLUSIVE_LOCK) != 0;
                if (conflicts(fo, sl.key(), offset, length, exclusive)) {
                    if ((sl.flags() & IoStackLocation.SL_FAIL_IMMEDIATELY) != 0) {
                        status = NtStatus.STATUS_LOCK_NOT_GRANTED;
                        break;
                    }
                    Io.markIrpPending(irp);
                    waiting.add(irp);
                    irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK] = this;
                    Io.setCancelRoutine(irp, CANCEL_WAITING_LOCK);
                    if (irp.isCancel() && Io.setCancelRoutine(irp, null) != null) {
                        waiting.remove(irp);
                        return Io.completeRequest(irp, NtStatus.STATUS_CANCELLED, 0);
                    }
                    return NtStatus.STATUS_PENDING;
                }
                locks.add(new Range(fo, sl.key(), offset, length, exclusive));
                fo.lockOperation(true);
                status = NtStatus.STATUS_SUCCESS;
                break;
            case IrpMinorFunction.IRP_MN_UNLOCK_SINGLE:
                status = validRange(offset, length)
                        ? unlockSingle(fo, sl.key(), offset, length)
                        : NtStatus.STATUS_INVALID_LOCK_RANGE;
                break;
            case IrpMinorFunction.IRP_MN_UNLOCK_ALL:
                fastUnlockAll(fo);
                status = NtStatus.STATUS_SUCCESS;
                break;
            case IrpMinorFunction.IRP_MN_UNLOCK_ALL_BY_KEY:
                locks.removeIf(r -> r.ownedBy(fo, sl.key()));
                status = NtStatus.STATUS_SUCCESS;
                break;
            default:
                status = NtStatus.STATUS_INVALID_PARAMETER;
                break;
        }
        Io.completeRequest(irp, status, 0);
        if (sl.minorFunction() != IrpMinorFunction.IRP_MN_LOCK) {
            retryWaiting();
        }
        return status;
    }

    /** MS-FSA 2.1.5.8 and 2.1.5.9: a range must not run past the largest unsigned 64-bit offset. */
    private static boolean validRange(long offset, long length) {
        return length == 0 || Long.compareUnsigned(offset + length - 1, offset) >= 0;
    }

    private int unlockSingle(FileObject fo, int key, long offset, long length) {
        for (int i = 0; i < locks.size(); i++) {
            Range r = locks.get(i);
            if (r.ownedBy(fo, key) && r.offset == offset && r.length == length) {
                locks.remove(i);
                return NtStatus.STATUS_SUCCESS;
            }
        }
        return NtStatus.STATUS_RANGE_NOT_LOCKED;
    }

    /**
     * MS-FSA 2.1.4.10 as 2.1.5.8 uses it: an exclusive request conflicts with every overlapping lock; a shared
     * request only with overlapping exclusive locks of other owners.
     */
    private boolean conflicts(FileObject fo, int key, long offset, long length, boolean exclusive) {
        for (Range r : locks) {
            if (r.overlaps(offset, length) && (exclusive || (r.exclusive && !r.ownedBy(fo, key)))) {
                return true;
            }
        }
        return false;
    }

    /** Grants waiting locks that no longer conflict, in arrival order. */
    private void retryWaiting() {
        for (int i = 0; i < waiting.size(); ) {
            Irp irp = waiting.get(i);
            IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
            boolean exclusive = (sl.flags() & IoStackLocation.SL_EXCLUSIVE_LOCK) != 0;
            if (!conflicts(sl.fileObject(), sl.key(), sl.byteOffset(), sl.length(), exclusive)) {
                waiting.remove(i);
                Io.setCancelRoutine(irp, null);
                locks.add(new Range(sl.fileObject(), sl.key(), sl.byteOffset(), sl.length(), exclusive));
                sl.fileObject().lockOperation(true);
                Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
            } else {
                i++;
            }
        }
    }

    private static final DriverCancel CANCEL_WAITING_LOCK = (DeviceObject device, Irp irp) -> {
        FileLock lock = (FileLock) irp.driverContext()[FsRtl.DRIVER_CONTEXT_OPLOCK];
        lock.waiting.remove(irp);
        Io.completeRequest(irp, NtStatus.STATUS_CANCELLED, 0);
    };

    /**
     * {@code FsRtlCheckLockForReadAccess}: whether a read of the IRP's range through its file object and
     * key is allowed (no overlapping exclusive lock of another owner).
     */
    public boolean checkLockForReadAccess(Irp irp) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        return checkRange(sl.fileObject(), sl.key(), sl.byteOffset(), sl.length(), false);
    }

    /**
     * {@code FsRtlCheckLockForWriteAccess}: whether a write of the IRP's range is allowed (no overlapping
     * shared lock, no overlapping exclusive lock of another owner).
     */
    public boolean checkLockForWriteAccess(Irp irp) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        return checkRange(sl.fileObject(), sl.key(), sl.byteOffset(), sl.length(), true);
    }

    /** The same checks for an explicit range (zeroing, and reads and writes the file system splits). */
    public boolean checkRange(FileObject fo, int key, long offset, long length, boolean write) {
        if (locks.isEmpty()) {
            return true;
        }
        for (Range r : locks) {
            if (!r.overlaps(offset, length)) {
                continue;
            }
            if (r.exclusive ? !r.ownedBy(fo, key) : write) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code FsRtlFastUnlockAll}: removes every lock of the file object (at cleanup) and completes its
     * waiting lock requests with STATUS_RANGE_NOT_LOCKED; other waiters are retried.
     */
    public void fastUnlockAll(FileObject fo) {
        if (locks.isEmpty() && waiting.isEmpty()) {
            return; // every cleanup comes here: no capturing lambda or iterator for the JIT to keep
        }
        boolean removed = false;
        for (int i = locks.size() - 1; i >= 0; i--) {
            if (locks.get(i).owner == fo) {
                locks.remove(i);
                removed = true;
            }
        }
        for (int i = 0; i < waiting.size(); ) {
            Irp irp = waiting.get(i);
            if (Io.getCurrentIrpStackLocation(irp).fileObject() == fo) {
                waiting.remove(i);
                Io.setCancelRoutine(irp, null);
                Io.completeRequest(irp, NtStatus.STATUS_RANGE_NOT_LOCKED, 0);
            } else {
                i++;
            }
        }
        if (removed) {
            retryWaiting();
        }
    }

    /** {@code FsRtlAreThereCurrentFileLocks}. */
    public boolean areThereCurrentFileLocks() {
        return !locks.isEmpty();
    }

    /**
     * {@code FsRtlCheckLockForOplockRequest}: true when no lock starting below {@code allocationSize}
     * exists, so that a shared oplock may be granted.
     */
    public boolean checkLockForOplockRequest(long allocationSize) {
        for (Range r : locks) {
            if (r.offset < allocationSize) {
                return false;
            }
        }
        return true;
    }

    /** @return locks held now */
    public int lockCount() {
        return locks.size();
    }
}
