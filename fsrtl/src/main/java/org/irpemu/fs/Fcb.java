package org.irpemu.fs;

import java.util.concurrent.ConcurrentHashMap;
import org.irpemu.fsrtl.FileLock;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.FsRtlAdvancedFcbHeader;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.fsrtl.ShareAccess;
import org.irpemu.irp.FileAttributes;

/**
 * File control block: one file or directory and its default data stream (the only stream this file
 * system has). It is an advanced FCB header, so filters can attach per-stream contexts to it. Everything but the name space links is owned by the dispatcher thread {@link #dispatcher}.
 */
final class Fcb extends FsRtlAdvancedFcbHeader {
    final boolean directory;
    final long fileId;
    volatile int dispatcher;
    /** Children by upper-case name (directories only); read from any dispatcher, changed by the owner of the child. */
    final ConcurrentHashMap<String, Fcb> children;

    volatile Fcb parent;
    volatile String name;
    int linkCount = 1;

    int attributes;
    long fileSize;
    long allocationSize;
    long validDataLength;
    long creationTime;
    long lastAccessTime;
    long lastWriteTime;
    long changeTime;
    FileData data;

    final Oplock oplock;
    final ShareAccess shareAccess = new ShareAccess();
    final FileLock fileLock = new FileLock();
    /** Ccbs of the handles not yet cleaned up (UncleanCount is its size). */
    Ccb handles;
    int uncleanCount;
    /** File objects not yet closed (OpenCount). */
    int openCount;
    boolean deletePending;
    boolean deleted;

    Fcb(Fcb parent, String name, boolean directory, long fileId, int dispatcher, long now, OplockObserver observer) {
        this.parent = parent;
        this.name = name;
        this.directory = directory;
        this.fileId = fileId;
        this.dispatcher = dispatcher;
        this.children = directory ? new ConcurrentHashMap<>() : null;
        this.attributes = directory ? FileAttributes.FILE_ATTRIBUTE_DIRECTORY : FileAttributes.FILE_ATTRIBUTE_ARCHIVE;
        this.creationTime = now;
        this.lastAccessTime = now;
        this.lastWriteTime = now;
        this.changeTime = now;
        this.oplock = FsRtl.initializeOplock(observer);
    }

    FileData data() {
        if (data == null) {
            data = new FileData();
        }
        return data;
    }

    boolean isRoot() {
        return parent == null;
    }

    /** @return the volume-relative path, {@code \} for the root */
    String path() {
        if (parent == null) {
            return "\\";
        }
        StringBuilder sb = new StringBuilder();
        prepend(sb, this);
        return sb.toString();
    }

    private static void prepend(StringBuilder sb, Fcb f) {
        if (f.parent != null) {
            prepend(sb, f.parent);
            sb.append('\\').append(f.name);
        }
    }

    void addHandle(Ccb ccb) {
        ccb.next = handles;
        ccb.prev = null;
        if (handles != null) {
            handles.prev = ccb;
        }
        handles = ccb;
        uncleanCount++;
    }

    void removeHandle(Ccb ccb) {
        if (ccb.prev != null) {
            ccb.prev.next = ccb.next;
        } else {
            handles = ccb.next;
        }
        if (ccb.next != null) {
            ccb.next.prev = ccb.prev;
        }
        ccb.next = ccb.prev = null;
        uncleanCount--;
    }

    @Override
    public String toString() {
        return (directory ? "DCB " : "FCB ") + path();
    }
}
