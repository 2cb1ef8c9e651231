package org.irpemu.fsrtl;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;

/**
 * {@code SHARE_ACCESS}: the share-access bookkeeping of one stream, with the I/O manager's routines
 * {@code IoCheckShareAccess}, {@code IoSetShareAccess}, {@code IoUpdateShareAccess} and
 * {@code IoRemoveShareAccess} (WDK DDI pages; the same rules as MS-FSA 2.1.5.1.2.2).
 *
 * <p>Only opens that ask for read (FILE_READ_DATA, FILE_EXECUTE), write (FILE_WRITE_DATA,
 * FILE_APPEND_DATA) or DELETE access take part; attribute-only opens neither conflict nor count.
 */
public final class ShareAccess {
    private int openCount;
    private int readers;
    private int writers;
    private int deleters;
    private int sharedRead;
    private int sharedWrite;
    private int sharedDelete;

    /**
     * {@code IoCheckShareAccess}: whether an open with {@code desiredAccess} and {@code desiredShareAccess}
     * is compatible with the opens recorded here. Sets the file object's access and sharing booleans.
     *
     * @param update when true and the open is compatible, records it (as {@code IoCheckShareAccess} with
     *     Update TRUE)
     * @return STATUS_SUCCESS or STATUS_SHARING_VIOLATION
     */
    public int checkShareAccess(int desiredAccess, int desiredShareAccess, FileObject fileObject, boolean update) {
        boolean read = (desiredAccess & (AccessMask.FILE_EXECUTE | AccessMask.FILE_READ_DATA)) != 0;
        boolean write = (desiredAccess & (AccessMask.FILE_WRITE_DATA | AccessMask.FILE_APPEND_DATA)) != 0;
        boolean delete = (desiredAccess & AccessMask.DELETE) != 0;
        if (!read && !write && !delete) {
            // Opens without data or delete access take no part in sharing (and record no share mode).
            fileObject.setAccessAndSharing(false, false, false, false, false, false);
            return NtStatus.STATUS_SUCCESS;
        }
        boolean shRead = (desiredShareAccess & ShareAccessFlags.FILE_SHARE_READ) != 0;
        boolean shWrite = (desiredShareAccess & ShareAccessFlags.FILE_SHARE_WRITE) != 0;
        boolean shDelete = (desiredShareAccess & ShareAccessFlags.FILE_SHARE_DELETE) != 0;
        fileObject.setAccessAndSharing(read, write, delete, shRead, shWrite, shDelete);
        if ((read && openCount != sharedRead) || (write && openCount != sharedWrite)
                || (delete && openCount != sharedDelete) || (readers != 0 && !shRead) || (writers != 0 && !shWrite)
                || (deleters != 0 && !shDelete)) {
            return NtStatus.STATUS_SHARING_VIOLATION;
        }
        if (update) {
            add(fileObject);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code IoSetShareAccess}: records the first open of a stream (no check). */
    public void setShareAccess(int desiredAccess, int desiredShareAccess, FileObject fileObject) {
        openCount = readers = writers = deleters = sharedRead = sharedWrite = sharedDelete = 0;
        checkShareAccess(desiredAccess, desiredShareAccess, fileObject, false);
        if (fileObject.readAccess() || fileObject.writeAccess() || fileObject.deleteAccess()) {
            add(fileObject);
        }
    }

    /** {@code IoUpdateShareAccess}: records an open already checked with {@link #checkShareAccess}. */
    public void updateShareAccess(FileObject fileObject) {
        if (fileObject.readAccess() || fileObject.writeAccess() || fileObject.deleteAccess()) {
            add(fileObject);
        }
    }

    /** {@code IoRemoveShareAccess}: forgets an open at cleanup. */
    public void removeShareAccess(FileObject fileObject) {
        if (fileObject.readAccess() || fileObject.writeAccess() || fileObject.deleteAccess()) {
            openCount--;
            readers -= fileObject.readAccess() ? 1 : 0;
            writers -= fileObject.writeAccess() ? 1 : 0;
            deleters -= fileObject.deleteAccess() ? 1 : 0;
            sharedRead -= fileObject.sharedRead() ? 1 : 0;
            sharedWrite -= fileObject.sharedWrite() ? 1 : 0;
            sharedDelete -= fileObject.sharedDelete() ? 1 : 0;
        }
    }

    private void add(FileObject fo) {
        openCount++;
        readers += fo.readAccess() ? 1 : 0;
        writers += fo.writeAccess() ? 1 : 0;
        deleters += fo.deleteAccess() ? 1 : 0;
        sharedRead += fo.sharedRead() ? 1 : 0;
        sharedWrite += fo.sharedWrite() ? 1 : 0;
        sharedDelete += fo.sharedDelete() ? 1 : 0;
    }

    /** @return OpenCount: opens that take part in sharing */
    public int openCount() {
        return openCount;
    }

    @Override
    public String toString() {
        return "SHARE_ACCESS{open=" + openCount + ", r=" + readers + ", w=" + writers + ", d=" + deleters + ", sr="
                + sharedRead + ", sw=" + sharedWrite + ", sd=" + sharedDelete + '}';
    }
}
