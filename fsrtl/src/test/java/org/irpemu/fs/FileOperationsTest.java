package org.irpemu.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.fs.Client.LE;
import static org.irpemu.fs.Client.st;
import static org.irpemu.irp.AccessMask.DELETE;
import static org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_READ_DATA;
import static org.irpemu.irp.AccessMask.FILE_WRITE_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_WRITE_DATA;
import static org.irpemu.irp.AccessMask.GENERIC_READ;
import static org.irpemu.irp.AccessMask.GENERIC_WRITE;
import static org.irpemu.irp.AccessMask.SYNCHRONIZE;
import static org.irpemu.irp.CreateDisposition.FILE_CREATE;
import static org.irpemu.irp.CreateDisposition.FILE_OPEN;
import static org.irpemu.irp.CreateOptions.FILE_DIRECTORY_FILE;
import static org.irpemu.irp.FileInformationClass.FileAllInformation;
import static org.irpemu.irp.FileInformationClass.FileAllocationInformation;
import static org.irpemu.irp.FileInformationClass.FileBasicInformation;
import static org.irpemu.irp.FileInformationClass.FileEndOfFileInformation;
import static org.irpemu.irp.FileInformationClass.FileNameInformation;
import static org.irpemu.irp.FileInformationClass.FileStandardInformation;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_DELETE;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_READ;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_WRITE;
import static org.irpemu.status.NtStatus.STATUS_ACCESS_DENIED;
import static org.irpemu.status.NtStatus.STATUS_BUFFER_OVERFLOW;
import static org.irpemu.status.NtStatus.STATUS_END_OF_FILE;
import static org.irpemu.status.NtStatus.STATUS_FILE_IS_A_DIRECTORY;
import static org.irpemu.status.NtStatus.STATUS_FILE_LOCK_CONFLICT;
import static org.irpemu.status.NtStatus.STATUS_INFO_LENGTH_MISMATCH;
import static org.irpemu.status.NtStatus.STATUS_INVALID_PARAMETER;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_NAME_COLLISION;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_PATH_NOT_FOUND;
import static org.irpemu.status.NtStatus.STATUS_SUCCESS;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.MutableDirectBuffer;
import org.irpemu.io.IoManager;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Reads, writes, sizes, byte-range lock conflicts, the I/O manager's access checks, rename and link,
 * and query information, through the I/O manager on the reference file system. Expectations come from
 * the NtReadFile / NtWriteFile / NtSetInformationFile / NtQueryInformationFile pages, [MS-FSCC] 2.4
 * (structure layouts: FILE_BASIC_INFORMATION 40 bytes, FILE_STANDARD_INFORMATION 24, FILE_ALL_INFORMATION
 * with FileNameLength at 96) and [MS-FSA] 2.1.5.3 / 2.1.5.4 / 2.1.5.12 / 2.1.5.15.
 */
class FileOperationsTest {
    private static final int RW = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE;
    private static final int SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    private static final String OK = st(STATUS_SUCCESS);
    private static final String LONG_DIR = "\\a-directory-with-a-rather-long-name";
    private static final String LONG_FILE = LONG_DIR + "\\and-a-file-whose-name-is-long-too.txt";

    private static ReferenceFileSystem volume() {
        ReferenceFileSystem fs = new ReferenceFileSystem();
        fs.createDirectories("\\dir\\sub");
        fs.createFile("\\dir\\file.txt", 100, 0);
        fs.createFile("\\dir\\other.txt", 7, 0);
        fs.createFile("\\doc.txt", 0, 0);
        fs.createFile(LONG_FILE, 3, 0);
        return fs;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String utf16(MutableDirectBuffer b, int offset, int length) {
        byte[] raw = new byte[length];
        b.getBytes(offset, raw);
        return new String(raw, StandardCharsets.UTF_16LE);
    }

    // ---------------------------------------------------------------------------------------------
    // Read, write, end of file, allocation
    // ---------------------------------------------------------------------------------------------

    @Nested
    class ReadWrite {
        @Test
        void writtenDataReadsBack() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                Overlapped w = c.write(h, 0, "hello, world");
                assertThat(st(w)).isEqualTo(OK);
                assertThat(w.information()).as("bytes written").isEqualTo(12);
                assertThat(fs.fileSize("\\doc.txt")).isEqualTo(12);

                byte[] buf = new byte[12];
                Overlapped r = c.read(h, 0, buf);
                assertThat(st(r)).isEqualTo(OK);
                assertThat(r.information()).isEqualTo(12);
                assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("hello, world");

                byte[] part = new byte[5];
                assertThat(c.read(h, 7, part).information()).isEqualTo(5);
                assertThat(new String(part, StandardCharsets.US_ASCII)).isEqualTo("world");
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void readingAtOrPastTheEndOfFileIsEndOfFile() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.read(h, 100, new byte[10]))).isEqualTo(st(STATUS_END_OF_FILE));
                assertThat(st(c.read(h, 5000, new byte[1]))).isEqualTo(st(STATUS_END_OF_FILE));
                // A read that starts before the end returns the bytes up to it.
                Overlapped across = c.read(h, 95, new byte[10]);
                assertThat(st(across)).isEqualTo(OK);
                assertThat(across.information()).isEqualTo(5);
                c.close(h);
                FileObject empty = c.open("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.read(empty, 0, new byte[1]))).isEqualTo(st(STATUS_END_OF_FILE));
                c.close(empty);
                c.assertNoFailures();
            }
        }

        @Test
        void writingPastTheEndExtendsTheFileWithZeros() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                c.write(h, 0, "ab");
                assertThat(st(c.write(h, 10000, "z"))).isEqualTo(OK);
                assertThat(fs.fileSize("\\doc.txt")).isEqualTo(10001);
                byte[] buf = new byte[10001];
                assertThat(c.read(h, 0, buf).information()).isEqualTo(10001);
                assertThat(buf[0]).isEqualTo((byte) 'a');
                assertThat(buf[1]).isEqualTo((byte) 'b');
                assertThat(Arrays.copyOfRange(buf, 2, 10000)).containsOnly(0);
                assertThat(buf[10000]).isEqualTo((byte) 'z');
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void setEndOfFileTruncatesAndExtends() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                c.write(h, 0, "0123456789");
                assertThat(st(c.setLong(h, 3, FileEndOfFileInformation))).isEqualTo(OK);
                assertThat(fs.fileSize("\\doc.txt")).isEqualTo(3);
                byte[] buf = new byte[10];
                assertThat(c.read(h, 0, buf).information()).isEqualTo(3);
                assertThat(new String(buf, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("012");
                assertThat(st(c.read(h, 3, buf))).isEqualTo(st(STATUS_END_OF_FILE));

                // Extending: the new bytes read as zeros, the old ones beyond the truncation are gone.
                assertThat(st(c.setLong(h, 8, FileEndOfFileInformation))).isEqualTo(OK);
                assertThat(fs.fileSize("\\doc.txt")).isEqualTo(8);
                Arrays.fill(buf, (byte) 'x');
                assertThat(c.read(h, 0, buf).information()).isEqualTo(8);
                assertThat(new String(buf, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("012");
                assertThat(Arrays.copyOfRange(buf, 3, 8)).containsOnly(0);

                Overlapped std = c.query(h, 24, FileStandardInformation);
                assertThat(std.outputBuffer().getLong(8, LE)).as("EndOfFile").isEqualTo(8);
                assertThat(std.outputBuffer().getLong(0, LE)).as("AllocationSize").isGreaterThanOrEqualTo(8);
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void allocationSizeGrowsWithoutChangingTheEndOfFileAndTruncatesBelowIt() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.setLong(h, 100_000, FileAllocationInformation))).isEqualTo(OK);
                Overlapped std = c.query(h, 24, FileStandardInformation);
                assertThat(std.outputBuffer().getLong(0, LE)).as("AllocationSize").isGreaterThanOrEqualTo(100_000);
                assertThat(std.outputBuffer().getLong(8, LE)).as("EndOfFile").isEqualTo(100);

                // MS-FSA 2.1.5.15.1: an allocation below the end of file truncates the file. (A cluster-aligned
                // size, so that rounding the allocation to clusters does not matter.)
                assertThat(st(c.write(h, 9999, "z"))).isEqualTo(OK);
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(10_000);
                assertThat(st(c.setLong(h, 4096, FileAllocationInformation))).isEqualTo(OK);
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(4096);
                std = c.query(h, 24, FileStandardInformation);
                assertThat(std.outputBuffer().getLong(8, LE)).as("EndOfFile").isEqualTo(4096);
                assertThat(std.outputBuffer().getLong(0, LE)).as("AllocationSize").isEqualTo(4096);
                assertThat(st(c.read(h, 4096, new byte[1]))).isEqualTo(st(STATUS_END_OF_FILE));
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void negativeEndOfFileIsAnInvalidParameter() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.setLong(h, -1, FileEndOfFileInformation))).isEqualTo(st(STATUS_INVALID_PARAMETER));
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(100);
                c.close(h);
                c.assertNoFailures();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Byte-range lock conflicts on read and write
    // ---------------------------------------------------------------------------------------------

    @Nested
    class LockConflicts {
        @Test
        void exclusiveLockBlocksOtherHandlesReadsAndWrites() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject owner = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                FileObject other = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.lock(owner, 10, 10, true))).isEqualTo(OK);

                assertThat(st(c.read(other, 15, new byte[1]))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                assertThat(st(c.read(other, 0, new byte[11]))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                assertThat(st(c.write(other, 19, "x"))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                assertThat(st(c.read(other, 0, new byte[10]))).as("just before the range").isEqualTo(OK);
                assertThat(st(c.write(other, 20, "x"))).as("just after the range").isEqualTo(OK);
                assertThat(st(c.read(owner, 15, new byte[1]))).isEqualTo(OK);
                assertThat(st(c.write(owner, 15, "y"))).isEqualTo(OK);

                // Unlocking lifts the conflict.
                assertThat(st(done(c.nt().ntUnlockFile(new Overlapped(), owner, 10, 10, 0)))).isEqualTo(OK);
                assertThat(st(c.read(other, 15, new byte[1]))).isEqualTo(OK);
                c.close(owner);
                c.close(other);
                c.assertNoFailures();
            }
        }

        @Test
        void sharedLockBlocksAllWritesButNoReads() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject owner = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                FileObject other = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.lock(owner, 0, 50, false))).isEqualTo(OK);
                assertThat(st(c.read(other, 10, new byte[5]))).isEqualTo(OK);
                assertThat(st(c.read(owner, 10, new byte[5]))).isEqualTo(OK);
                assertThat(st(c.write(other, 10, "x"))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                assertThat(st(c.write(owner, 10, "x"))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                assertThat(st(c.write(other, 50, "x"))).isEqualTo(OK);
                c.close(owner);
                c.close(other);
                c.assertNoFailures();
            }
        }

        @Test
        void closingTheOwnerReleasesItsLocks() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject owner = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                FileObject other = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.lock(owner, 0, 100, true))).isEqualTo(OK);
                assertThat(st(c.write(other, 0, "x"))).isEqualTo(st(STATUS_FILE_LOCK_CONFLICT));
                c.close(owner);
                assertThat(st(c.write(other, 0, "x"))).isEqualTo(OK);
                c.close(other);
                c.assertNoFailures();
            }
        }

        @Test
        void waitingLockIsGrantedWhenTheOwnerCloses() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject owner = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                FileObject other = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.lock(owner, 0, 10, true))).isEqualTo(OK);
                Overlapped waiting = c.nt().ntLockFile(new Overlapped(), other, 5, 10, 0, false, true);
                c.quiesce();
                assertThat(st(waiting)).isEqualTo("pending");
                c.close(owner);
                assertThat(st(done(waiting))).isEqualTo(OK);
                c.close(other);
                c.assertNoFailures();
            }
        }

        @Test
        void cancelledWaitingLockCompletesCancelled() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject owner = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                FileObject other = c.open("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.lock(owner, 0, 10, true))).isEqualTo(OK);
                Overlapped waiting = c.nt().ntLockFile(new Overlapped(), other, 5, 10, 0, false, false);
                c.quiesce();
                assertThat(c.nt().cancelIoEx(other, waiting)).isTrue();
                assertThat(st(done(waiting))).isEqualTo(st(org.irpemu.status.NtStatus.STATUS_CANCELLED));
                c.close(owner);
                c.close(other);
                c.assertNoFailures();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The I/O manager's access checks
    // ---------------------------------------------------------------------------------------------

    @Nested
    class AccessChecks {
        @Test
        void readNeedsFileReadDataAndWriteNeedsFileWriteData() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject readOnly = c.open("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                FileObject writeOnly = c.open("\\dir\\file.txt", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0);
                FileObject attributes = c.open("\\dir\\file.txt", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.write(readOnly, 0, "x"))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.read(writeOnly, 0, new byte[1]))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.read(attributes, 0, new byte[1]))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.write(attributes, 0, "x"))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.read(readOnly, 0, new byte[1]))).isEqualTo(OK);
                assertThat(st(c.write(writeOnly, 0, "x"))).isEqualTo(OK);
                c.close(readOnly);
                c.close(writeOnly);
                c.close(attributes);
                c.assertNoFailures();
            }
        }

        @Test
        void genericRightsAreMappedToFileRights() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject reader = c.open("\\dir\\file.txt", GENERIC_READ, SHARE_ALL, FILE_OPEN, 0);
                FileObject writer = c.open("\\dir\\file.txt", GENERIC_WRITE, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.read(reader, 0, new byte[1]))).isEqualTo(OK);
                assertThat(st(c.write(reader, 0, "x"))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.write(writer, 0, "x"))).isEqualTo(OK);
                assertThat(st(c.read(writer, 0, new byte[1]))).isEqualTo(st(STATUS_ACCESS_DENIED));
                c.close(reader);
                c.close(writer);
                c.assertNoFailures();
            }
        }

        @Test
        void setInformationNeedsTheClassesAccess() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject reader = c.open("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.setLong(reader, 1, FileEndOfFileInformation))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.setLong(reader, 1, FileAllocationInformation))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.setDisposition(reader, true))).as("needs DELETE").isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.rename(reader, "\\dir\\renamed.txt", false))).as("needs DELETE")
                        .isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(st(c.setInformation(reader, new byte[40], FileBasicInformation)))
                        .as("needs FILE_WRITE_ATTRIBUTES").isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(100);
                assertThat(fs.exists("\\dir\\renamed.txt")).isFalse();
                c.close(reader);
                assertThat(fs.exists("\\dir\\file.txt")).isTrue();
                c.assertNoFailures();
            }
        }

        @Test
        void queryBasicInformationNeedsFileReadAttributes() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.query(h, 40, FileBasicInformation))).isEqualTo(st(STATUS_ACCESS_DENIED));
                // FileStandardInformation needs no particular access.
                assertThat(st(c.query(h, 24, FileStandardInformation))).isEqualTo(OK);
                c.close(h);
                c.assertNoFailures();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Rename and link
    // ---------------------------------------------------------------------------------------------

    @Nested
    class RenameAndLink {
        private final int access = FILE_READ_DATA | DELETE | SYNCHRONIZE | FILE_READ_ATTRIBUTES;

        @Test
        void renameToAFullPath() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "\\dir\\sub\\moved.txt", false))).isEqualTo(OK);
                assertThat(fs.exists("\\dir\\file.txt")).isFalse();
                assertThat(fs.exists("\\dir\\sub\\moved.txt")).isTrue();
                assertThat(fs.fileSize("\\dir\\sub\\moved.txt")).isEqualTo(100);
                Overlapped name = c.query(h, 256, FileNameInformation);
                assertThat(st(name)).isEqualTo(OK);
                int len = name.outputBuffer().getInt(0, LE);
                assertThat(utf16(name.outputBuffer(), 4, len)).isEqualTo("\\dir\\sub\\moved.txt");
                c.close(h);
                assertThat(st(c.create("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                        .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
                c.assertNoFailures();
            }
        }

        @Test
        void renameToASimpleNameStaysInTheDirectory() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "renamed.txt", false))).isEqualTo(OK);
                assertThat(fs.exists("\\dir\\renamed.txt")).isTrue();
                assertThat(fs.exists("\\dir\\file.txt")).isFalse();
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void renameOntoAnExistingNameWithoutReplaceIsACollision() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "\\dir\\other.txt", false))).isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
                assertThat(fs.fileSize("\\dir\\other.txt")).isEqualTo(7);
                assertThat(fs.exists("\\dir\\file.txt")).isTrue();
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void renameWithReplaceIfExistsReplacesTheTarget() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "\\dir\\other.txt", true))).isEqualTo(OK);
                assertThat(fs.exists("\\dir\\file.txt")).isFalse();
                assertThat(fs.fileSize("\\dir\\other.txt")).as("the renamed file, not the old target").isEqualTo(100);
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void replacingATargetThatIsOpenIsAccessDenied() {
            // MS-FSA 2.1.5.15.12: ReplaceIfExists with a target file that has opens fails with STATUS_ACCESS_DENIED.
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject target = c.open("\\dir\\other.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "\\dir\\other.txt", true))).isEqualTo(st(STATUS_ACCESS_DENIED));
                assertThat(fs.fileSize("\\dir\\other.txt")).isEqualTo(7);
                c.close(target);
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void renameIntoAMissingDirectoryIsPathNotFound() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.rename(h, "\\nowhere\\x.txt", false))).isEqualTo(st(STATUS_OBJECT_PATH_NOT_FOUND));
                assertThat(fs.exists("\\dir\\file.txt")).isTrue();
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void renameInformationShorterThanTheStructureIsALengthMismatch() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                byte[] info = Client.renameInformation(false, "x");
                assertThat(info).hasSize(24);
                assertThat(st(c.setInformation(h, Arrays.copyOf(info, 23), FileInformationClass.FileRenameInformation)))
                        .isEqualTo(st(STATUS_INFO_LENGTH_MISMATCH));
                assertThat(st(c.setInformation(h, Arrays.copyOf(info, 23), FileInformationClass.FileLinkInformation)))
                        .isEqualTo(st(STATUS_INFO_LENGTH_MISMATCH));
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void linkAddsASecondNameForTheSameFile() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().dispatchers(4).start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", RW | FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.link(h, "\\dir\\sub\\hard.txt", false))).isEqualTo(OK);
                assertThat(fs.exists("\\dir\\file.txt")).isTrue();
                assertThat(fs.exists("\\dir\\sub\\hard.txt")).isTrue();
                Overlapped std = c.query(h, 24, FileStandardInformation);
                assertThat(std.outputBuffer().getInt(16, LE)).as("NumberOfLinks").isEqualTo(2);

                // Data written through one name is read through the other.
                assertThat(st(c.write(h, 0, "linked"))).isEqualTo(OK);
                FileObject viaLink = c.open("\\dir\\sub\\hard.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
                byte[] buf = new byte[6];
                assertThat(c.read(viaLink, 0, buf).information()).isEqualTo(6);
                assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("linked");
                c.close(viaLink);
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void linkOntoAnExistingNameCollidesUnlessReplacing() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.link(h, "\\dir\\other.txt", false))).isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
                assertThat(fs.fileSize("\\dir\\other.txt")).isEqualTo(7);
                assertThat(st(c.link(h, "\\dir\\other.txt", true))).isEqualTo(OK);
                assertThat(fs.fileSize("\\dir\\other.txt")).isEqualTo(100);
                assertThat(fs.exists("\\dir\\file.txt")).isTrue();
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void deletingOneLinkLeavesTheOther() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.link(h, "\\dir\\second.txt", false))).isEqualTo(OK);
                assertThat(st(c.setDisposition(h, true))).isEqualTo(OK);
                c.close(h);
                assertThat(fs.exists("\\dir\\file.txt")).isFalse();
                assertThat(fs.exists("\\dir\\second.txt")).isTrue();
                assertThat(fs.fileSize("\\dir\\second.txt")).isEqualTo(100);
                c.assertNoFailures();
            }
        }

        @Test
        void directoriesCannotBeLinked() {
            // MS-FSA 2.1.5.15.6 FileLinkInformation: a directory fails with STATUS_FILE_IS_A_DIRECTORY.
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject dir = c.open("\\dir\\sub", FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, FILE_OPEN,
                        FILE_DIRECTORY_FILE);
                assertThat(st(c.link(dir, "\\sublink", false))).isEqualTo(st(STATUS_FILE_IS_A_DIRECTORY));
                assertThat(fs.exists("\\sublink")).isFalse();
                c.close(dir);
                c.assertNoFailures();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Query information
    // ---------------------------------------------------------------------------------------------

    @Nested
    class QueryInformation {
        private final int access = FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE;

        @Test
        void basicInformationIs40Bytes() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                Overlapped basic = c.query(h, 40, FileBasicInformation);
                assertThat(st(basic)).isEqualTo(OK);
                assertThat(basic.information()).isEqualTo(40);
                MutableDirectBuffer b = basic.outputBuffer();
                assertThat(b.getLong(0, LE)).as("CreationTime").isPositive();
                assertThat(b.getLong(16, LE)).as("LastWriteTime").isGreaterThanOrEqualTo(b.getLong(0, LE));
                assertThat(b.getInt(32, LE) & FileAttributes.FILE_ATTRIBUTE_DIRECTORY).isZero();
                assertThat(st(c.query(h, 39, FileBasicInformation))).isEqualTo(st(STATUS_INFO_LENGTH_MISMATCH));
                c.close(h);

                FileObject dir = c.open("\\dir", access, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
                Overlapped dirBasic = c.query(dir, 40, FileBasicInformation);
                assertThat(dirBasic.outputBuffer().getInt(32, LE) & FileAttributes.FILE_ATTRIBUTE_DIRECTORY).isNotZero();
                c.close(dir);
                c.assertNoFailures();
            }
        }

        @Test
        void standardInformationIs24Bytes() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                Overlapped std = c.query(h, 24, FileStandardInformation);
                assertThat(st(std)).isEqualTo(OK);
                assertThat(std.information()).isEqualTo(24);
                MutableDirectBuffer b = std.outputBuffer();
                assertThat(b.getLong(0, LE)).as("AllocationSize").isGreaterThanOrEqualTo(100);
                assertThat(b.getLong(8, LE)).as("EndOfFile").isEqualTo(100);
                assertThat(b.getInt(16, LE)).as("NumberOfLinks").isEqualTo(1);
                assertThat(b.getByte(20)).as("DeletePending").isZero();
                assertThat(b.getByte(21)).as("Directory").isZero();
                assertThat(st(c.query(h, 23, FileStandardInformation))).isEqualTo(st(STATUS_INFO_LENGTH_MISMATCH));
                c.close(h);

                FileObject dir = c.open("\\dir\\sub", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(c.query(dir, 24, FileStandardInformation).outputBuffer().getByte(21)).as("Directory")
                        .isEqualTo((byte) 1);
                c.close(dir);
                c.assertNoFailures();
            }
        }

        @Test
        void allInformationWithTheMinimalBufferOverflowsOnALongName() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open(LONG_FILE, access, SHARE_ALL, FILE_OPEN, 0);
                Overlapped all = c.query(h, 104, FileAllInformation);
                assertThat(st(all)).isEqualTo(st(STATUS_BUFFER_OVERFLOW));
                assertThat(all.information()).as("the whole buffer is filled").isEqualTo(104);
                MutableDirectBuffer b = all.outputBuffer();
                // The fixed part is valid: StandardInformation.EndOfFile at 40 + 8, FileNameLength at 96 is
                // the full name's length although only part of it fits.
                assertThat(b.getLong(48, LE)).as("EndOfFile").isEqualTo(3);
                int nameLength = b.getInt(96, LE);
                assertThat(nameLength).isEqualTo(LONG_FILE.length() * 2);
                assertThat(utf16(b, 100, 4)).isEqualTo(LONG_FILE.substring(0, 2));
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void allInformationWithARoomyBufferSucceeds() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open(LONG_FILE, access, SHARE_ALL, FILE_OPEN, 0);
                Overlapped all = c.query(h, 1024, FileAllInformation);
                assertThat(st(all)).isEqualTo(OK);
                int nameLength = all.outputBuffer().getInt(96, LE);
                assertThat(all.information()).isEqualTo(100 + nameLength);
                assertThat(utf16(all.outputBuffer(), 100, nameLength)).isEqualTo(LONG_FILE);
                assertThat(st(c.query(h, 100, FileAllInformation))).isEqualTo(st(STATUS_INFO_LENGTH_MISMATCH));
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void nameInformationReturnsTheVolumeRelativePath() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("DIR\\File.txt", access, SHARE_ALL, FILE_OPEN, 0);
                Overlapped name = c.query(h, 512, FileNameInformation);
                assertThat(st(name)).isEqualTo(OK);
                int len = name.outputBuffer().getInt(0, LE);
                assertThat(utf16(name.outputBuffer(), 4, len)).isEqualToIgnoringCase("\\dir\\file.txt");
                assertThat(name.information()).isEqualTo(4 + len);

                Overlapped small = c.query(h, 8, FileNameInformation);
                assertThat(st(small)).isEqualTo(st(STATUS_BUFFER_OVERFLOW));
                assertThat(small.outputBuffer().getInt(0, LE)).as("the full length is reported").isEqualTo(len);
                c.close(h);

                FileObject root = c.open("\\", access, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
                Overlapped rootName = c.query(root, 64, FileNameInformation);
                assertThat(utf16(rootName.outputBuffer(), 4, rootName.outputBuffer().getInt(0, LE))).isEqualTo("\\");
                c.close(root);
                c.assertNoFailures();
            }
        }

        @Test
        void unsupportedClassIsAnInvalidParameter() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access, SHARE_ALL, FILE_OPEN, 0);
                assertThat(st(c.query(h, 64, FileInformationClass.FilePipeLocalInformation)))
                        .isEqualTo(st(STATUS_INVALID_PARAMETER));
                assertThat(st(c.query(h, 64, FileInformationClass.FileMailslotQueryInformation)))
                        .isEqualTo(st(STATUS_INVALID_PARAMETER));
                c.close(h);
                c.assertNoFailures();
            }
        }

        @Test
        void setBasicInformationChangesTimesAndAttributes() {
            ReferenceFileSystem fs = volume();
            try (IoManager io = IoManager.builder().start()) {
                Client c = new Client(io, fs);
                FileObject h = c.open("\\dir\\file.txt", access | FILE_WRITE_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
                byte[] info = new byte[40];
                org.agrona.concurrent.UnsafeBuffer b = new org.agrona.concurrent.UnsafeBuffer(info);
                b.putLong(16, 132_500_000_000_000_000L, LE); // LastWriteTime; 0 elsewhere: unchanged
                b.putInt(32, FileAttributes.FILE_ATTRIBUTE_HIDDEN, LE);
                assertThat(st(c.setInformation(h, info, FileBasicInformation))).isEqualTo(OK);
                Overlapped basic = c.query(h, 40, FileBasicInformation);
                assertThat(basic.outputBuffer().getLong(16, LE)).isEqualTo(132_500_000_000_000_000L);
                assertThat(basic.outputBuffer().getInt(32, LE) & FileAttributes.FILE_ATTRIBUTE_HIDDEN).isNotZero();
                c.close(h);
                c.assertNoFailures();
            }
        }
    }

    private static Overlapped done(Overlapped ov) {
        return Client.done(ov);
    }

    @Test
    void createdFileStartsEmptyAndWritable() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h = c.open("\\dir\\new.bin", RW, 0, FILE_CREATE, 0);
            assertThat(st(c.read(h, 0, new byte[1]))).isEqualTo(st(STATUS_END_OF_FILE));
            assertThat(st(c.write(h, 0, ascii("abc")))).isEqualTo(OK);
            assertThat(fs.fileSize("\\dir\\new.bin")).isEqualTo(3);
            c.close(h);
            c.assertNoFailures();
        }
    }
}
