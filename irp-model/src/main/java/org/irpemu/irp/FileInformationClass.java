package org.irpemu.irp;

import java.util.OptionalInt;

/**
 * {@code FILE_INFORMATION_CLASS} values ({@code wdm.h} / {@code ntifs.h}): the
 * {@code Parameters.QueryFile.FileInformationClass} and {@code Parameters.SetFile.FileInformationClass}
 * of {@code IRP_MJ_QUERY_INFORMATION} and {@code IRP_MJ_SET_INFORMATION}. The constants keep the WDK's
 * enumerator spelling so that they read as in C.
 */
@SuppressWarnings("checkstyle:ConstantName")
public final class FileInformationClass {
    public static final int FileDirectoryInformation = 1;
    public static final int FileFullDirectoryInformation = 2;
    public static final int FileBothDirectoryInformation = 3;
    public static final int FileBasicInformation = 4;
    public static final int FileStandardInformation = 5;
    public static final int FileInternalInformation = 6;
    public static final int FileEaInformation = 7;
    public static final int FileAccessInformation = 8;
    public static final int FileNameInformation = 9;
    public static final int FileRenameInformation = 10;
    public static final int FileLinkInformation = 11;
    public static final int FileNamesInformation = 12;
    public static final int FileDispositionInformation = 13;
    public static final int FilePositionInformation = 14;
    public static final int FileFullEaInformation = 15;
    public static final int FileModeInformation = 16;
    public static final int FileAlignmentInformation = 17;
    public static final int FileAllInformation = 18;
    public static final int FileAllocationInformation = 19;
    public static final int FileEndOfFileInformation = 20;
    public static final int FileAlternateNameInformation = 21;
    public static final int FileStreamInformation = 22;
    public static final int FilePipeInformation = 23;
    public static final int FilePipeLocalInformation = 24;
    public static final int FilePipeRemoteInformation = 25;
    public static final int FileMailslotQueryInformation = 26;
    public static final int FileMailslotSetInformation = 27;
    public static final int FileCompressionInformation = 28;
    public static final int FileObjectIdInformation = 29;
    public static final int FileCompletionInformation = 30;
    public static final int FileMoveClusterInformation = 31;
    public static final int FileQuotaInformation = 32;
    public static final int FileReparsePointInformation = 33;
    public static final int FileNetworkOpenInformation = 34;
    public static final int FileAttributeTagInformation = 35;
    public static final int FileTrackingInformation = 36;
    public static final int FileIdBothDirectoryInformation = 37;
    public static final int FileIdFullDirectoryInformation = 38;
    public static final int FileValidDataLengthInformation = 39;
    public static final int FileShortNameInformation = 40;
    public static final int FileIoCompletionNotificationInformation = 41;
    public static final int FileIoStatusBlockRangeInformation = 42;
    public static final int FileIoPriorityHintInformation = 43;
    public static final int FileSfioReserveInformation = 44;
    public static final int FileSfioVolumeInformation = 45;
    public static final int FileHardLinkInformation = 46;
    public static final int FileProcessIdsUsingFileInformation = 47;
    public static final int FileNormalizedNameInformation = 48;
    public static final int FileNetworkPhysicalNameInformation = 49;
    public static final int FileIdGlobalTxDirectoryInformation = 50;
    public static final int FileIsRemoteDeviceInformation = 51;
    public static final int FileUnusedInformation = 52;
    public static final int FileNumaNodeInformation = 53;
    public static final int FileStandardLinkInformation = 54;
    public static final int FileRemoteProtocolInformation = 55;
    public static final int FileRenameInformationBypassAccessCheck = 56;
    public static final int FileLinkInformationBypassAccessCheck = 57;
    public static final int FileVolumeNameInformation = 58;
    public static final int FileIdInformation = 59;
    public static final int FileIdExtdDirectoryInformation = 60;
    public static final int FileReplaceCompletionInformation = 61;
    public static final int FileHardLinkFullIdInformation = 62;
    public static final int FileIdExtdBothDirectoryInformation = 63;
    public static final int FileDispositionInformationEx = 64;
    public static final int FileRenameInformationEx = 65;
    public static final int FileRenameInformationExBypassAccessCheck = 66;
    public static final int FileDesiredStorageClassInformation = 67;
    public static final int FileStatInformation = 68;
    public static final int FileMemoryPartitionInformation = 69;
    public static final int FileStatLxInformation = 70;
    public static final int FileCaseSensitiveInformation = 71;
    public static final int FileLinkInformationEx = 72;

    private static final SymbolTable NAMES = SymbolTable.of(FileInformationClass.class, "File");

    private FileInformationClass() {
    }

    /** @return {@code FileBasicInformation} and so on, or hex for an unknown class */
    public static String name(int informationClass) {
        return NAMES.nameOrHex(informationClass);
    }

    /** @return the class of a WDK enumerator name, or empty */
    public static OptionalInt fromName(String name) {
        return NAMES.value(name);
    }
}
