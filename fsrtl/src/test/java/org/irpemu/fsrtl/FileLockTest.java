package org.irpemu.fsrtl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.status.NtStatus.STATUS_CANCELLED;
import static org.irpemu.status.NtStatus.STATUS_LOCK_NOT_GRANTED;
import static org.irpemu.status.NtStatus.STATUS_PENDING;
import static org.irpemu.status.NtStatus.STATUS_RANGE_NOT_LOCKED;
import static org.irpemu.status.NtStatus.STATUS_SUCCESS;

import java.util.ArrayList;
import java.util.List;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code FILE_LOCK} and the FsRtl byte-range lock routines, driven with IRP_MJ_LOCK_CONTROL IRPs. The
 * expectations come from LockFileEx / UnlockFileEx / NtLockFile, the FsRtl DDI pages and [MS-FSA]
 * 2.1.4.10 (range conflicts), 2.1.5.8 (lock) and 2.1.5.9 (unlock):
 *
 * <ul>
 *   <li>an exclusive lock may not overlap any existing lock, even one of the same owner; a shared lock
 *       may not overlap an exclusive lock of another owner;</li>
 *   <li>a lock's owner is its file object and key; unlock must name exactly a range locked by that
 *       owner, else STATUS_RANGE_NOT_LOCKED;</li>
 *   <li>a conflicting request fails with STATUS_LOCK_NOT_GRANTED when it asked to fail immediately,
 *       otherwise it waits (cancelable) until it can be granted;</li>
 *   <li>reads are blocked by exclusive locks of other owners; writes by those and by every shared lock;</li>
 *   <li>the {0, 0} range conflicts with nothing; another zero-length range conflicts only with a range
 *       that contains it past its first byte (MS-FSA 2.1.4.10's LastByteOffset arithmetic).</li>
 * </ul>
 */
class FileLockTest {
    private final List<Irp> completions = new ArrayList<>();
    private final FileLock lock = new FileLock();
    private final FileObject a = new FileObject(null, "\\x");
    private final FileObject b = new FileObject(null, "\\x");
    private final FileObject c = new FileObject(null, "\\x");

    // ---------------------------------------------------------------------------------------------
    // IRP helpers
    // ---------------------------------------------------------------------------------------------

    private Irp irp(int minor, FileObject fo, long offset, long length, int key, int flags) {
        Irp irp = Io.allocateIrp(1, completions::add);
        Io.getNextIrpStackLocation(irp).majorFunction(IrpMajorFunction.IRP_MJ_LOCK_CONTROL).minorFunction(minor)
                .fileObject(fo).byteOffset(offset).length(length).key(key).flags(flags);
        Io.setNextIrpStackLocation(irp);
        return irp;
    }

    private Irp lockIrp(FileObject fo, long offset, long length, int key, boolean failImmediately, boolean exclusive) {
        return irp(IrpMinorFunction.IRP_MN_LOCK, fo, offset, length, key,
                (failImmediately ? IoStackLocation.SL_FAIL_IMMEDIATELY : 0)
                        | (exclusive ? IoStackLocation.SL_EXCLUSIVE_LOCK : 0));
    }

    /** LockFileEx with LOCKFILE_FAIL_IMMEDIATELY. */
    private int tryLock(FileObject fo, long offset, long length, int key, boolean exclusive) {
        Irp irp = lockIrp(fo, offset, length, key, true, exclusive);
        int status = lock.processFileLock(irp);
        assertThat(irp.isCompleted()).as("a fail-immediately request always completes").isTrue();
        assertThat(irp.ioStatus().status()).isEqualTo(status);
        return status;
    }

    private int tryExclusive(FileObject fo, long offset, long length) {
        return tryLock(fo, offset, length, 0, true);
    }

    private int tryShared(FileObject fo, long offset, long length) {
        return tryLock(fo, offset, length, 0, false);
    }

    /** LockFileEx without LOCKFILE_FAIL_IMMEDIATELY: returns the IRP, pending or completed. */
    private Irp waitLock(FileObject fo, long offset, long length, boolean exclusive) {
        Irp irp = lockIrp(fo, offset, length, 0, false, exclusive);
        int status = lock.processFileLock(irp);
        if (status == STATUS_PENDING) {
            assertThat(irp.isCompleted()).isFalse();
        } else {
            assertThat(irp.isCompleted()).isTrue();
        }
        return irp;
    }

    private int unlock(FileObject fo, long offset, long length, int key) {
        Irp irp = irp(IrpMinorFunction.IRP_MN_UNLOCK_SINGLE, fo, offset, length, key, 0);
        int status = lock.processFileLock(irp);
        assertThat(irp.isCompleted()).isTrue();
        assertThat(irp.ioStatus().status()).isEqualTo(status);
        return status;
    }

    private int unlock(FileObject fo, long offset, long length) {
        return unlock(fo, offset, length, 0);
    }

    private static String st(int status) {
        return NtStatus.describe(status);
    }

    private static String st(Irp irp) {
        return irp.isCompleted() ? NtStatus.describe(irp.ioStatus().status()) : "pending";
    }

    private static final String GRANTED = NtStatus.describe(STATUS_SUCCESS);
    private static final String REFUSED = NtStatus.describe(STATUS_LOCK_NOT_GRANTED);

    // ---------------------------------------------------------------------------------------------
    // Exclusive and shared overlap rules
    // ---------------------------------------------------------------------------------------------

    @Nested
    class OverlapRules {
        @Test
        void exclusiveLockRefusesAnOverlappingExclusiveLockOfAnotherOwner() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 5, 10))).isEqualTo(REFUSED);
            assertThat(st(tryExclusive(b, 9, 1))).isEqualTo(REFUSED);
            assertThat(st(tryExclusive(b, 0, 100))).isEqualTo(REFUSED);
        }

        @Test
        void exclusiveLockRefusesAnOverlappingSharedLockOfAnotherOwner() {
            assertThat(st(tryExclusive(a, 100, 50))).isEqualTo(GRANTED);
            assertThat(st(tryShared(b, 149, 1))).isEqualTo(REFUSED);
            assertThat(st(tryShared(b, 90, 11))).isEqualTo(REFUSED);
        }

        @Test
        void sharedLocksOverlapEachOther() {
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryShared(b, 5, 10))).isEqualTo(GRANTED);
            assertThat(st(tryShared(c, 0, 20))).isEqualTo(GRANTED);
            assertThat(st(tryShared(a, 2, 3))).as("same owner, shared over shared").isEqualTo(GRANTED);
            assertThat(lock.lockCount()).isEqualTo(4);
        }

        @Test
        void sharedLockRefusesAnOverlappingExclusiveLock() {
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 9, 5))).isEqualTo(REFUSED);
        }

        @Test
        void exclusiveLockMayNotOverlapTheOwnersOwnLocks() {
            // "Exclusive locks cannot overlap an existing locked region of a file" (LockFileEx); MS-FSA
            // 2.1.4.10: "Overlapping exclusive byte-range locks are not allowed even by the same owner".
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(a, 5, 10))).isEqualTo(REFUSED);
            assertThat(st(tryShared(a, 20, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(a, 25, 1))).as("exclusive over the owner's shared lock").isEqualTo(REFUSED);
        }

        @Test
        void sharedLockMayStackOnTheOwnersOwnExclusiveLock() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryShared(a, 5, 10))).isEqualTo(GRANTED);
            // Still refused for another owner, and for the same file object under another key.
            assertThat(st(tryShared(b, 5, 1))).isEqualTo(REFUSED);
            assertThat(st(tryLock(a, 5, 1, 9, false))).isEqualTo(REFUSED);
        }

        @Test
        void theKeyIsPartOfTheOwner() {
            assertThat(st(tryLock(a, 0, 10, 1, true))).isEqualTo(GRANTED);
            assertThat(st(tryLock(a, 5, 1, 2, true))).isEqualTo(REFUSED);
            assertThat(st(tryLock(a, 5, 1, 2, false))).isEqualTo(REFUSED);
            // Reads through the same file object with another key are blocked by the exclusive lock.
            assertThat(lock.checkRange(a, 2, 0, 10, false)).isFalse();
            assertThat(lock.checkRange(a, 1, 0, 10, false)).isTrue();
        }

        @Test
        void adjacentRangesDoNotOverlap() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 0, 10))).as("ends where the lock starts").isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 20, 10))).as("starts where the lock ends").isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 19, 2))).isEqualTo(REFUSED);
        }

        @Test
        void locksBeyondTheEndOfFileAreAllowed() {
            // LockFileEx: "Locking a region that goes beyond the current end-of-file position is not an error."
            assertThat(st(tryExclusive(a, 1L << 40, 1L << 20))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, (1L << 40) + 5, 1))).isEqualTo(REFUSED);
        }

        @Test
        void areThereCurrentFileLocksFollowsTheLocks() {
            assertThat(lock.areThereCurrentFileLocks()).isFalse();
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(lock.areThereCurrentFileLocks()).isTrue();
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(lock.areThereCurrentFileLocks()).isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Zero-length ranges (MS-FSA 2.1.4.10)
    // ---------------------------------------------------------------------------------------------

    @Nested
    class UnsignedRanges {
        /** 0xFFFFFFFFFFFFFFFF, the largest unsigned 64-bit length: "lock the whole file". */
        private static final long ALL = -1L;

        @Test
        void wholeFileLockCoversOffsetsAboveTwoToTheSixtyThree() {
            assertThat(st(tryExclusive(a, 0, ALL))).isEqualTo(GRANTED);
            assertThat(st(tryShared(b, 0x8000_0000_0000_0000L, 1))).isEqualTo(REFUSED);
            assertThat(st(tryShared(b, 0xFFFF_FFFF_FFFF_FFFEL, 1))).as("last byte of the range").isEqualTo(REFUSED);
            assertThat(st(tryShared(b, ALL, 1))).as("just past it").isEqualTo(GRANTED);
            assertThat(st(unlock(a, 0, ALL))).isEqualTo(GRANTED);
        }

        @Test
        void rangePastTheLargestOffsetIsAnInvalidLockRange() {
            // MS-FSA 2.1.5.8 and 2.1.5.9: (FileOffset + Length - 1) < FileOffset with Length != 0.
            String invalid = st(NtStatus.STATUS_INVALID_LOCK_RANGE);
            assertThat(st(tryExclusive(a, 2, ALL))).isEqualTo(invalid);
            assertThat(st(tryShared(a, ALL, 2))).isEqualTo(invalid);
            assertThat(st(unlock(a, 2, ALL))).isEqualTo(invalid);
            assertThat(st(tryExclusive(a, ALL, 1))).as("the very last byte").isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, ALL, 0))).as("zero length anywhere").isEqualTo(GRANTED);
            assertThat(lock.areThereCurrentFileLocks()).isTrue();
        }
    }

    @Nested
    class ZeroLengthRanges {
        @Test
        void zeroZeroRangeConflictsWithNothing() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 0, 0))).isEqualTo(GRANTED);
            assertThat(st(tryShared(c, 0, 0))).isEqualTo(GRANTED);
        }

        @Test
        void zeroZeroLockBlocksNothing() {
            assertThat(st(tryExclusive(a, 0, 0))).isEqualTo(GRANTED);
            assertThat(lock.checkRange(c, 0, 0, 100, true)).isTrue();
            assertThat(st(tryExclusive(b, 0, 10))).isEqualTo(GRANTED);
        }

        @Test
        void zeroLengthLockAtTheStartOrEndOfALockedRangeIsGranted() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 10, 0))).as("at the first byte").isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 20, 0))).as("just past the last byte").isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 5, 0))).as("before the range").isEqualTo(GRANTED);
        }

        @Test
        void zeroLengthLockCanBeUnlockedExactly() {
            assertThat(st(tryExclusive(a, 15, 0))).isEqualTo(GRANTED);
            assertThat(st(unlock(a, 15, 1))).isEqualTo(st(STATUS_RANGE_NOT_LOCKED));
            assertThat(st(unlock(a, 15, 0))).isEqualTo(GRANTED);
            assertThat(lock.areThereCurrentFileLocks()).isFalse();
        }

        @Test
        void zeroLengthLockInsideAnotherOwnersExclusiveLockIsRefused() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            // ByteOffset 15 <= LastByteOffset2 19 and LastByteOffset1 14 >= LockOffset 10: overlap.
            assertThat(st(tryExclusive(b, 15, 0))).isEqualTo(REFUSED);
            assertThat(st(tryShared(b, 15, 0))).isEqualTo(REFUSED);
        }

        @Test
        void existingZeroLengthLockBlocksARangeThatContainsIt() {
            assertThat(st(tryExclusive(a, 15, 0))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 10, 10))).isEqualTo(REFUSED);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Waiting locks
    // ---------------------------------------------------------------------------------------------

    @Nested
    class WaitingLocks {
        @Test
        void conflictingLockWithoutFailImmediatelyPendsUntilTheConflictingLockIsUnlocked() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp waiting = waitLock(b, 5, 10, true);
            assertThat(st(waiting)).isEqualTo("pending");
            assertThat(Io.getCurrentIrpStackLocation(waiting).control() & IoStackLocation.SL_PENDING_RETURNED)
                    .as("IoMarkIrpPending").isNotZero();
            assertThat(waiting.cancelRoutine()).as("a waiting lock is cancelable").isNotNull();
            assertThat(completions).doesNotContain(waiting);

            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(waiting)).isEqualTo(GRANTED);
            assertThat(completions).contains(waiting);
            // B now holds [5, 15) exclusively.
            assertThat(st(tryExclusive(a, 14, 1))).isEqualTo(REFUSED);
            assertThat(lock.checkRange(a, 0, 5, 1, false)).isFalse();
            assertThat(lock.checkRange(b, 0, 5, 1, true)).isTrue();
        }

        @Test
        void nonConflictingLockWithoutFailImmediatelyIsGrantedAtOnce() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp irp = waitLock(b, 10, 10, true);
            assertThat(st(irp)).isEqualTo(GRANTED);
        }

        @Test
        void waitingLockStaysPendingWhileAnotherConflictRemains() {
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryShared(c, 8, 10))).isEqualTo(GRANTED);
            Irp waiting = waitLock(b, 5, 5, true);
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(waiting)).as("C's shared lock still overlaps").isEqualTo("pending");
            assertThat(st(unlock(c, 8, 10))).isEqualTo(GRANTED);
            assertThat(st(waiting)).isEqualTo(GRANTED);
        }

        @Test
        void waitingLocksAreGrantedWhenTheyNoLongerConflict() {
            assertThat(st(tryExclusive(a, 0, 100))).isEqualTo(GRANTED);
            Irp first = waitLock(b, 0, 10, false);
            Irp second = waitLock(c, 5, 10, false);
            Irp third = waitLock(c, 0, 1, true);
            assertThat(List.of(st(first), st(second), st(third))).containsOnly("pending");
            assertThat(st(unlock(a, 0, 100))).isEqualTo(GRANTED);
            // The two shared requests can both be granted; the exclusive one then conflicts with B's shared lock.
            assertThat(st(first)).isEqualTo(GRANTED);
            assertThat(st(second)).isEqualTo(GRANTED);
            assertThat(st(third)).isEqualTo("pending");
            assertThat(st(unlock(b, 0, 10))).isEqualTo(GRANTED);
            // C's own shared lock [5, 15) does not overlap [0, 1): now it is granted.
            assertThat(st(third)).isEqualTo(GRANTED);
        }

        @Test
        void unlockThatFailsGrantsNothing() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp waiting = waitLock(b, 0, 10, true);
            assertThat(st(unlock(a, 0, 5))).isEqualTo(st(STATUS_RANGE_NOT_LOCKED));
            assertThat(st(waiting)).isEqualTo("pending");
            Io.cancelIrp(waiting);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Unlock
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Unlock {
        private final String notLocked = st(STATUS_RANGE_NOT_LOCKED);

        @Test
        void unlockMustNameTheLockedRangeExactly() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(st(unlock(a, 10, 5))).as("a part of the range").isEqualTo(notLocked);
            assertThat(st(unlock(a, 10, 20))).as("a larger range").isEqualTo(notLocked);
            assertThat(st(unlock(a, 12, 8))).as("same end, other start").isEqualTo(notLocked);
            assertThat(st(unlock(a, 0, 100))).as("a covering range").isEqualTo(notLocked);
            assertThat(lock.lockCount()).isEqualTo(1);
            assertThat(st(unlock(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(lock.lockCount()).isZero();
            assertThat(st(unlock(a, 10, 10))).as("already unlocked").isEqualTo(notLocked);
        }

        @Test
        void onlyTheOwnerCanUnlock() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(st(unlock(b, 10, 10))).as("another file object").isEqualTo(notLocked);
            assertThat(st(unlock(a, 10, 10, 7))).as("another key").isEqualTo(notLocked);
            assertThat(st(tryExclusive(b, 10, 1))).isEqualTo(REFUSED);
        }

        @Test
        void unlockWithNothingLockedFails() {
            assertThat(st(unlock(a, 0, 1))).isEqualTo(notLocked);
        }

        @Test
        void eachUnlockReleasesOneLock() {
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryShared(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 0, 10))).as("one shared lock is left").isEqualTo(REFUSED);
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 0, 10))).isEqualTo(GRANTED);
        }

        @Test
        void unlockAllByKeyReleasesOnlyThatKeysLocks() {
            assertThat(st(tryLock(a, 0, 10, 1, true))).isEqualTo(GRANTED);
            assertThat(st(tryLock(a, 20, 10, 2, true))).isEqualTo(GRANTED);
            Irp irp = irp(IrpMinorFunction.IRP_MN_UNLOCK_ALL_BY_KEY, a, 0, 0, 1, 0);
            assertThat(st(lock.processFileLock(irp))).isEqualTo(GRANTED);
            assertThat(st(irp)).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 20, 10))).isEqualTo(REFUSED);
        }

        @Test
        void unlockAllReleasesEveryLockOfTheFileObject() {
            assertThat(st(tryLock(a, 0, 10, 1, true))).isEqualTo(GRANTED);
            assertThat(st(tryLock(a, 20, 10, 2, false))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 40, 10))).isEqualTo(GRANTED);
            Irp irp = irp(IrpMinorFunction.IRP_MN_UNLOCK_ALL, a, 0, 0, 0, 0);
            assertThat(st(lock.processFileLock(irp))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 0, 30))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 45, 1))).isEqualTo(REFUSED);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Read and write checks
    // ---------------------------------------------------------------------------------------------

    @Nested
    class ReadWriteChecks {
        @Test
        void exclusiveLockBlocksReadsAndWritesOfOtherOwnersOnly() {
            assertThat(st(tryExclusive(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(lock.checkRange(b, 0, 15, 1, false)).as("B reads").isFalse();
            assertThat(lock.checkRange(b, 0, 15, 1, true)).as("B writes").isFalse();
            assertThat(lock.checkRange(b, 0, 0, 11, false)).as("B reads across the start").isFalse();
            assertThat(lock.checkRange(a, 0, 15, 1, false)).as("A reads").isTrue();
            assertThat(lock.checkRange(a, 0, 15, 1, true)).as("A writes").isTrue();
            assertThat(lock.checkRange(b, 0, 0, 10, false)).as("B reads before the range").isTrue();
            assertThat(lock.checkRange(b, 0, 20, 10, true)).as("B writes after the range").isTrue();
        }

        @Test
        void sharedLockBlocksEveryWriteButNoRead() {
            assertThat(st(tryShared(a, 10, 10))).isEqualTo(GRANTED);
            assertThat(lock.checkRange(b, 0, 15, 1, false)).as("B reads").isTrue();
            assertThat(lock.checkRange(a, 0, 15, 1, false)).as("A reads").isTrue();
            assertThat(lock.checkRange(b, 0, 15, 1, true)).as("B writes").isFalse();
            assertThat(lock.checkRange(a, 0, 15, 1, true)).as("A writes, even the owner").isFalse();
            assertThat(lock.checkRange(a, 0, 20, 5, true)).as("A writes past the range").isTrue();
        }

        @Test
        void checkLockForReadAndWriteAccessUseTheIrpsRangeFileObjectAndKey() {
            assertThat(st(tryLock(a, 100, 10, 3, true))).isEqualTo(GRANTED);
            assertThat(lock.checkLockForReadAccess(rw(IrpMajorFunction.IRP_MJ_READ, b, 95, 10, 0))).isFalse();
            assertThat(lock.checkLockForWriteAccess(rw(IrpMajorFunction.IRP_MJ_WRITE, b, 95, 10, 0))).isFalse();
            assertThat(lock.checkLockForReadAccess(rw(IrpMajorFunction.IRP_MJ_READ, a, 95, 10, 3))).isTrue();
            assertThat(lock.checkLockForWriteAccess(rw(IrpMajorFunction.IRP_MJ_WRITE, a, 95, 10, 3))).isTrue();
            assertThat(lock.checkLockForReadAccess(rw(IrpMajorFunction.IRP_MJ_READ, a, 95, 10, 4))).isFalse();
            assertThat(lock.checkLockForReadAccess(rw(IrpMajorFunction.IRP_MJ_READ, b, 0, 100, 0))).isTrue();
            assertThat(lock.checkLockForWriteAccess(rw(IrpMajorFunction.IRP_MJ_WRITE, b, 110, 100, 0))).isTrue();
        }

        @Test
        void noLocksNoConflict() {
            assertThat(lock.checkRange(a, 0, 0, Long.MAX_VALUE, true)).isTrue();
            assertThat(lock.checkLockForOplockRequest(Long.MAX_VALUE)).isTrue();
        }

        @Test
        void checkLockForOplockRequestLooksBelowTheAllocationSize() {
            assertThat(st(tryShared(a, 8192, 10))).isEqualTo(GRANTED);
            assertThat(lock.checkLockForOplockRequest(4096)).isTrue();
            assertThat(lock.checkLockForOplockRequest(8193)).isFalse();
        }

        private Irp rw(int major, FileObject fo, long offset, long length, int key) {
            Irp irp = Io.allocateIrp(1, completions::add);
            Io.getNextIrpStackLocation(irp).majorFunction(major).fileObject(fo).byteOffset(offset).length(length)
                    .key(key);
            Io.setNextIrpStackLocation(irp);
            return irp;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FsRtlFastUnlockAll
    // ---------------------------------------------------------------------------------------------

    @Nested
    class FastUnlockAll {
        @Test
        void releasesEveryLockOfTheFileObjectAndNoOther() {
            assertThat(st(tryLock(a, 0, 10, 1, true))).isEqualTo(GRANTED);
            assertThat(st(tryLock(a, 20, 10, 2, false))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(b, 40, 10))).isEqualTo(GRANTED);
            lock.fastUnlockAll(a);
            assertThat(lock.lockCount()).isEqualTo(1);
            assertThat(st(tryExclusive(c, 0, 30))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 40, 1))).isEqualTo(REFUSED);
            assertThat(lock.checkRange(c, 0, 45, 1, false)).isFalse();
        }

        @Test
        void completesTheQueuedLocksThatCanNowBeGranted() {
            // DDI: "After releasing the byte-range locks, FsRtlFastUnlockAll completes any currently queued
            // lock IRPs that can now be completed."
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 50, 10))).isEqualTo(GRANTED);
            Irp grantable = waitLock(b, 0, 10, true);
            Irp stillBlocked = waitLock(b, 55, 1, false);
            lock.fastUnlockAll(a);
            assertThat(st(grantable)).isEqualTo(GRANTED);
            assertThat(st(stillBlocked)).isEqualTo("pending");
            Io.cancelIrp(stillBlocked);
        }

        @Test
        void withNothingLockedChangesNothing() {
            assertThat(st(tryExclusive(b, 0, 10))).isEqualTo(GRANTED);
            lock.fastUnlockAll(a);
            assertThat(lock.lockCount()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Cancellation of waiting locks
    // ---------------------------------------------------------------------------------------------

    @Nested
    class Cancel {
        @Test
        void cancellingAWaitingLockCompletesItWithStatusCancelled() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp waiting = waitLock(b, 0, 10, true);
            assertThat(Io.cancelIrp(waiting)).as("the cancel routine ran").isTrue();
            assertThat(st(waiting)).isEqualTo(st(STATUS_CANCELLED));
            assertThat(completions).containsOnlyOnce(waiting);
            // The cancelled request is forgotten: unlocking does not grant it, and C may lock the range.
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(lock.lockCount()).isZero();
            assertThat(st(tryExclusive(c, 0, 10))).isEqualTo(GRANTED);
            assertThat(completions).containsOnlyOnce(waiting);
        }

        @Test
        void cancellingOneWaiterLeavesTheOthersWaiting() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp first = waitLock(b, 0, 10, true);
            Irp second = waitLock(c, 0, 10, true);
            Io.cancelIrp(first);
            assertThat(st(first)).isEqualTo(st(STATUS_CANCELLED));
            assertThat(st(second)).isEqualTo("pending");
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(second)).isEqualTo(GRANTED);
        }

        @Test
        void requestCancelledBeforeItWouldWaitIsCompletedCancelled() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp irp = lockIrp(b, 0, 10, 0, false, true);
            assertThat(Io.cancelIrp(irp)).as("no cancel routine yet").isFalse();
            assertThat(st(lock.processFileLock(irp))).isEqualTo(st(STATUS_CANCELLED));
            assertThat(st(irp)).isEqualTo(st(STATUS_CANCELLED));
        }

        @Test
        void cancelAfterGrantDoesNothing() {
            assertThat(st(tryExclusive(a, 0, 10))).isEqualTo(GRANTED);
            Irp waiting = waitLock(b, 0, 10, true);
            assertThat(st(unlock(a, 0, 10))).isEqualTo(GRANTED);
            assertThat(st(waiting)).isEqualTo(GRANTED);
            assertThat(waiting.cancelRoutine()).isNull();
            assertThat(Io.cancelIrp(waiting)).isFalse();
            assertThat(st(waiting)).isEqualTo(GRANTED);
            assertThat(st(tryExclusive(c, 0, 10))).isEqualTo(REFUSED);
        }
    }
}
