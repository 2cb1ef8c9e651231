package org.irpemu.fs;

import org.irpemu.irp.FileObject;

/**
 * Context control block: one handle (file object) of an {@link Fcb}. Reused after the handle's
 * IRP_MJ_CLOSE (see {@link ReferenceFileSystem#newCcb}).
 */
final class Ccb {
    FileObject fileObject;
    int grantedAccess;
    int createOptions;
    boolean deleteOnClose;
    /** The directory and name the handle was opened through (one of the file's links). */
    Fcb linkParent;
    String linkName;
    boolean cleanedUp;
    Ccb next;
    Ccb prev;

    Ccb set(FileObject fileObject, int grantedAccess, int createOptions) {
        this.fileObject = fileObject;
        this.grantedAccess = grantedAccess;
        this.createOptions = createOptions;
        this.deleteOnClose = false;
        this.linkParent = null;
        this.linkName = null;
        this.cleanedUp = false;
        this.next = null;
        this.prev = null;
        return this;
    }
}
