package org.irpemu.io;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.status.NtStatus;

/**
 * The checks the I/O manager and object manager make on a handle before any driver sees a request:
 * the access a request needs ({@code NtReadFile}: FILE_READ_DATA; {@code NtWriteFile}: FILE_WRITE_DATA
 * or FILE_APPEND_DATA; the FSCTL's RequiredAccess field; the per-class tables of
 * {@code NtQueryInformationFile} / {@code NtSetInformationFile}) and the minimum structure lengths of
 * the information classes (STATUS_INFO_LENGTH_MISMATCH).
 */
final class IoAccessChecks {
    private IoAccessChecks() {
    }

    static int read(FileObject fo) {
        return (fo.grantedAccess() & AccessMask.FILE_READ_DATA) != 0 ? NtStatus.STATUS_SUCCESS
                : NtStatus.STATUS_ACCESS_DENIED;
    }

    static int write(FileObject fo) {
        return (fo.grantedAccess() & (AccessMask.FILE_WRITE_DATA | AccessMask.FILE_APPEND_DATA)) != 0
                ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_ACCESS_DENIED;
    }

    /** Byte-range locks need read or write access to the handle. */
    static int lock(FileObject fo) {
        return (fo.grantedAccess() & (AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA)) != 0
                ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_ACCESS_DENIED;
    }

    static int flush(FileObject fo) {
        return write(fo);
    }

    /** NtSetSecurityObject of the DACL needs WRITE_DAC. */
    static int setSecurity(FileObject fo) {
        return (fo.grantedAccess() & AccessMask.WRITE_DAC) != 0 ? NtStatus.STATUS_SUCCESS
                : NtStatus.STATUS_ACCESS_DENIED;
    }

    /** The RequiredAccess field of the control code: FILE_READ_ACCESS needs FILE_READ_DATA, and so on. */
    static int fsControl(FileObject fo, int code) {
        int required = FsControlCode.access(code);
        if ((required & FsControlCode.FILE_READ_ACCESS) != 0 && (fo.grantedAccess() & AccessMask.FILE_READ_DATA) == 0) {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        if ((required & FsControlCode.FILE_WRITE_ACCESS) != 0
                && (fo.grantedAccess() & AccessMask.FILE_WRITE_DATA) == 0) {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    static int queryInformation(FileObject fo, int infoClass, int length) {
        int minimum;
        int access = 0;
        switch (infoClass) {
            case FileInformationClass.FileBasicInformation: minimum = 40; access = AccessMask.FILE_READ_ATTRIBUTES; break;
            case FileInformationClass.FileStandardInformation: minimum = 24; break;
            case FileInformationClass.FileInternalInformation: minimum = 8; break;
            case FileInformationClass.FileEaInformation: minimum = 4; break;
            case FileInformationClass.FileAccessInformation: minimum = 4; break;
            case FileInformationClass.FileNameInformation: minimum = 8; break;
            case FileInformationClass.FilePositionInformation: minimum = 8; break;
            case FileInformationClass.FileModeInformation: minimum = 4; break;
            case FileInformationClass.FileAlignmentInformation: minimum = 4; break;
            case FileInformationClass.FileAllInformation: minimum = 104; access = AccessMask.FILE_READ_ATTRIBUTES; break;
            case FileInformationClass.FileNetworkOpenInformation:
                minimum = 56;
                access = AccessMask.FILE_READ_ATTRIBUTES;
                break;
            case FileInformationClass.FileAttributeTagInformation:
                minimum = 8;
                access = AccessMask.FILE_READ_ATTRIBUTES;
                break;
            case FileInformationClass.FileStreamInformation: minimum = 24; break;
            default: minimum = 0; break;
        }
        if (length < minimum) {
            return NtStatus.STATUS_INFO_LENGTH_MISMATCH;
        }
        return (fo.grantedAccess() & access) == access ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_ACCESS_DENIED;
    }

    static int setInformation(FileObject fo, int infoClass, int length) {
        int minimum;
        int access;
        switch (infoClass) {
            case FileInformationClass.FileBasicInformation:
                minimum = 40;
                access = AccessMask.FILE_WRITE_ATTRIBUTES;
                break;
            case FileInformationClass.FileDispositionInformation:
                minimum = 1;
                access = AccessMask.DELETE;
                break;
            case FileInformationClass.FileDispositionInformationEx:
                minimum = 4;
                access = AccessMask.DELETE;
                break;
            case FileInformationClass.FileRenameInformation:
            case FileInformationClass.FileRenameInformationEx:
            case FileInformationClass.FileShortNameInformation:
                minimum = 24;
                access = AccessMask.DELETE;
                break;
            case FileInformationClass.FileLinkInformation:
            case FileInformationClass.FileLinkInformationEx:
                minimum = 24;
                access = 0;
                break;
            case FileInformationClass.FileEndOfFileInformation:
            case FileInformationClass.FileAllocationInformation:
            case FileInformationClass.FileValidDataLengthInformation:
                minimum = 8;
                access = AccessMask.FILE_WRITE_DATA;
                break;
            case FileInformationClass.FilePositionInformation:
                minimum = 8;
                access = 0;
                break;
            default:
                minimum = 0;
                access = 0;
                break;
        }
        if (length < minimum) {
            return NtStatus.STATUS_INFO_LENGTH_MISMATCH;
        }
        return (fo.grantedAccess() & access) == access ? NtStatus.STATUS_SUCCESS : NtStatus.STATUS_ACCESS_DENIED;
    }
}
