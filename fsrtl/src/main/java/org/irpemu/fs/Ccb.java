package org.irpemu.fs;

import org.irpemu.irp.FileObject;

/** Context control block: one handle (file object) of an {@link Fcb}. */
final class Ccb {
    final FileObject fileObject;
    final int grantedAccess;
    final int createOptions;
    boolean deleteOnClose;
    /** The directory and name the handle was opened through (one of the file's links). */
    Fcb linkParent;
    String linkName;
    boolean cleanedUp;
    Ccb next;
    Ccb prev;

    Ccb(FileObject fileObject, int grantedAccess, int createOptions) {
        this.fileObject = fileObject;
        this.grantedAccess = grantedAccess;
        this.createOptions = createOptions;
    }
}
