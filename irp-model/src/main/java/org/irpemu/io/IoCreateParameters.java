package org.irpemu.io;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;

/**
 * What {@code IoCreateFileEx} does with a create's parameters before any driver sees them: the name, the
 * generic rights mapped to file rights, the checks that fail a create with STATUS_INVALID_PARAMETER, and
 * the new file object. Shared by the caller's {@code NtCreateFile} and the Filter Manager's
 * {@code FltCreateFileEx2}.
 */
public final class IoCreateParameters {
    private IoCreateParameters() {
    }

    /**
     * @param path volume-relative, with or without its leading backslash
     * @return the name with one leading backslash; the root directory is {@code \}, the volume itself ""
     */
    public static String normalize(String path) {
        if (path.isEmpty()) {
            return path;
        }
        return path.charAt(0) == '\\' ? path : "\\" + path;
    }

    /**
     * Maps GENERIC_* rights to file rights. No security is modelled: MAXIMUM_ALLOWED grants every file
     * right, with whatever else was asked.
     *
     * @param desiredAccess an ACCESS_MASK as the caller passed it
     * @return the access the file system sees
     */
    public static int mapDesiredAccess(int desiredAccess) {
        return AccessMask.mapGenericMask(desiredAccess & ~AccessMask.MAXIMUM_ALLOWED)
                | ((desiredAccess & AccessMask.MAXIMUM_ALLOWED) != 0 ? AccessMask.FILE_ALL_ACCESS : 0);
    }

    /**
     * The checks {@code IoCreateFile} makes before any driver sees the create.
     *
     * @param access mapped desired access
     * @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER (unknown disposition, option or share bit; both
     *     synchronous options; synchronous I/O without SYNCHRONIZE; FILE_DIRECTORY_FILE with
     *     FILE_NON_DIRECTORY_FILE or a disposition other than create/open/open-if; FILE_DELETE_ON_CLOSE
     *     without DELETE; FILE_COMPLETE_IF_OPLOCKED with FILE_RESERVE_OPFILTER)
     */
    public static int check(int access, int share, int disposition, int options) {
        if (disposition < 0 || disposition > CreateDisposition.FILE_MAXIMUM_DISPOSITION
                || (options & ~CreateOptions.FILE_VALID_OPTION_FLAGS) != 0
                || (share & ~ShareAccessFlags.FILE_SHARE_VALID_FLAGS) != 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        boolean sync = (options & (CreateOptions.FILE_SYNCHRONOUS_IO_ALERT | CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
        if ((options & CreateOptions.FILE_SYNCHRONOUS_IO_ALERT) != 0
                && (options & CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT) != 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (sync && (access & AccessMask.SYNCHRONIZE) == 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if ((options & CreateOptions.FILE_DIRECTORY_FILE) != 0
                && ((options & CreateOptions.FILE_NON_DIRECTORY_FILE) != 0
                || (disposition != CreateDisposition.FILE_CREATE && disposition != CreateDisposition.FILE_OPEN
                && disposition != CreateDisposition.FILE_OPEN_IF))) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if ((options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0 && (access & AccessMask.DELETE) == 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        // oplock-reference.md: the I/O manager rejects COMPLETE_IF_OPLOCKED with RESERVE_OPFILTER.
        if ((options & CreateOptions.FILE_COMPLETE_IF_OPLOCKED) != 0
                && (options & CreateOptions.FILE_RESERVE_OPFILTER) != 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * The file object of a new open: its name, owning dispatcher, granted access and the FO_* flags its
     * create options imply.
     */
    public static FileObject newFileObject(DeviceObject volume, String name, int dispatcher, int access, int options) {
        return initialize(new FileObject(volume, name), dispatcher, access, options);
    }

    /** Sets up a new (or reinitialized) file object for an open: dispatcher, granted access, FO_* flags. */
    public static FileObject initialize(FileObject fo, int dispatcher, int access, int options) {
        fo.dispatcher(dispatcher);
        fo.grantedAccess(access);
        fo.flags(fileObjectFlags(options));
        return fo;
    }

    private static int fileObjectFlags(int options) {
        int flags = FileObject.FO_FILE_OPEN;
        if ((options & (CreateOptions.FILE_SYNCHRONOUS_IO_ALERT | CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT)) != 0) {
            flags |= FileObject.FO_SYNCHRONOUS_IO;
        }
        if ((options & CreateOptions.FILE_SYNCHRONOUS_IO_ALERT) != 0) {
            flags |= FileObject.FO_ALERTABLE_IO;
        }
        if ((options & CreateOptions.FILE_NO_INTERMEDIATE_BUFFERING) != 0) {
            flags |= FileObject.FO_NO_INTERMEDIATE_BUFFERING;
        }
        if ((options & CreateOptions.FILE_WRITE_THROUGH) != 0) {
            flags |= FileObject.FO_WRITE_THROUGH;
        }
        if ((options & CreateOptions.FILE_SEQUENTIAL_ONLY) != 0) {
            flags |= FileObject.FO_SEQUENTIAL_ONLY;
        }
        if ((options & CreateOptions.FILE_RANDOM_ACCESS) != 0) {
            flags |= FileObject.FO_RANDOM_ACCESS;
        }
        if ((options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0) {
            flags |= FileObject.FO_DELETE_ON_CLOSE;
        }
        return flags;
    }
}
