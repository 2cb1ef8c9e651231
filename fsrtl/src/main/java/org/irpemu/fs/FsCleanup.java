package org.irpemu.fs;

import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.status.NtStatus;

/**
 * IRP_MJ_CLEANUP (the last handle to a file object was closed) and IRP_MJ_CLOSE (the last reference),
 * in the order of FastFAT's {@code FatCommonCleanup}: the delete-on-close oplock check, unlock all,
 * share access removal, the oplock cleanup of the handle (its oplocks end, waiters go on), deletion of a
 * delete-pending file with the parent directory's oplock break (MS-FSA 2.1.5.5).
 */
final class FsCleanup {
    private final ReferenceFileSystem fs;

    FsCleanup(ReferenceFileSystem fs) {
        this.fs = fs;
    }

    int cleanup(Irp irp, IoStackLocation sl) {
        FileObject fo = sl.fileObject();
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        Ccb ccb = ReferenceFileSystem.ccb(sl);
        if (fcb == null || ccb == null || ccb.cleanedUp) {
            return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
        }
        if (ccb.deleteOnClose && !fcb.isRoot() && !(fcb.directory && !fcb.children.isEmpty())) {
            int st = FsRtl.checkOplockEx(fcb.oplock, irp, OplockFlags.OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE, null,
                    fs.oplockComplete, fs.prePost);
            if (st == NtStatus.STATUS_PENDING) {
                return st;
            }
            fcb.deletePending = true;
        }
        ccb.cleanedUp = true;
        fcb.fileLock.fastUnlockAll(fo);
        fcb.removeHandle(ccb);
        fcb.shareAccess.removeShareAccess(fo);
        // Cleanup never waits: the handle's own oplocks complete and breaks it owed count as acknowledged.
        FsRtl.checkOplock(fcb.oplock, irp, null, null, null);
        if (fcb.uncleanCount == 0 && fcb.deletePending && !fcb.deleted) {
            delete(irp, fo, fcb, ccb);
        }
        fo.setFlag(FileObject.FO_CLEANUP_COMPLETE);
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    private void delete(Irp irp, FileObject fo, Fcb fcb, Ccb ccb) {
        Fcb parent = ccb.linkParent != null ? ccb.linkParent : fcb.parent;
        String name = ccb.linkName != null ? ccb.linkName : fcb.name;
        if (parent != null) {
            parent.children.remove(PathName.key(name), fcb);
            fs.namespaceChanged();
        }
        fcb.linkCount--;
        fcb.deletePending = false;
        // With other links left, the file lives on; its primary name (for name queries) is not updated.
        fcb.deleted = fcb.linkCount <= 0;
        if (parent != null) {
            parent.lastWriteTime = fs.now();
            fs.breakParentOplock(parent, irp, fo, OplockFlags.OPLOCK_FLAG_REMOVING_FILE_OR_LINK, fs.currentDispatcher());
        }
    }

    int close(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        Ccb ccb = ReferenceFileSystem.ccb(sl);
        if (ccb != null && ccb.cleanedUp) {
            // The last reference to the handle: its CCB is reused, and the file object no longer reaches it.
            sl.fileObject().fsContext2(null);
            fs.freeCcb(fs.currentDispatcher(), ccb);
        }
        if (fcb != null) {
            fcb.openCount--;
            if (fcb.openCount == 0 && fcb.deleted) {
                // The stream control block is gone for good: its oplock and the filters' contexts with it.
                FsRtl.uninitializeOplock(fcb.oplock);
                FsRtl.teardownPerStreamContexts(fcb);
            }
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }
}
