package org.irpemu.fs;

import java.nio.ByteOrder;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * IRP_MJ_FILE_SYSTEM_CONTROL / IRP_MN_USER_FS_REQUEST: the oplock FSCTLs as FastFAT's
 * {@code FatOplockRequest} handles them (buffer lengths, directories, delete pending, the OpenCount it
 * passes), FSCTL_SET_ZERO_DATA, FSCTL_GET_REPARSE_POINT; every other code is
 * STATUS_INVALID_DEVICE_REQUEST.
 */
final class FsControl {
    /** The FSCTLs this file system implements; the replay models only these. */
    static final int[] IMPLEMENTED = {
        FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2,
        FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
        FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING, FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY,
        FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2, FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK,
        FsControlCode.FSCTL_REQUEST_OPLOCK, FsControlCode.FSCTL_SET_ZERO_DATA, FsControlCode.FSCTL_GET_REPARSE_POINT,
    };

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** sizeof(FILE_ZERO_DATA_INFORMATION): FileOffset, BeyondFinalZero. */
    static final int ZERO_DATA_LENGTH = 16;

    private final ReferenceFileSystem fs;

    FsControl(ReferenceFileSystem fs) {
        this.fs = fs;
    }

    int fileSystemControl(Irp irp, IoStackLocation sl) {
        if (sl.minorFunction() != IrpMinorFunction.IRP_MN_USER_FS_REQUEST) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        }
        int code = sl.fsControlCode();
        if (FsControlCode.isOplockFsctl(code)) {
            return oplockRequest(irp, sl, code);
        }
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        switch (code) {
            case FsControlCode.FSCTL_SET_ZERO_DATA:
                return zeroData(irp, sl, fcb);
            case FsControlCode.FSCTL_GET_REPARSE_POINT:
                // No file on this volume is a reparse point.
                return Io.completeRequest(irp, fcb == null ? NtStatus.STATUS_INVALID_PARAMETER
                        : NtStatus.STATUS_NOT_A_REPARSE_POINT, 0);
            default:
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
        }
    }

    /** FastFAT's FatOplockRequest. */
    private int oplockRequest(Irp irp, IoStackLocation sl, int code) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb == null) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        boolean requestOplock = code == FsControlCode.FSCTL_REQUEST_OPLOCK;
        int inFlags = 0;
        int level = 0;
        if (requestOplock) {
            if (sl.inputBufferLength() < RequestOplockInputBuffer.ENCODED_LENGTH
                    || sl.outputBufferLength() < RequestOplockOutputBuffer.ENCODED_LENGTH) {
                return Io.completeRequest(irp, NtStatus.STATUS_BUFFER_TOO_SMALL, 0);
            }
            inFlags = irp.systemBuffer().getInt(RequestOplockInputBuffer.FLAGS_OFFSET, LE);
            level = irp.systemBuffer().getInt(RequestOplockInputBuffer.REQUESTED_OPLOCK_LEVEL_OFFSET, LE);
            if ((inFlags & (RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST
                    | RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK)) == 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
            }
        }
        boolean ack = requestOplock && (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK) != 0;
        boolean request = code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1
                || code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2 || code == FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK
                || code == FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK
                || (requestOplock && (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST) != 0);
        if (fcb.directory && !(requestOplock && (ack || level == 0 || FsRtl.oplockIsSharedRequest(irp)))) {
            // Directories take only Read or Read-Handle through FSCTL_REQUEST_OPLOCK (WDK; FatOplockRequest).
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int openCount = 0;
        int flags = 0;
        if (request) {
            boolean shared = FsRtl.oplockIsSharedRequest(irp);
            if (shared) {
                openCount = fcb.fileLock.checkLockForOplockRequest(Long.MAX_VALUE) ? 0 : 1;
            } else {
                openCount = fcb.uncleanCount;
                if (requestOplock && allOpensShareKey(fcb, sl)) {
                    flags = OplockFlags.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH;
                }
            }
            boolean wantsHandle = code == FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK
                    || code == FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK
                    || (requestOplock && (level & OplockLevel.OPLOCK_LEVEL_CACHE_HANDLE) != 0);
            if (fcb.deletePending && wantsHandle) {
                return Io.completeRequest(irp, NtStatus.STATUS_DELETE_PENDING, 0);
            }
        }
        // The package owns the IRP from here on: it completes it unless it returns STATUS_PENDING.
        return FsRtl.oplockFsctrlEx(fcb.oplock, irp, openCount, flags);
    }

    private static boolean allOpensShareKey(Fcb fcb, IoStackLocation sl) {
        for (Ccb c = fcb.handles; c != null; c = c.next) {
            if (!FsRtl.oplockKeysEqual(c.fileObject, sl.fileObject())) {
                return false;
            }
        }
        return true;
    }

    /** FSCTL_SET_ZERO_DATA (MS-FSA 2.1.5.10.39): FILE_ZERO_DATA_INFORMATION input, breaks like a write. */
    private int zeroData(Irp irp, IoStackLocation sl, Fcb fcb) {
        if (fcb == null || fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        if (sl.inputBufferLength() < ZERO_DATA_LENGTH) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        long offset = irp.systemBuffer().getLong(0, LE);
        long beyond = irp.systemBuffer().getLong(8, LE);
        if (offset < 0 || beyond < offset) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
        if (st != NtStatus.STATUS_SUCCESS) {
            return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
        }
        long end = Math.min(beyond, fcb.fileSize);
        if (end > offset) {
            if (!fcb.fileLock.checkRange(sl.fileObject(), 0, offset, end - offset, true)) {
                return Io.completeRequest(irp, NtStatus.STATUS_FILE_LOCK_CONFLICT, 0);
            }
            if (fcb.data != null) {
                long pos = offset;
                while (pos < end) {
                    int n = (int) Math.min(end - pos, 1 << 20);
                    fcb.data.write(pos, null, 0, n);
                    pos += n;
                }
            }
            fcb.lastWriteTime = fs.now();
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    /** @return whether this file system implements the FSCTL */
    static boolean implemented(int code) {
        for (int c : IMPLEMENTED) {
            if (c == code) {
                return true;
            }
        }
        return false;
    }
}
