package org.irpemu.fs;

import org.irpemu.fsrtl.FsRtl;
import org.irpemu.irp.ByteOffset;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.status.NtStatus;

/**
 * IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_LOCK_CONTROL, IRP_MJ_FLUSH_BUFFERS and IRP_MJ_SET_SECURITY, each
 * checking the oplock first as FastFAT's common routines do (MS-FSA 2.1.5.3, 2.1.5.4, 2.1.5.8, 2.1.5.17),
 * then byte-range locks, then the data.
 */
final class FsReadWrite {
    private final ReferenceFileSystem fs;

    FsReadWrite(ReferenceFileSystem fs) {
        this.fs = fs;
    }

    int read(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb == null || fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        }
        FileObject fo = sl.fileObject();
        long offset = resolveOffset(fo, sl.byteOffset(), fcb);
        if (offset < 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        long length = sl.length();
        if (length == 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
        }
        int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
        if (st != NtStatus.STATUS_SUCCESS) {
            return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
        }
        if (!fcb.fileLock.checkRange(fo, sl.key(), offset, length, false)) {
            return Io.completeRequest(irp, NtStatus.STATUS_FILE_LOCK_CONFLICT, 0);
        }
        if (offset >= fcb.fileSize) {
            return Io.completeRequest(irp, NtStatus.STATUS_END_OF_FILE, 0);
        }
        int n = (int) Math.min(length, fcb.fileSize - offset);
        if (irp.userBuffer() != null) {
            fcb.data().read(offset, irp.userBuffer(), irp.userBufferOffset(), n);
        }
        // No last-access update: NTFS's default on Windows Vista and later (NtfsDisableLastAccessUpdate).
        if (fo.hasFlag(FileObject.FO_SYNCHRONOUS_IO)) {
            fo.currentByteOffset(offset + n);
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, n);
    }

    int write(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb == null || fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        }
        FileObject fo = sl.fileObject();
        long offset = sl.byteOffset() == ByteOffset.FILE_WRITE_TO_END_OF_FILE ? fcb.fileSize
                : resolveOffset(fo, sl.byteOffset(), fcb);
        if (offset < 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        long length = sl.length();
        if (length == 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
        }
        int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
        if (st != NtStatus.STATUS_SUCCESS) {
            return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
        }
        if (!fcb.fileLock.checkRange(fo, sl.key(), offset, length, true)) {
            return Io.completeRequest(irp, NtStatus.STATUS_FILE_LOCK_CONFLICT, 0);
        }
        int n = (int) length;
        fcb.data().write(offset, irp.userBuffer(), irp.userBufferOffset(), n);
        long end = offset + n;
        if (end > fcb.fileSize) {
            fcb.fileSize = end;
            fcb.allocationSize = Math.max(fcb.allocationSize, ReferenceFileSystem.roundUp(end));
        }
        fcb.validDataLength = Math.max(fcb.validDataLength, end);
        fcb.lastWriteTime = fs.now();
        fcb.changeTime = fcb.lastWriteTime;
        if (fo.hasFlag(FileObject.FO_SYNCHRONOUS_IO)) {
            fo.currentByteOffset(end);
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, n);
    }

    /** ByteOffset FILE_USE_FILE_POINTER_POSITION on a synchronous handle means the current position. */
    private static long resolveOffset(FileObject fo, long byteOffset, Fcb fcb) {
        if (byteOffset == ByteOffset.FILE_USE_FILE_POINTER_POSITION) {
            return fo.hasFlag(FileObject.FO_SYNCHRONOUS_IO) ? fo.currentByteOffset() : -1;
        }
        return byteOffset;
    }

    int lockControl(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb == null || fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        if (sl.minorFunction() == IrpMinorFunction.IRP_MN_LOCK) {
            // WDK IRP_MJ_LOCK_CONTROL: every lock request checks the oplock (MS-FSA only below AllocationSize).
            int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
            if (st != NtStatus.STATUS_SUCCESS) {
                return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
            }
        }
        return fcb.fileLock.processFileLock(irp);
    }

    int flush(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb != null && !fcb.directory) {
            // WDK FsRtlCheckOplock lists IRP_MJ_FLUSH_BUFFERS; MS-FSA's FLUSH_DATA rule applies.
            int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
            if (st != NtStatus.STATUS_SUCCESS) {
                return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
            }
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    int setSecurity(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb != null) {
            int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
            if (st != NtStatus.STATUS_SUCCESS) {
                return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
            }
            fcb.changeTime = fs.now();
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }
}
