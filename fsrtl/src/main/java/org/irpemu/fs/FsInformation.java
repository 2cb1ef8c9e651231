package org.irpemu.fs;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.status.NtStatus;

/**
 * IRP_MJ_QUERY_INFORMATION and IRP_MJ_SET_INFORMATION with the x64 layouts of the FILE_*_INFORMATION
 * structures (little-endian, in the IRP's system buffer). Classes a file system does not implement get
 * STATUS_INVALID_PARAMETER, as NTFS and FastFAT return. Set-information classes that change sizes,
 * names or deletion check the oplock first (WDK IRP_MJ_SET_INFORMATION table; MS-FSA 2.1.5.15) and break
 * the parent directory's oplock when the directory listing changes.
 */
final class FsInformation {
    static final int BASIC_LENGTH = 40;
    static final int STANDARD_LENGTH = 24;
    static final int INTERNAL_LENGTH = 8;
    static final int EA_LENGTH = 4;
    static final int ACCESS_LENGTH = 4;
    static final int POSITION_LENGTH = 8;
    static final int MODE_LENGTH = 4;
    static final int ALIGNMENT_LENGTH = 4;
    /** Offset of FileNameLength in FILE_ALL_INFORMATION; the name follows 4 bytes later. */
    static final int ALL_NAME_OFFSET = 96;
    /** sizeof(FILE_ALL_INFORMATION), with one WCHAR of name and padding. */
    static final int ALL_LENGTH = 104;
    static final int NETWORK_OPEN_LENGTH = 56;
    static final int ATTRIBUTE_TAG_LENGTH = 8;
    static final int ID_LENGTH = 24;
    static final int COMPRESSION_LENGTH = 16;
    /** FILE_NAME_INFORMATION: FileNameLength, then the name; sizeof with one WCHAR and padding is 8. */
    static final int NAME_FIXED = 4;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final String DATA_STREAM = "::$DATA";

    private final ReferenceFileSystem fs;

    FsInformation(ReferenceFileSystem fs) {
        this.fs = fs;
    }

    // ---------------------------------------------------------------------------------------------
    // Query
    // ---------------------------------------------------------------------------------------------

    int query(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        Ccb ccb = ReferenceFileSystem.ccb(sl);
        if (fcb == null) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int length = (int) sl.length();
        UnsafeBuffer b = irp.ensureSystemBuffer(Math.max(length, 1));
        FileObject fo = sl.fileObject();
        switch (sl.fileInformationClass()) {
            case FileInformationClass.FileBasicInformation:
                return fixed(irp, length, BASIC_LENGTH, () -> basic(b, 0, fcb));
            case FileInformationClass.FileStandardInformation:
                return fixed(irp, length, STANDARD_LENGTH, () -> standard(b, 0, fcb));
            case FileInformationClass.FileInternalInformation:
                return fixed(irp, length, INTERNAL_LENGTH, () -> b.putLong(0, fcb.fileId, LE));
            case FileInformationClass.FileEaInformation:
                return fixed(irp, length, EA_LENGTH, () -> b.putInt(0, 0, LE));
            case FileInformationClass.FileAccessInformation:
                return fixed(irp, length, ACCESS_LENGTH, () -> b.putInt(0, ccb.grantedAccess, LE));
            case FileInformationClass.FilePositionInformation:
                return fixed(irp, length, POSITION_LENGTH, () -> b.putLong(0, fo.currentByteOffset(), LE));
            case FileInformationClass.FileModeInformation:
                return fixed(irp, length, MODE_LENGTH, () -> b.putInt(0, ccb.createOptions & 0x103E, LE));
            case FileInformationClass.FileAlignmentInformation:
                return fixed(irp, length, ALIGNMENT_LENGTH, () -> b.putInt(0, 0, LE));
            case FileInformationClass.FileNetworkOpenInformation:
                return fixed(irp, length, NETWORK_OPEN_LENGTH, () -> networkOpen(b, fcb));
            case FileInformationClass.FileAttributeTagInformation:
                return fixed(irp, length, ATTRIBUTE_TAG_LENGTH, () -> {
                    b.putInt(0, fcb.attributes, LE);
                    b.putInt(4, 0, LE);
                });
            case FileInformationClass.FileIdInformation:
                return fixed(irp, length, ID_LENGTH, () -> {
                    b.putLong(0, fs.volumeSerialNumber, LE);
                    b.putLong(8, fcb.fileId, LE);
                    b.putLong(16, 0, LE);
                });
            case FileInformationClass.FileCompressionInformation:
                return fixed(irp, length, COMPRESSION_LENGTH, () -> {
                    b.setMemory(0, COMPRESSION_LENGTH, (byte) 0);
                    b.putLong(0, fcb.fileSize, LE);
                });
            case FileInformationClass.FileNameInformation:
            case FileInformationClass.FileNormalizedNameInformation:
                return name(irp, b, length, 0, fcb.path());
            case FileInformationClass.FileAllInformation:
                return all(irp, b, length, fcb, ccb, fo);
            case FileInformationClass.FileStreamInformation:
                return streams(irp, b, length, fcb);
            default:
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
    }

    private static int fixed(Irp irp, int length, int required, Runnable fill) {
        if (length < required) {
            return Io.completeRequest(irp, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0);
        }
        fill.run();
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, required);
    }

    private static void basic(UnsafeBuffer b, int at, Fcb fcb) {
        b.putLong(at, fcb.creationTime, LE);
        b.putLong(at + 8, fcb.lastAccessTime, LE);
        b.putLong(at + 16, fcb.lastWriteTime, LE);
        b.putLong(at + 24, fcb.changeTime, LE);
        b.putInt(at + 32, fcb.attributes, LE);
        b.putInt(at + 36, 0, LE);
    }

    private static void standard(UnsafeBuffer b, int at, Fcb fcb) {
        b.putLong(at, fcb.directory ? 0 : fcb.allocationSize, LE);
        b.putLong(at + 8, fcb.directory ? 0 : fcb.fileSize, LE);
        b.putInt(at + 16, fcb.linkCount, LE);
        b.putByte(at + 20, (byte) (fcb.deletePending ? 1 : 0));
        b.putByte(at + 21, (byte) (fcb.directory ? 1 : 0));
        b.putShort(at + 22, (short) 0, LE);
    }

    private static void networkOpen(UnsafeBuffer b, Fcb fcb) {
        b.putLong(0, fcb.creationTime, LE);
        b.putLong(8, fcb.lastAccessTime, LE);
        b.putLong(16, fcb.lastWriteTime, LE);
        b.putLong(24, fcb.changeTime, LE);
        b.putLong(32, fcb.directory ? 0 : fcb.allocationSize, LE);
        b.putLong(40, fcb.directory ? 0 : fcb.fileSize, LE);
        b.putInt(48, fcb.attributes, LE);
        b.putInt(52, 0, LE);
    }

    /** A FILE_NAME_INFORMATION at {@code at}: STATUS_BUFFER_OVERFLOW with as much of the name as fits. */
    private static int name(Irp irp, UnsafeBuffer b, int length, int at, String name) {
        if (length - at < NAME_FIXED) {
            return Io.completeRequest(irp, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0);
        }
        byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
        b.putInt(at, utf16.length, LE);
        int room = length - at - NAME_FIXED;
        int n = Math.min(room, utf16.length);
        b.putBytes(at + NAME_FIXED, utf16, 0, n);
        int status = n < utf16.length ? NtStatus.STATUS_BUFFER_OVERFLOW : NtStatus.STATUS_SUCCESS;
        return Io.completeRequest(irp, status, at + NAME_FIXED + n);
    }

    private static int all(Irp irp, UnsafeBuffer b, int length, Fcb fcb, Ccb ccb, FileObject fo) {
        if (length < ALL_NAME_OFFSET + NAME_FIXED) {
            return Io.completeRequest(irp, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0);
        }
        basic(b, 0, fcb);
        standard(b, 40, fcb);
        b.putLong(64, fcb.fileId, LE);
        b.putInt(72, 0, LE);
        b.putInt(76, ccb.grantedAccess, LE);
        b.putLong(80, fo.currentByteOffset(), LE);
        b.putInt(88, ccb.createOptions & 0x103E, LE);
        b.putInt(92, 0, LE);
        return name(irp, b, length, ALL_NAME_OFFSET, fcb.path());
    }

    private static int streams(Irp irp, UnsafeBuffer b, int length, Fcb fcb) {
        if (fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
        }
        byte[] n = DATA_STREAM.getBytes(StandardCharsets.UTF_16LE);
        int needed = 24 + n.length;
        if (length < 24) {
            return Io.completeRequest(irp, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0);
        }
        if (length < needed) {
            return Io.completeRequest(irp, NtStatus.STATUS_BUFFER_OVERFLOW, 0);
        }
        b.putInt(0, 0, LE);
        b.putInt(4, n.length, LE);
        b.putLong(8, fcb.fileSize, LE);
        b.putLong(16, fcb.allocationSize, LE);
        b.putBytes(24, n);
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, needed);
    }

    // ---------------------------------------------------------------------------------------------
    // Set
    // ---------------------------------------------------------------------------------------------

    int set(Irp irp, IoStackLocation sl) {
        Fcb fcb = ReferenceFileSystem.fcb(sl);
        if (fcb == null) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        UnsafeBuffer b = irp.systemBuffer();
        int length = (int) sl.length();
        switch (sl.fileInformationClass()) {
            case FileInformationClass.FileBasicInformation:
                return length < BASIC_LENGTH ? mismatch(irp) : setBasic(irp, sl, fcb, b);
            case FileInformationClass.FileDispositionInformation:
                return length < 1 ? mismatch(irp) : setDisposition(irp, sl, fcb, b.getByte(0) != 0);
            case FileInformationClass.FileDispositionInformationEx:
                return length < 4 ? mismatch(irp) : setDisposition(irp, sl, fcb, (b.getInt(0, LE) & 0x1) != 0);
            case FileInformationClass.FilePositionInformation:
                if (length < POSITION_LENGTH) {
                    return mismatch(irp);
                }
                long position = b.getLong(0, LE);
                if (position < 0) {
                    return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
                }
                sl.fileObject().currentByteOffset(position);
                return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
            case FileInformationClass.FileEndOfFileInformation:
            case FileInformationClass.FileAllocationInformation:
            case FileInformationClass.FileValidDataLengthInformation:
                return length < 8 ? mismatch(irp) : setSize(irp, sl, fcb, b.getLong(0, LE));
            case FileInformationClass.FileRenameInformation:
            case FileInformationClass.FileRenameInformationEx:
            case FileInformationClass.FileLinkInformation:
            case FileInformationClass.FileLinkInformationEx:
                return renameOrLink(irp, sl, fcb, b, length);
            case FileInformationClass.FileShortNameInformation:
                return checkOplockThen(irp, fcb, NtStatus.STATUS_SUCCESS);
            default:
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
    }

    private static int mismatch(Irp irp) {
        return Io.completeRequest(irp, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0);
    }

    private int checkOplock(Irp irp, Fcb fcb) {
        return FsRtl.checkOplock(fcb.oplock, irp, null, fs.oplockComplete, fs.prePost);
    }

    private int checkOplockThen(Irp irp, Fcb fcb, int status) {
        int st = checkOplock(irp, fcb);
        if (st != NtStatus.STATUS_SUCCESS) {
            return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
        }
        return Io.completeRequest(irp, status, 0);
    }

    private int setBasic(Irp irp, IoStackLocation sl, Fcb fcb, UnsafeBuffer b) {
        boolean changed = false;
        long[] times = {b.getLong(0, LE), b.getLong(8, LE), b.getLong(16, LE), b.getLong(24, LE)};
        for (int i = 0; i < 4; i++) {
            long t = times[i];
            if (t != 0 && t != -1 && t != -2) {
                switch (i) {
                    case 0: fcb.creationTime = t; break;
                    case 1: fcb.lastAccessTime = t; break;
                    case 2: fcb.lastWriteTime = t; break;
                    default: fcb.changeTime = t; break;
                }
                changed = true;
            }
        }
        int attributes = b.getInt(32, LE);
        if (attributes != 0) {
            if ((attributes & FileAttributes.FILE_ATTRIBUTE_DIRECTORY) != 0 && !fcb.directory) {
                return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
            }
            int newAttributes = (attributes & FileAttributes.FILE_ATTRIBUTE_VALID_SET_FLAGS
                    & ~FileAttributes.FILE_ATTRIBUTE_NORMAL)
                    | (fcb.directory ? FileAttributes.FILE_ATTRIBUTE_DIRECTORY : 0);
            changed |= newAttributes != fcb.attributes;
            fcb.attributes = newAttributes;
        }
        if (changed) {
            fs.breakParentOplock(fcb.parent, irp, sl.fileObject(), 0, fcb.dispatcher);
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    private int setDisposition(Irp irp, IoStackLocation sl, Fcb fcb, boolean deleteFile) {
        if (deleteFile) {
            if (fcb.isRoot() || (fcb.attributes & FileAttributes.FILE_ATTRIBUTE_READONLY) != 0) {
                return Io.completeRequest(irp, NtStatus.STATUS_CANNOT_DELETE, 0);
            }
            if (fcb.directory && !fcb.children.isEmpty()) {
                return Io.completeRequest(irp, NtStatus.STATUS_DIRECTORY_NOT_EMPTY, 0);
            }
            int st = checkOplock(irp, fcb);
            if (st != NtStatus.STATUS_SUCCESS) {
                return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
            }
        }
        fcb.deletePending = deleteFile;
        sl.fileObject().deletePending(deleteFile);
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    private int setSize(Irp irp, IoStackLocation sl, Fcb fcb, long value) {
        int infoClass = sl.fileInformationClass();
        if (fcb.directory || value < 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        if (infoClass == FileInformationClass.FileValidDataLengthInformation
                && (value > fcb.fileSize || value < fcb.validDataLength)) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int st = checkOplock(irp, fcb);
        if (st != NtStatus.STATUS_SUCCESS) {
            return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
        }
        switch (infoClass) {
            case FileInformationClass.FileEndOfFileInformation:
                if (value < fcb.fileSize && fcb.data != null) {
                    fcb.data.truncate(value);
                }
                fcb.fileSize = value;
                fcb.validDataLength = Math.min(fcb.validDataLength, value);
                fcb.allocationSize = Math.max(fcb.allocationSize, ReferenceFileSystem.roundUp(value));
                break;
            case FileInformationClass.FileAllocationInformation:
                fcb.allocationSize = ReferenceFileSystem.roundUp(value);
                if (fcb.fileSize > fcb.allocationSize) {
                    if (fcb.data != null) {
                        fcb.data.truncate(fcb.allocationSize);
                    }
                    fcb.fileSize = fcb.allocationSize;
                    fcb.validDataLength = Math.min(fcb.validDataLength, fcb.fileSize);
                }
                break;
            default:
                fcb.validDataLength = value;
                break;
        }
        fcb.changeTime = fs.now();
        if (infoClass != FileInformationClass.FileValidDataLengthInformation) {
            fs.breakParentOplock(fcb.parent, irp, sl.fileObject(), 0, fcb.dispatcher);
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    /**
     * FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION (x64): ReplaceIfExists BOOLEAN (or Flags ULONG for
     * the Ex classes) at 0, RootDirectory at 8 (must be NULL), FileNameLength ULONG at 16, FileName at 20.
     * The name is a volume-relative path starting with a backslash, or a simple name in the same directory.
     */
    private int renameOrLink(Irp irp, IoStackLocation sl, Fcb fcb, UnsafeBuffer b, int length) {
        // Taken off the IRP at once, so that every completion below leaves the slot clear.
        @SuppressWarnings("unchecked")
        Set<Fcb> checked = (Set<Fcb>) irp.driverContext()[CHECKED_STREAMS];
        irp.driverContext()[CHECKED_STREAMS] = null;
        int infoClass = sl.fileInformationClass();
        boolean link = infoClass == FileInformationClass.FileLinkInformation
                || infoClass == FileInformationClass.FileLinkInformationEx;
        boolean ex = infoClass == FileInformationClass.FileRenameInformationEx
                || infoClass == FileInformationClass.FileLinkInformationEx;
        if (length < 20) {
            return mismatch(irp);
        }
        int nameLength = b.getInt(16, LE);
        if (nameLength <= 0 || (nameLength & 1) != 0 || 20 + nameLength > length || b.getLong(8, LE) != 0) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        boolean replace = ex ? (b.getInt(0, LE) & 0x1) != 0 : b.getByte(0) != 0;
        byte[] raw = new byte[nameLength];
        b.getBytes(20, raw);
        String newName = new String(raw, StandardCharsets.UTF_16LE);
        if (fcb.isRoot()) {
            return Io.completeRequest(irp, NtStatus.STATUS_ACCESS_DENIED, 0);
        }
        if (link && fcb.directory) {
            return Io.completeRequest(irp, NtStatus.STATUS_FILE_IS_A_DIRECTORY, 0);
        }
        Fcb targetParent;
        String targetName;
        if (newName.startsWith("\\")) {
            List<String> parts = PathName.split(newName);
            if (parts == null || parts.isEmpty()) {
                return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
            }
            targetParent = fs.root;
            for (int i = 0; i < parts.size() - 1; i++) {
                Fcb next = targetParent.children.get(PathName.key(parts.get(i)));
                if (next == null || !next.directory) {
                    return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_PATH_NOT_FOUND, 0);
                }
                targetParent = next;
            }
            targetName = parts.get(parts.size() - 1);
        } else {
            if (!PathName.validComponent(newName)) {
                return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_INVALID, 0);
            }
            Ccb ccb = ReferenceFileSystem.ccb(sl);
            targetParent = ccb.linkParent != null ? ccb.linkParent : fcb.parent;
            targetName = newName;
        }
        int current = fs.currentDispatcher();
        if (!link) {
            // A rename breaks handle caching on the stream itself (WDK IRP_MJ_SET_INFORMATION; MS-FSA
            // 2.1.5.15.12). A new link does not: the WDK page has it affect only the link it supersedes.
            int st = checkOplock(irp, fcb);
            if (st != NtStatus.STATUS_SUCCESS) {
                return st == NtStatus.STATUS_PENDING ? st : Io.completeRequest(irp, st, 0);
            }
        }
        if (!link && fcb.directory) {
            // Renaming an ancestor directory applies the rename rows to every open stream below it (WDK);
            // the rename fails if handles stay open after the breaks (MS-FSA 2.1.5.15.12).
            if (breakDescendants(irp, fcb, current, checked) == NtStatus.STATUS_PENDING) {
                return NtStatus.STATUS_PENDING;
            }
            if (hasOpenDescendants(fcb)) {
                return Io.completeRequest(irp, NtStatus.STATUS_ACCESS_DENIED, 0);
            }
        }
        if (fcb.directory && isAncestorOrSelf(fcb, targetParent)) {
            return Io.completeRequest(irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        String key = PathName.key(targetName);
        Fcb existing = targetParent.children.get(key);
        if (existing != null && existing != fcb) {
            if (!replace) {
                return Io.completeRequest(irp, NtStatus.STATUS_OBJECT_NAME_COLLISION, 0);
            }
            if (existing.directory) {
                return Io.completeRequest(irp, NtStatus.STATUS_ACCESS_DENIED, 0);
            }
            if (existing.uncleanCount > 0) {
                // The link being superseded: its oplock is broken by the rename rows and the operation
                // waits (WDK); it still fails if the target stays open (MS-FSA 2.1.5.15.6, 2.1.5.15.12).
                if (breakOtherStream(irp, existing, current, true, checked) == NtStatus.STATUS_PENDING) {
                    return NtStatus.STATUS_PENDING;
                }
                if (existing.uncleanCount > 0) {
                    return Io.completeRequest(irp, NtStatus.STATUS_ACCESS_DENIED, 0);
                }
            }
            targetParent.children.remove(key, existing);
            fs.namespaceChanged();
            existing.linkCount--;
            existing.deleted = existing.linkCount == 0;
        } else if (existing == fcb && link) {
            return Io.completeRequest(irp, replace ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_OBJECT_NAME_COLLISION, 0);
        }
        Ccb ccb = ReferenceFileSystem.ccb(sl);
        Fcb sourceParent = ccb.linkParent != null ? ccb.linkParent : fcb.parent;
        fs.namespaceChanged();
        if (link) {
            targetParent.children.put(key, fcb);
            fcb.linkCount++;
        } else {
            String oldName = ccb.linkName != null ? ccb.linkName : fcb.name;
            sourceParent.children.remove(PathName.key(oldName), fcb);
            targetParent.children.put(key, fcb);
            if (fcb.parent == sourceParent && PathName.key(fcb.name).equals(PathName.key(oldName))) {
                fcb.parent = targetParent;
                fcb.name = targetName;
            }
            ccb.linkParent = targetParent;
            ccb.linkName = targetName;
            fs.breakParentOplock(sourceParent, irp, sl.fileObject(), 0, current);
        }
        fcb.changeTime = fs.now();
        if (targetParent != sourceParent || link) {
            fs.breakParentOplock(targetParent, irp, sl.fileObject(), 0, current);
        }
        return Io.completeRequest(irp, NtStatus.STATUS_SUCCESS, 0);
    }

    /**
     * Starts the breaks on every open stream below a directory, then waits for the first that may need an
     * acknowledgment; the IRP is re-driven when it may go on and the walk runs again.
     *
     * @param checked streams owned by other dispatchers whose checks already let this IRP go on, or null
     * @return STATUS_PENDING when the IRP waits, else STATUS_SUCCESS
     */
    private int breakDescendants(Irp irp, Fcb dir, int current, Set<Fcb> checked) {
        Fcb waitOn = startBreaks(irp, dir, current, checked, null);
        return waitOn == null ? NtStatus.STATUS_SUCCESS : breakOtherStream(irp, waitOn, current, true, checked);
    }

    /** @return the first open stream below the directory whose break may have to be waited for, or null */
    private Fcb startBreaks(Irp irp, Fcb dir, int current, Set<Fcb> checked, Fcb waitOn) {
        for (Fcb child : dir.children.values()) {
            if (child.uncleanCount > 0
                    && breakOtherStream(irp, child, current, false, checked) == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS
                    && waitOn == null) {
                waitOn = child;
            }
            if (child.directory) {
                waitOn = startBreaks(irp, child, current, checked, waitOn);
            }
        }
        return waitOn;
    }

    /**
     * Checks the oplock of another stream than the IRP's own for the IRP's operation (FsRtlCheckOplock
     * with the IRP's file object, so its oplock key decides). A stream owned by another dispatcher is
     * checked there: to start its breaks with a copy of the IRP, or, to wait, by handing the IRP over;
     * the owner re-drives it here when it may go on, and records the stream in {@code checked}.
     *
     * @param wait false: start the breaks only (OPLOCK_FLAG_COMPLETE_IF_OPLOCKED)
     * @param checked streams of other dispatchers already checked for this IRP, or null
     * @return STATUS_SUCCESS, STATUS_OPLOCK_BREAK_IN_PROGRESS (wait false: an acknowledgment is due, or
     *     may be for a stream of another dispatcher), or STATUS_PENDING (wait true: the IRP waits and
     *     will be re-driven on dispatcher {@code home})
     */
    private int breakOtherStream(Irp irp, Fcb other, int home, boolean wait, Set<Fcb> checked) {
        int owner = fs.ownerOf(other, home);
        if (owner == home) {
            if (!wait) {
                return FsRtl.checkOplockEx(other.oplock, irp, OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, null,
                        null, null);
            }
            return checkOplock(irp, other);
        }
        if (checked != null && checked.contains(other)) {
            return NtStatus.STATUS_SUCCESS;
        }
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        if (!wait) {
            int major = sl.majorFunction();
            int infoClass = sl.fileInformationClass();
            FileObject fo = sl.fileObject();
            fs.post(owner, context -> {
                Irp check = Io.allocateIrp(1, null);
                Io.getNextIrpStackLocation(check).majorFunction(major).fileInformationClass(infoClass).fileObject(fo);
                Io.setNextIrpStackLocation(check);
                FsRtl.checkOplockEx(other.oplock, check, OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, null, null,
                        null);
            }, null);
            return NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS;
        }
        Set<Fcb> done = checked != null ? checked : new HashSet<>();
        irp.driverContext()[CHECKED_STREAMS] = done;
        Io.markIrpPending(irp);
        fs.post(owner, context -> {
            int st = FsRtl.checkOplock(other.oplock, irp, null, (c, parked) -> {
                if (parked.ioStatus().status() == NtStatus.STATUS_SUCCESS) {
                    done.add(other);
                    fs.post(home, parked);
                } else {
                    Io.completeRequest(parked, parked.ioStatus().status(), 0);
                }
            }, fs.prePost);
            if (st == NtStatus.STATUS_SUCCESS) {
                done.add(other);
                fs.post(home, irp);
            } else if (st != NtStatus.STATUS_PENDING) {
                Io.completeRequest(irp, st, 0);
            }
        }, null);
        return NtStatus.STATUS_PENDING;
    }

    private static boolean isAncestorOrSelf(Fcb dir, Fcb f) {
        for (Fcb p = f; p != null; p = p.parent) {
            if (p == dir) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasOpenDescendants(Fcb dir) {
        for (Fcb child : dir.children.values()) {
            if (child.uncleanCount > 0 || (child.directory && hasOpenDescendants(child))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The IRP's DriverContext slot (the file system owns slots 0 and 1 while it holds the IRP) that carries,
     * while a rename or link is handed to other dispatchers, the streams whose checks let it go on.
     */
    private static final int CHECKED_STREAMS = 0;

    /** Parent-break flags for removing a link (cleanup of a deleted file). */
    static final int REMOVING = OplockFlags.OPLOCK_FLAG_REMOVING_FILE_OR_LINK;
}
