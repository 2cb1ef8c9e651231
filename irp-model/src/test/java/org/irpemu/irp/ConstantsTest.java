package org.irpemu.irp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The WDK constants of the create path and the IRP: values from the "Create options, access,
 * sharing" and "Control codes and I/O status information" sections of oplock-reference.md where the
 * page lists them; the others (marked below) from wdm.h / ntifs.h / winnt.h.
 */
class ConstantsTest {

    @Test
    void createDispositionsAreZeroToFive() {
        assertThat(CreateDisposition.FILE_SUPERSEDE).isEqualTo(0);
        assertThat(CreateDisposition.FILE_OPEN).isEqualTo(1);
        assertThat(CreateDisposition.FILE_CREATE).isEqualTo(2);
        assertThat(CreateDisposition.FILE_OPEN_IF).isEqualTo(3);
        assertThat(CreateDisposition.FILE_OVERWRITE).isEqualTo(4);
        assertThat(CreateDisposition.FILE_OVERWRITE_IF).isEqualTo(5);
        assertThat(CreateDisposition.FILE_MAXIMUM_DISPOSITION).isEqualTo(5);
    }

    @Test
    void createDispositionNames() {
        assertThat(CreateDisposition.name(0)).isEqualTo("FILE_SUPERSEDE");
        assertThat(CreateDisposition.name(3)).isEqualTo("FILE_OPEN_IF");
        assertThat(CreateDisposition.name(5)).isEqualTo("FILE_OVERWRITE_IF");
        assertThat(CreateDisposition.name(6)).isEqualTo("0x6");
        // Create actions (IoStatus.Information of a create); wdm.h, not on the reference page.
        assertThat(CreateDisposition.actionName(1)).isEqualTo("FILE_OPENED");
        assertThat(CreateDisposition.actionName(2)).isEqualTo("FILE_CREATED");
        assertThat(CreateDisposition.actionName(3)).isEqualTo("FILE_OVERWRITTEN");
    }

    @Test
    void createDispositionSymbolsParseTheSixDispositions() {
        assertThat(CreateDisposition.symbols().value("FILE_SUPERSEDE")).isEqualTo(OptionalInt.of(0));
        assertThat(CreateDisposition.symbols().value("FILE_OPEN")).isEqualTo(OptionalInt.of(1));
        assertThat(CreateDisposition.symbols().value("FILE_CREATE")).isEqualTo(OptionalInt.of(2));
        assertThat(CreateDisposition.symbols().value("FILE_OPEN_IF")).isEqualTo(OptionalInt.of(3));
        assertThat(CreateDisposition.symbols().value("FILE_OVERWRITE")).isEqualTo(OptionalInt.of(4));
        assertThat(CreateDisposition.symbols().value("FILE_OVERWRITE_IF")).isEqualTo(OptionalInt.of(5));
    }

    /**
     * The table the scenario parser reads {@code disposition=} with: the six dispositions only. The
     * prefixes FILE_SUPERSEDE, FILE_OPEN and FILE_CREATE also catch the create actions, so
     * {@code disposition=FILE_OPENED} is accepted as FILE_OPEN.
     */
    @Test
    void createDispositionSymbolsHoldOnlyTheSixDispositions() {
        assertThat(CreateDisposition.symbols().names().keySet()).containsExactlyInAnyOrder("FILE_SUPERSEDE",
                "FILE_OPEN", "FILE_CREATE", "FILE_OPEN_IF", "FILE_OVERWRITE", "FILE_OVERWRITE_IF");
        assertThat(CreateDisposition.symbols().value("FILE_OPENED")).isEmpty();
    }

    @Test
    void createOptionsFromTheReferencePage() {
        assertThat(CreateOptions.FILE_DIRECTORY_FILE).isEqualTo(0x1);
        assertThat(CreateOptions.FILE_SYNCHRONOUS_IO_ALERT).isEqualTo(0x10);
        assertThat(CreateOptions.FILE_SYNCHRONOUS_IO_NONALERT).isEqualTo(0x20);
        assertThat(CreateOptions.FILE_NON_DIRECTORY_FILE).isEqualTo(0x40);
        assertThat(CreateOptions.FILE_COMPLETE_IF_OPLOCKED).isEqualTo(0x100);
        assertThat(CreateOptions.FILE_DELETE_ON_CLOSE).isEqualTo(0x1000);
        assertThat(CreateOptions.FILE_OPEN_REQUIRING_OPLOCK).isEqualTo(0x10000);
        assertThat(CreateOptions.FILE_DISALLOW_EXCLUSIVE).isEqualTo(0x20000);
        assertThat(CreateOptions.FILE_RESERVE_OPFILTER).isEqualTo(0x100000);
    }

    /** Not on the reference page: wdm.h values. */
    @Test
    void otherCreateOptionsFromWdmH() {
        assertThat(CreateOptions.FILE_WRITE_THROUGH).isEqualTo(0x2);
        assertThat(CreateOptions.FILE_SEQUENTIAL_ONLY).isEqualTo(0x4);
        assertThat(CreateOptions.FILE_NO_INTERMEDIATE_BUFFERING).isEqualTo(0x8);
        assertThat(CreateOptions.FILE_RANDOM_ACCESS).isEqualTo(0x800);
        assertThat(CreateOptions.FILE_OPEN_BY_FILE_ID).isEqualTo(0x2000);
        assertThat(CreateOptions.FILE_OPEN_FOR_BACKUP_INTENT).isEqualTo(0x4000);
        assertThat(CreateOptions.FILE_OPEN_REPARSE_POINT).isEqualTo(0x200000);
        assertThat(CreateOptions.FILE_VALID_OPTION_FLAGS).isEqualTo(0x00FFFFFF);
    }

    @Test
    void packPutsTheDispositionInTheHighByte() {
        int packed = CreateOptions.pack(3, 0x100 | 0x40);

        assertThat(packed).isEqualTo(0x03000140);
        assertThat(CreateOptions.disposition(packed)).isEqualTo(3);
        assertThat(CreateOptions.options(packed)).isEqualTo(0x140);
    }

    @Test
    void packDropsOptionBitsAboveTwentyFour() {
        int packed = CreateOptions.pack(5, 0xFF100001);

        assertThat(packed).isEqualTo(0x05100001);
        assertThat(CreateOptions.disposition(packed)).isEqualTo(5);
        assertThat(CreateOptions.options(packed)).isEqualTo(0x100001);
    }

    @Test
    void packRoundTripsEveryDisposition() {
        for (int disposition = 0; disposition <= 5; disposition++) {
            int packed = CreateOptions.pack(disposition, 0x00FFFFFF);
            assertThat(CreateOptions.disposition(packed)).isEqualTo(disposition);
            assertThat(CreateOptions.options(packed)).isEqualTo(0x00FFFFFF);
        }
    }

    @Test
    void createOptionsFormat() {
        assertThat(CreateOptions.format(0)).isEqualTo("0");
        assertThat(CreateOptions.format(0x140)).isEqualTo("FILE_NON_DIRECTORY_FILE|FILE_COMPLETE_IF_OPLOCKED");
        assertThat(CreateOptions.format(0x100000)).isEqualTo("FILE_RESERVE_OPFILTER");
    }

    @Test
    void accessRightsFromTheReferencePage() {
        assertThat(AccessMask.FILE_READ_DATA).isEqualTo(0x1);
        assertThat(AccessMask.FILE_WRITE_DATA).isEqualTo(0x2);
        assertThat(AccessMask.FILE_APPEND_DATA).isEqualTo(0x4);
        assertThat(AccessMask.FILE_READ_EA).isEqualTo(0x8);
        assertThat(AccessMask.FILE_WRITE_EA).isEqualTo(0x10);
        assertThat(AccessMask.FILE_EXECUTE).isEqualTo(0x20);
        assertThat(AccessMask.FILE_READ_ATTRIBUTES).isEqualTo(0x80);
        assertThat(AccessMask.FILE_WRITE_ATTRIBUTES).isEqualTo(0x100);
        assertThat(AccessMask.DELETE).isEqualTo(0x10000);
        assertThat(AccessMask.READ_CONTROL).isEqualTo(0x20000);
        assertThat(AccessMask.WRITE_DAC).isEqualTo(0x40000);
        assertThat(AccessMask.WRITE_OWNER).isEqualTo(0x80000);
        assertThat(AccessMask.SYNCHRONIZE).isEqualTo(0x100000);
    }

    /** Composite and generic rights: winnt.h values, not on the reference page. */
    @Test
    void compositeAndGenericRights() {
        assertThat(AccessMask.FILE_GENERIC_READ).isEqualTo(0x120089);
        assertThat(AccessMask.FILE_GENERIC_WRITE).isEqualTo(0x120116);
        assertThat(AccessMask.FILE_GENERIC_EXECUTE).isEqualTo(0x1200A0);
        assertThat(AccessMask.FILE_ALL_ACCESS).isEqualTo(0x1F01FF);
        assertThat(AccessMask.GENERIC_READ).isEqualTo(0x80000000);
        assertThat(AccessMask.GENERIC_WRITE).isEqualTo(0x40000000);
        assertThat(AccessMask.GENERIC_EXECUTE).isEqualTo(0x20000000);
        assertThat(AccessMask.GENERIC_ALL).isEqualTo(0x10000000);
        assertThat(AccessMask.MAXIMUM_ALLOWED).isEqualTo(0x02000000);
    }

    @ParameterizedTest(name = "0x{0} -> 0x{1}")
    @CsvSource({
            "80000000, 00120089", // GENERIC_READ -> FILE_GENERIC_READ
            "40000000, 00120116", // GENERIC_WRITE -> FILE_GENERIC_WRITE
            "20000000, 001200A0", // GENERIC_EXECUTE -> FILE_GENERIC_EXECUTE
            "10000000, 001F01FF", // GENERIC_ALL -> FILE_ALL_ACCESS
            "C0000000, 0012019F", // GENERIC_READ | GENERIC_WRITE
            "80010000, 00130089", // GENERIC_READ | DELETE: specific bits kept
            "00000083, 00000083", // no generic bit: unchanged
            "02000000, 02000000", // MAXIMUM_ALLOWED is not a generic right
            "00000000, 00000000",
    })
    void mapGenericMask(String desiredHex, String mappedHex) {
        int desired = Integer.parseUnsignedInt(desiredHex, 16);
        int mapped = Integer.parseUnsignedInt(mappedHex, 16);

        assertThat(AccessMask.mapGenericMask(desired)).isEqualTo(mapped);
    }

    @Test
    void accessMaskFormat() {
        assertThat(AccessMask.format(0)).isEqualTo("0");
        assertThat(AccessMask.format(0x1 | 0x100000)).isEqualTo("FILE_READ_DATA|SYNCHRONIZE");
    }

    @Test
    void shareFlags() {
        assertThat(ShareAccessFlags.FILE_SHARE_READ).isEqualTo(0x1);
        assertThat(ShareAccessFlags.FILE_SHARE_WRITE).isEqualTo(0x2);
        assertThat(ShareAccessFlags.FILE_SHARE_DELETE).isEqualTo(0x4);
        assertThat(ShareAccessFlags.FILE_SHARE_VALID_FLAGS).isEqualTo(0x7);
        assertThat(ShareAccessFlags.format(0)).isEqualTo("0");
        assertThat(ShareAccessFlags.format(0x5)).isEqualTo("FILE_SHARE_READ|FILE_SHARE_DELETE");
    }

    @Test
    void oplockBreakInformation() {
        assertThat(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2).isEqualTo(7);
        assertThat(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE).isEqualTo(8);
        assertThat(OplockBreakInformation.FILE_OPBATCH_BREAK_UNDERWAY).isEqualTo(9);
        assertThat(OplockBreakInformation.name(7)).isEqualTo("FILE_OPLOCK_BROKEN_TO_LEVEL_2");
        assertThat(OplockBreakInformation.name(8)).isEqualTo("FILE_OPLOCK_BROKEN_TO_NONE");
        assertThat(OplockBreakInformation.name(9)).isEqualTo("FILE_OPBATCH_BREAK_UNDERWAY");
        assertThat(OplockBreakInformation.name(0)).isNull();
        assertThat(OplockBreakInformation.name(-1)).isNull();
        assertThat(OplockBreakInformation.name(0x1_0000_0007L)).as("beyond 32 bits").isNull();
    }

    /** IRP_MJ_* codes: wdm.h values, not on the reference page. */
    @ParameterizedTest(name = "{1} = {0}")
    @CsvSource({
            "0,  IRP_MJ_CREATE",
            "2,  IRP_MJ_CLOSE",
            "3,  IRP_MJ_READ",
            "4,  IRP_MJ_WRITE",
            "5,  IRP_MJ_QUERY_INFORMATION",
            "6,  IRP_MJ_SET_INFORMATION",
            "9,  IRP_MJ_FLUSH_BUFFERS",
            "12, IRP_MJ_DIRECTORY_CONTROL",
            "13, IRP_MJ_FILE_SYSTEM_CONTROL",
            "14, IRP_MJ_DEVICE_CONTROL",
            "17, IRP_MJ_LOCK_CONTROL",
            "18, IRP_MJ_CLEANUP",
            "21, IRP_MJ_SET_SECURITY",
            "27, IRP_MJ_PNP",
    })
    void irpMajorFunctionNames(int code, String name) {
        assertThat(IrpMajorFunction.name(code)).isEqualTo(name);
        assertThat(IrpMajorFunction.symbols().value(name)).isEqualTo(OptionalInt.of(code));
    }

    @Test
    void irpMajorFunctionTableSize() {
        assertThat(IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION).isEqualTo(0x1b);
        assertThat(IrpMajorFunction.name(0x1c)).isEqualTo("0x1C");
    }

    /**
     * FILE_INFORMATION_CLASS: the reference page names the classes but gives no numbers; these are
     * the wdm.h / ntifs.h enumerator values.
     */
    @ParameterizedTest(name = "{1} = {0}")
    @CsvSource({
            "4,  FileBasicInformation",
            "5,  FileStandardInformation",
            "10, FileRenameInformation",
            "11, FileLinkInformation",
            "13, FileDispositionInformation",
            "14, FilePositionInformation",
            "18, FileAllInformation",
            "19, FileAllocationInformation",
            "20, FileEndOfFileInformation",
            "34, FileNetworkOpenInformation",
            "35, FileAttributeTagInformation",
            "39, FileValidDataLengthInformation",
            "40, FileShortNameInformation",
            "59, FileIdInformation",
            "64, FileDispositionInformationEx",
            "65, FileRenameInformationEx",
            "72, FileLinkInformationEx",
    })
    void fileInformationClassValues(int value, String name) {
        assertThat(FileInformationClass.fromName(name)).isEqualTo(OptionalInt.of(value));
        assertThat(FileInformationClass.name(value)).isEqualTo(name);
    }

    @Test
    void fileInformationClassConstants() {
        assertThat(FileInformationClass.FileBasicInformation).isEqualTo(4);
        assertThat(FileInformationClass.FileEndOfFileInformation).isEqualTo(20);
        assertThat(FileInformationClass.FileValidDataLengthInformation).isEqualTo(39);
        assertThat(FileInformationClass.FileIdInformation).isEqualTo(59);
        assertThat(FileInformationClass.name(0)).isEqualTo("0x0");
        assertThat(FileInformationClass.fromName("FileNoSuchInformation")).isEmpty();
    }

    /** IRP_MN_* numbers are reused across majors; wdm.h / ntifs.h values. */
    @Test
    void irpMinorFunctionNamesDependOnTheMajor() {
        assertThat(IrpMinorFunction.name(0x0d, 0x00)).isEqualTo("IRP_MN_USER_FS_REQUEST");
        assertThat(IrpMinorFunction.name(0x11, 0x01)).isEqualTo("IRP_MN_LOCK");
        assertThat(IrpMinorFunction.name(0x0c, 0x01)).isEqualTo("IRP_MN_QUERY_DIRECTORY");
        assertThat(IrpMinorFunction.name(0x0c, 0x02)).isEqualTo("IRP_MN_NOTIFY_CHANGE_DIRECTORY");
        assertThat(IrpMinorFunction.name(0x03, 0x00)).isNull();
    }
}
