package org.irpemu.fs;

import java.util.List;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.status.NtStatus;

/**
 * IRP_MJ_CREATE, in the order of FastFAT's {@code FatCommonCreate} / {@code FatOpenExistingFcb} and
 * MS-FSA 2.1.5.1: name lookup; for an existing stream the type and disposition checks, the Batch/Filter
 * oplock check before the share check, the share check with {@code FsRtlOplockBreakH} on a sharing
 * violation, the full oplock check, the FILE_OPEN_REQUIRING_OPLOCK / FILE_RESERVE_OPFILTER reservation,
 * then the disposition; for a new file the creation and the parent directory's oplock break.
 */
final class FsCreate {
    private final ReferenceFileSystem fs;

    FsCreate(ReferenceFileSystem fs) {
        this.fs = fs;
    }

    int create(Irp irp, IoStackLocation sl) {
        FileObject fo = sl.fileObject();
        int current = fs.currentDispatcher();
        String fileName = fo.fileName();
        if (fileName.isEmpty()) {
            // A volume open (\Device\HarddiskVolume1 without a trailing backslash): no file, no stream.
            return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, CreateDisposition.FILE_OPENED);
        }
        int colon = fileName.indexOf(':');
        if (colon >= 0) {
            String stream = fileName.substring(colon + 1);
            if (!stream.isEmpty() && !stream.equalsIgnoreCase(":$DATA") && !stream.equalsIgnoreCase("$DATA")) {
                return namedStream(irp, sl, fileName.substring(0, colon));
            }
            fileName = fileName.substring(0, colon); // file::$DATA is the default stream
        }
        // A name this dispatcher resolved before, with no change of the name space since: no walk.
        boolean cacheable = colon < 0 && !fileName.endsWith("\\");
        long generation = fs.namespaceGeneration();
        if (cacheable) {
            PathCache.Entry known = fs.pathCache(current).get(fileName, generation);
            if (known != null) {
                return openResolved(irp, sl, fo, known.target, known.parent, known.linkName, current);
            }
        }
        List<String> parts = PathName.split(fileName);
        if (parts == null) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
        }
        // MS-FSA 2.1.5.1: a trailing backslash names a directory.
        boolean trailingBackslash = !parts.isEmpty() && fileName.endsWith("\\");
        if (trailingBackslash && (sl.createOptions() & CreateOptions.FILE_NON_DIRECTORY_FILE) != 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
        }
        Fcb parent = null;
        Fcb target = fs.root;
        if (!parts.isEmpty()) {
            parent = fs.root;
            for (int i = 0; i < parts.size() - 1; i++) {
                Fcb child = parent.children.get(PathName.key(parts.get(i)));
                if (child == null || !child.directory) {
                    return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_PATH_NOT_FOUND, 0);
                }
                parent = child;
            }
            target = parent.children.get(PathName.key(parts.get(parts.size() - 1)));
        }
        if (target == null) {
            if (trailingBackslash && (sl.createOptions() & CreateOptions.FILE_DIRECTORY_FILE) == 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
            }
            return createNew(irp, sl, fo, parent, parts.get(parts.size() - 1), current);
        }
        if (trailingBackslash && !target.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
        }
        String linkName = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        if (cacheable) {
            fs.pathCache(current).put(fileName, target, parent, linkName, generation);
        }
        return openResolved(irp, sl, fo, target, parent, linkName, current);
    }

    private int openResolved(Irp irp, IoStackLocation sl, FileObject fo, Fcb target, Fcb parent, String linkName,
            int current) {
        int owner = fs.ownerOf(target, current);
        if (owner != current) {
            // The stream belongs to another dispatcher (a hard link or a renamed file): continue there.
            fo.dispatcher(owner);
            Io.markIrpPending(irp);
            fs.post(owner, irp);
            return NtStatus.STATUS_PENDING;
        }
        return openExisting(irp, sl, fo, target, parent, linkName);
    }

    /**
     * A named data stream ({@code file.txt:Zone.Identifier}). This volume keeps only default streams: opening
     * a named stream finds nothing (STATUS_OBJECT_NAME_NOT_FOUND, as NTFS answers for a missing stream), and
     * creating one is not supported (STATUS_NOT_SUPPORTED).
     */
    private int namedStream(Irp irp, IoStackLocation sl, String baseName) {
        List<String> parts = PathName.split(baseName);
        if (parts == null || parts.isEmpty()) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
        }
        int disposition = sl.createDisposition();
        boolean opens = disposition == CreateDisposition.FILE_OPEN || disposition == CreateDisposition.FILE_OVERWRITE;
        return Io.completeRequest(irp, opens ? NtStatus.STATUS_OBJECT_NAME_NOT_FOUND : NtStatus.STATUS_NOT_SUPPORTED, 0);
    }

    private int openExisting(Irp irp, IoStackLocation sl, FileObject fo, Fcb fcb, Fcb linkParent, String linkName) {
        FsRtl.checkOplockEx(fcb.oplock, irp, OplockFlags.OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY, null, null, null);
        int options = sl.createOptions();
        int disposition = sl.createDisposition();
        int access = sl.desiredAccess();
        int share = sl.shareAccess();
        if (fcb.deletePending) {
            return Io.completeRequest(irp, NtStatus.STATUS_DELETE_PENDING, 0);
        }
        if (disposition == CreateDisposition.FILE_CREATE) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_COLLISION, 0);
        }
        if (fcb.directory) {
            if ((options & CreateOptions.FILE_NON_DIRECTORY_FILE) != 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_FILE_IS_A_DIRECTORY, 0);
            }
            if (disposition != CreateDisposition.FILE_OPEN && disposition != CreateDisposition.FILE_OPEN_IF) {
                return Io.completeRequest(irp, fcb.isRoot() ? NtStatus.STATUS_ACCESS_DENIED
                        : NtStatus.STATUS_OBJECT_NAME_COLLISION, 0);
            }
            if (fcb.isRoot() && (options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_CANNOT_DELETE, 0);
            }
        } else {
            if ((options & CreateOptions.FILE_DIRECTORY_FILE) != 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_NOT_A_DIRECTORY, 0);
            }
        }
        long information = 0;
        boolean breakInProgress = false;
        // Batch and Filter oplocks are broken before the share check (FatOpenExistingFcb; MS-FSA 2.1.5.1.2).
        if (FsRtl.currentBatchOplock(fcb.oplock)) {
            information = OplockBreakInformation.FILE_OPBATCH_BREAK_UNDERWAY;
            int st = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
            if (st == NtStatus.STATUS_PENDING) {
                return st;
            }
            if (st == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS) {
                breakInProgress = true;
            } else if (st != NtStatus.STATUS_SUCCESS) {
                return Io.completeRequest(irp, st, 0);
            }
        }
        boolean destructive = disposition == CreateDisposition.FILE_SUPERSEDE
                || disposition == CreateDisposition.FILE_OVERWRITE || disposition == CreateDisposition.FILE_OVERWRITE_IF;
        int addedAccess = disposition == CreateDisposition.FILE_SUPERSEDE ? AccessMask.DELETE
                : destructive ? AccessMask.FILE_WRITE_DATA | AccessMask.FILE_WRITE_EA | AccessMask.FILE_WRITE_ATTRIBUTES
                : 0;
        int checkAccess = access | addedAccess;
        if (!fcb.directory) {
            int denied = attributeAccessCheck(fcb, checkAccess, options, destructive, sl.fileAttributes());
            if (denied != NtStatus.STATUS_SUCCESS) {
                return Io.completeRequest(irp, denied, information);
            }
        }
        if (fcb.uncleanCount > 0) {
            int st = fcb.shareAccess.checkShareAccess(checkAccess, share, fo, false);
            if (st == NtStatus.STATUS_SHARING_VIOLATION) {
                if ((options & CreateOptions.FILE_COMPLETE_IF_OPLOCKED) == 0) {
                    int h = FsRtl.oplockBreakH(fcb.oplock, irp, 0, null, fs.oplockComplete, fs.prePost);
                    if (h == NtStatus.STATUS_PENDING) {
                        return h;
                    }
                    if (!NtStatus.ntSuccess(h)) {
                        return Io.completeRequest(irp, h, 0);
                    }
                }
                return Io.completeRequest(irp, NtStatus.STATUS_SHARING_VIOLATION, information);
            }
            int check = FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
            if (check == NtStatus.STATUS_PENDING) {
                return check;
            }
            if (check == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS) {
                breakInProgress = true;
            } else if (check != NtStatus.STATUS_SUCCESS) {
                return Io.completeRequest(irp, check, 0);
            }
        }
        if ((options & (CreateOptions.FILE_OPEN_REQUIRING_OPLOCK | CreateOptions.FILE_RESERVE_OPFILTER)) != 0) {
            int st = FsRtl.oplockFsctrl(fcb.oplock, irp, fcb.uncleanCount + 1);
            if (st != NtStatus.STATUS_SUCCESS) {
                return Io.completeRequest(irp, st, 0);
            }
        }
        int action = CreateDisposition.FILE_OPENED;
        if (destructive && !fcb.directory) {
            truncate(fcb);
            int requested = sl.fileAttributes() & FileAttributes.FILE_ATTRIBUTE_VALID_SET_FLAGS
                    & ~FileAttributes.FILE_ATTRIBUTE_NORMAL;
            fcb.attributes = disposition == CreateDisposition.FILE_SUPERSEDE
                    ? requested | FileAttributes.FILE_ATTRIBUTE_ARCHIVE
                    : fcb.attributes | requested | FileAttributes.FILE_ATTRIBUTE_ARCHIVE;
            action = disposition == CreateDisposition.FILE_SUPERSEDE ? CreateDisposition.FILE_SUPERSEDED
                    : CreateDisposition.FILE_OVERWRITTEN;
        }
        if (fcb.uncleanCount == 0) {
            fcb.shareAccess.setShareAccess(access, share, fo);
        } else {
            fcb.shareAccess.checkShareAccess(access, share, fo, true);
        }
        openHandle(fcb, fo, access, options, linkParent, linkName);
        return Io.completeRequest(irp, breakInProgress ? NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS
                : NtStatus.STATUS_SUCCESS, action);
    }

    /** The checks NTFS makes against a file's attributes before the share check. */
    private static int attributeAccessCheck(Fcb fcb, int access, int options, boolean destructive, int requested) {
        if ((fcb.attributes & FileAttributes.FILE_ATTRIBUTE_READONLY) != 0) {
            if ((options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0) {
                return NtStatus.STATUS_CANNOT_DELETE;
            }
            if ((access & (AccessMask.FILE_WRITE_DATA | AccessMask.FILE_APPEND_DATA)) != 0) {
                return NtStatus.STATUS_ACCESS_DENIED;
            }
        }
        if (destructive) {
            int kept = FileAttributes.FILE_ATTRIBUTE_HIDDEN | FileAttributes.FILE_ATTRIBUTE_SYSTEM;
            if ((fcb.attributes & kept & ~requested) != 0) {
                return NtStatus.STATUS_ACCESS_DENIED;
            }
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private int createNew(Irp irp, IoStackLocation sl, FileObject fo, Fcb parent, String name, int current) {
        int disposition = sl.createDisposition();
        int options = sl.createOptions();
        if (disposition == CreateDisposition.FILE_OPEN || disposition == CreateDisposition.FILE_OVERWRITE) {
            return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, 0);
        }
        if (parent.deletePending) {
            return Io.completeRequest(irp, NtStatus.STATUS_DELETE_PENDING, 0);
        }
        boolean directory = (options & CreateOptions.FILE_DIRECTORY_FILE) != 0;
        int requested = sl.fileAttributes() & FileAttributes.FILE_ATTRIBUTE_VALID_SET_FLAGS;
        if ((options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0
                && (requested & FileAttributes.FILE_ATTRIBUTE_READONLY) != 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_CANNOT_DELETE, 0);
        }
        Fcb fcb = fs.newFcb(parent, name, directory, current);
        fcb.attributes = directory ? FileAttributes.FILE_ATTRIBUTE_DIRECTORY | (requested & ~FileAttributes.FILE_ATTRIBUTE_NORMAL)
                : (requested & ~FileAttributes.FILE_ATTRIBUTE_NORMAL) | FileAttributes.FILE_ATTRIBUTE_ARCHIVE;
        fs.namespaceChanged();
        if (parent.children.putIfAbsent(PathName.key(name), fcb) != null) {
            return create(irp, sl); // created meanwhile on another dispatcher: open it instead
        }
        FsRtl.checkOplockEx(fcb.oplock, irp, OplockFlags.OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY, null, null, null);
        if ((options & CreateOptions.FILE_OPEN_REQUIRING_OPLOCK) != 0) {
            FsRtl.oplockFsctrl(fcb.oplock, irp, 1);
        }
        fcb.shareAccess.setShareAccess(sl.desiredAccess(), sl.shareAccess(), fo);
        openHandle(fcb, fo, sl.desiredAccess(), options, parent, name);
        parent.lastWriteTime = fs.now();
        fs.breakParentOplock(parent, irp, fo, 0, current);
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, CreateDisposition.FILE_CREATED);
    }

    private void openHandle(Fcb fcb, FileObject fo, int access, int options, Fcb linkParent, String linkName) {
        Ccb ccb = fs.newCcb(fs.currentDispatcher()).set(fo, access, options);
        ccb.linkParent = linkParent;
        ccb.linkName = linkName;
        ccb.deleteOnClose = (options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0;
        fo.fsContext(fcb);
        fo.fsContext2(ccb);
        fo.dispatcher(fcb.dispatcher);
        fcb.addHandle(ccb);
        fcb.openCount++;
    }

    static void truncate(Fcb fcb) {
        fcb.fileSize = 0;
        fcb.allocationSize = 0;
        fcb.validDataLength = 0;
        if (fcb.data != null) {
            fcb.data.truncate(0);
        }
    }
}
