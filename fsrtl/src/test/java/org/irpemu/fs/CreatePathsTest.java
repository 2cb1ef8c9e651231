package org.irpemu.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.fs.Client.st;
import static org.irpemu.irp.AccessMask.DELETE;
import static org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_READ_DATA;
import static org.irpemu.irp.AccessMask.FILE_WRITE_DATA;
import static org.irpemu.irp.AccessMask.SYNCHRONIZE;
import static org.irpemu.irp.CreateDisposition.FILE_CREATE;
import static org.irpemu.irp.CreateDisposition.FILE_CREATED;
import static org.irpemu.irp.CreateDisposition.FILE_OPEN;
import static org.irpemu.irp.CreateDisposition.FILE_OPENED;
import static org.irpemu.irp.CreateDisposition.FILE_OPEN_IF;
import static org.irpemu.irp.CreateDisposition.FILE_OVERWRITE;
import static org.irpemu.irp.CreateDisposition.FILE_OVERWRITE_IF;
import static org.irpemu.irp.CreateDisposition.FILE_OVERWRITTEN;
import static org.irpemu.irp.CreateDisposition.FILE_SUPERSEDE;
import static org.irpemu.irp.CreateDisposition.FILE_SUPERSEDED;
import static org.irpemu.irp.CreateOptions.FILE_DELETE_ON_CLOSE;
import static org.irpemu.irp.CreateOptions.FILE_DIRECTORY_FILE;
import static org.irpemu.irp.CreateOptions.FILE_NON_DIRECTORY_FILE;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_DELETE;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_READ;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_WRITE;
import static org.irpemu.status.NtStatus.STATUS_ACCESS_DENIED;
import static org.irpemu.status.NtStatus.STATUS_CANNOT_DELETE;
import static org.irpemu.status.NtStatus.STATUS_DELETE_PENDING;
import static org.irpemu.status.NtStatus.STATUS_DIRECTORY_NOT_EMPTY;
import static org.irpemu.status.NtStatus.STATUS_FILE_IS_A_DIRECTORY;
import static org.irpemu.status.NtStatus.STATUS_INVALID_PARAMETER;
import static org.irpemu.status.NtStatus.STATUS_NOT_A_DIRECTORY;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_NAME_COLLISION;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_NAME_INVALID;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
import static org.irpemu.status.NtStatus.STATUS_OBJECT_PATH_NOT_FOUND;
import static org.irpemu.status.NtStatus.STATUS_SHARING_VIOLATION;
import static org.irpemu.status.NtStatus.STATUS_SUCCESS;

import java.util.stream.Stream;
import org.irpemu.io.IoManager;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IRP_MJ_CREATE through the I/O manager on the reference file system, with expectations from the
 * NtCreateFile / ZwCreateFile documentation (dispositions, create actions in IoStatus.Information, the
 * directory options), [MS-FSA] 2.1.5.1 (name validation, path and name errors, delete pending) and the
 * order of checks of FastFAT's FatOpenExistingFcb (wdk-oplock.md section E.1: disposition and type
 * before the share check; SUPERSEDE / OVERWRITE take part in the share check with their implied access).
 */
class CreatePathsTest {
    private static final int RW = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE;
    private static final int RWD = RW | DELETE;
    private static final int SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    private static final String OK = st(STATUS_SUCCESS);

    private static ReferenceFileSystem volume() {
        ReferenceFileSystem fs = new ReferenceFileSystem();
        fs.createDirectories("\\dir\\sub");
        fs.createDirectories("\\empty");
        fs.createFile("\\dir\\file.txt", 100, 0);
        fs.createFile("\\doc.txt", 10, 0);
        fs.createFile("\\readonly.txt", 10, FileAttributes.FILE_ATTRIBUTE_READONLY);
        fs.createFile("\\hidden.txt", 10, FileAttributes.FILE_ATTRIBUTE_HIDDEN);
        return fs;
    }

    // ---------------------------------------------------------------------------------------------
    // The six dispositions
    // ---------------------------------------------------------------------------------------------

    static Stream<Arguments> dispositions() {
        return Stream.of(
                // disposition, existing -> status/action, missing -> status/action
                Arguments.of("FILE_SUPERSEDE", FILE_SUPERSEDE, STATUS_SUCCESS, FILE_SUPERSEDED, STATUS_SUCCESS, FILE_CREATED),
                Arguments.of("FILE_OPEN", FILE_OPEN, STATUS_SUCCESS, FILE_OPENED, STATUS_OBJECT_NAME_NOT_FOUND, -1),
                Arguments.of("FILE_CREATE", FILE_CREATE, STATUS_OBJECT_NAME_COLLISION, -1, STATUS_SUCCESS, FILE_CREATED),
                Arguments.of("FILE_OPEN_IF", FILE_OPEN_IF, STATUS_SUCCESS, FILE_OPENED, STATUS_SUCCESS, FILE_CREATED),
                Arguments.of("FILE_OVERWRITE", FILE_OVERWRITE, STATUS_SUCCESS, FILE_OVERWRITTEN,
                        STATUS_OBJECT_NAME_NOT_FOUND, -1),
                Arguments.of("FILE_OVERWRITE_IF", FILE_OVERWRITE_IF, STATUS_SUCCESS, FILE_OVERWRITTEN, STATUS_SUCCESS,
                        FILE_CREATED));
    }

    @ParameterizedTest(name = "{0} on an existing file")
    @MethodSource("dispositions")
    void dispositionOnExistingFile(String name, int disposition, int existingStatus, int existingAction,
            int missingStatus, int missingAction) {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("\\dir\\file.txt", RWD, 0, disposition, 0);
            assertThat(st(ov)).isEqualTo(st(existingStatus));
            if (existingStatus == STATUS_SUCCESS) {
                assertThat(ov.information()).as("create action").isEqualTo(existingAction);
                assertThat(ov.fileObject()).isNotNull();
                boolean truncates = existingAction == FILE_SUPERSEDED || existingAction == FILE_OVERWRITTEN;
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(truncates ? 0 : 100);
                c.close(ov.fileObject());
            } else {
                assertThat(ov.fileObject()).isNull();
                assertThat(fs.fileSize("\\dir\\file.txt")).isEqualTo(100);
            }
            c.assertNoFailures();
        }
    }

    @ParameterizedTest(name = "{0} on a missing file")
    @MethodSource("dispositions")
    void dispositionOnMissingFile(String name, int disposition, int existingStatus, int existingAction,
            int missingStatus, int missingAction) {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("\\dir\\new.txt", RWD, 0, disposition, 0);
            assertThat(st(ov)).isEqualTo(st(missingStatus));
            if (missingStatus == STATUS_SUCCESS) {
                assertThat(ov.information()).as("create action").isEqualTo(missingAction);
                assertThat(fs.exists("\\dir\\new.txt")).isTrue();
                assertThat(fs.isDirectory("\\dir\\new.txt")).isFalse();
                assertThat(fs.fileSize("\\dir\\new.txt")).isZero();
                c.close(ov.fileObject());
                assertThat(fs.exists("\\dir\\new.txt")).as("still there after the close").isTrue();
            } else {
                assertThat(ov.fileObject()).isNull();
                assertThat(fs.exists("\\dir\\new.txt")).isFalse();
            }
            c.assertNoFailures();
        }
    }

    @Test
    void createdFileCanBeOpenedAgainCaseInsensitively() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h = c.open("\\dir\\Mixed.TXT", RW, SHARE_ALL, FILE_CREATE, 0);
            c.close(h);
            Overlapped again = c.create("\\DIR\\mixed.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(again)).isEqualTo(OK);
            assertThat(again.information()).isEqualTo(FILE_OPENED);
            Overlapped collide = c.create("\\dir\\MIXED.txt", RW, SHARE_ALL, FILE_CREATE, 0);
            assertThat(st(collide)).isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            c.close(again.fileObject());
            c.assertNoFailures();
        }
    }

    @Test
    void leadingBackslashIsOptionalAndTheDefaultDataStreamNamesTheFile() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h1 = c.open("dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            FileObject h2 = c.open("\\dir\\file.txt::$DATA", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            byte[] buf = new byte[200];
            assertThat(c.read(h2, 0, buf).information()).isEqualTo(100);
            c.close(h1);
            c.close(h2);
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Directories
    // ---------------------------------------------------------------------------------------------

    @Test
    void directoryFileOptionOnAFileIsNotADirectory() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_NOT_A_DIRECTORY));
            assertThat(st(c.create("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN_IF, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_NOT_A_DIRECTORY));
            c.assertNoFailures();
        }
    }

    @Test
    void nonDirectoryFileOptionOnADirectoryIsAFileIsADirectory() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\dir\\sub", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_NON_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_FILE_IS_A_DIRECTORY));
            assertThat(st(c.create("\\dir", FILE_READ_DATA, SHARE_ALL, FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_FILE_IS_A_DIRECTORY));
            c.assertNoFailures();
        }
    }

    @Test
    void directoriesOpenWithOrWithoutTheDirectoryOption() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped plain = c.create("\\dir", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(plain)).isEqualTo(OK);
            assertThat(plain.information()).isEqualTo(FILE_OPENED);
            Overlapped dir = c.create("\\dir\\sub", FILE_READ_DATA, SHARE_ALL, FILE_OPEN_IF, FILE_DIRECTORY_FILE);
            assertThat(st(dir)).isEqualTo(OK);
            assertThat(dir.information()).isEqualTo(FILE_OPENED);
            Overlapped root = c.create("\\", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
            assertThat(st(root)).isEqualTo(OK);
            c.close(plain.fileObject());
            c.close(dir.fileObject());
            c.close(root.fileObject());
            c.assertNoFailures();
        }
    }

    @Test
    void createWithDirectoryOptionMakesADirectory() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("\\dir\\newdir", FILE_READ_DATA, SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE);
            assertThat(st(ov)).isEqualTo(OK);
            assertThat(ov.information()).isEqualTo(FILE_CREATED);
            assertThat(fs.isDirectory("\\dir\\newdir")).isTrue();
            // A file can be created inside it, and the directory cannot be created twice.
            FileObject child = c.open("\\dir\\newdir\\child.txt", RW, SHARE_ALL, FILE_CREATE, 0);
            assertThat(st(c.create("\\dir\\newdir", FILE_READ_DATA, SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            c.close(child);
            c.close(ov.fileObject());
            c.assertNoFailures();
        }
    }

    @Test
    void directoryOptionWithAnOverwritingDispositionIsAnInvalidParameter() {
        // ZwCreateFile: FILE_DIRECTORY_FILE requires FILE_CREATE, FILE_OPEN or FILE_OPEN_IF.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            for (int d : new int[] {FILE_SUPERSEDE, FILE_OVERWRITE, FILE_OVERWRITE_IF}) {
                assertThat(st(c.create("\\dir\\sub", FILE_READ_DATA, SHARE_ALL, d, FILE_DIRECTORY_FILE)))
                        .as(CreateDisposition.class.getSimpleName() + " " + d).isEqualTo(st(STATUS_INVALID_PARAMETER));
            }
            assertThat(st(c.create("\\x", FILE_READ_DATA, SHARE_ALL, FILE_OPEN_IF,
                    FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE))).isEqualTo(st(STATUS_INVALID_PARAMETER));
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Path and name errors
    // ---------------------------------------------------------------------------------------------

    @Test
    void missingParentIsObjectPathNotFound() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\nodir\\x.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0)))
                    .isEqualTo(st(STATUS_OBJECT_PATH_NOT_FOUND));
            assertThat(st(c.create("\\dir\\nosub\\x.txt", RW, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_OBJECT_PATH_NOT_FOUND));
            assertThat(st(c.create("\\dir\\nosub\\deeper\\x.txt", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_OBJECT_PATH_NOT_FOUND));
            // A file in the middle of the path is not a directory to look into.
            assertThat(st(c.create("\\doc.txt\\x.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0)))
                    .isEqualTo(st(STATUS_OBJECT_PATH_NOT_FOUND));
            assertThat(fs.exists("\\nodir")).isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void missingFileWithFileOpenIsObjectNameNotFound() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\dir\\missing.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
            assertThat(st(c.create("\\missing", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
            c.assertNoFailures();
        }
    }

    @Test
    void fileCreateOnAnExistingNameIsACollision() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\doc.txt", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            assertThat(st(c.create("\\dir\\sub", FILE_READ_DATA, SHARE_ALL, FILE_CREATE, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            assertThat(st(c.create("\\dir\\sub", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            assertThat(fs.fileSize("\\doc.txt")).isEqualTo(10);
            c.assertNoFailures();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\a*b.txt", "\\a?b.txt", "\\a<b", "\\a>b", "\\a|b", "\\a\"b", "\\dir\\x\u0001y",
        "\\dir\\\\x.txt", "\\nodir*\\x.txt"})
    void invalidNamesAreObjectNameInvalid(String path) {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create(path, RW, SHARE_ALL, FILE_OPEN_IF, 0))).isEqualTo(st(STATUS_OBJECT_NAME_INVALID));
            c.assertNoFailures();
        }
    }

    @Test
    void componentLongerThan255CharactersIsInvalid() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            String longest = "n".repeat(255);
            Overlapped ok = c.create("\\dir\\" + longest, RW, SHARE_ALL, FILE_CREATE, 0);
            assertThat(st(ok)).isEqualTo(OK);
            assertThat(st(c.create("\\dir\\" + longest + "n", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_INVALID));
            c.close(ok.fileObject());
            c.assertNoFailures();
        }
    }

    @Test
    void trailingBackslashOnADataFileIsObjectNameInvalid() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("\\doc.txt\\", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            if (ov.fileObject() != null) {
                c.close(ov.fileObject());
            }
            assertThat(st(ov)).isEqualTo(st(STATUS_OBJECT_NAME_INVALID));
            Overlapped dir = c.create("\\dir\\", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_NON_DIRECTORY_FILE);
            assertThat(st(dir)).isEqualTo(st(STATUS_OBJECT_NAME_INVALID));
            c.assertNoFailures();
        }
    }

    @Test
    void trailingBackslashOnADirectoryOpensIt() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject dir = c.open("\\dir\\sub\\", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            c.close(dir);
            c.assertNoFailures();
        }
    }

    @Test
    void volumeOpenWithTheEmptyPathSucceeds() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("", FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(ov)).isEqualTo(OK);
            assertThat(ov.information()).isEqualTo(FILE_OPENED);
            assertThat(ov.fileObject()).isNotNull();
            assertThat(st(c.close(ov.fileObject()))).isEqualTo(OK);
            c.assertNoFailures();
        }
    }

    @Test
    void namedStreamOfAnExistingFileIsNotFound() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\doc.txt:s", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
            assertThat(st(c.create("\\dir\\file.txt:Zone.Identifier:$DATA", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
            // The file itself is untouched.
            assertThat(fs.fileSize("\\doc.txt")).isEqualTo(10);
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Attribute checks
    // ---------------------------------------------------------------------------------------------

    @Test
    void readOnlyFileCannotBeOpenedForWriting() {
        // MS-FSA 2.1.5.1.2.1: FILE_ATTRIBUTE_READONLY with FILE_WRITE_DATA / FILE_APPEND_DATA access is denied.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\readonly.txt", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_ACCESS_DENIED));
            FileObject reader = c.open("\\readonly.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            c.close(reader);
            c.assertNoFailures();
        }
    }

    @Test
    void overwritingAHiddenFileMustKeepItHidden() {
        // CreateFile, CREATE_ALWAYS / TRUNCATE_EXISTING: a HIDDEN or SYSTEM file that the caller does not
        // ask to keep HIDDEN / SYSTEM fails with ERROR_ACCESS_DENIED.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\hidden.txt", RW, FileAttributes.FILE_ATTRIBUTE_NORMAL, SHARE_ALL,
                    FILE_OVERWRITE_IF, 0))).isEqualTo(st(STATUS_ACCESS_DENIED));
            assertThat(fs.fileSize("\\hidden.txt")).isEqualTo(10);
            Overlapped ok = c.create("\\hidden.txt", RW, FileAttributes.FILE_ATTRIBUTE_HIDDEN, SHARE_ALL,
                    FILE_OVERWRITE_IF, 0);
            assertThat(st(ok)).isEqualTo(OK);
            assertThat(ok.information()).isEqualTo(FILE_OVERWRITTEN);
            assertThat(fs.fileSize("\\hidden.txt")).isZero();
            c.close(ok.fileObject());
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Sharing
    // ---------------------------------------------------------------------------------------------

    @Test
    void secondOpenIsCheckedAgainstTheFirstOnesSharing() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject reader = c.open("\\doc.txt", FILE_READ_DATA, FILE_SHARE_READ, FILE_OPEN, 0);
            assertThat(st(c.create("\\doc.txt", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .as("write not shared by the reader").isEqualTo(st(STATUS_SHARING_VIOLATION));
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA, FILE_SHARE_WRITE, FILE_OPEN, 0)))
                    .as("reader's read access not shared").isEqualTo(st(STATUS_SHARING_VIOLATION));
            assertThat(st(c.create("\\doc.txt", DELETE, SHARE_ALL, FILE_OPEN, 0)))
                    .as("delete not shared by the reader").isEqualTo(st(STATUS_SHARING_VIOLATION));
            FileObject second = c.open("\\doc.txt", FILE_READ_DATA, FILE_SHARE_READ, FILE_OPEN, 0);
            FileObject attributes = c.open("\\doc.txt", FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, FILE_OPEN, 0);
            c.close(reader);
            assertThat(st(c.create("\\doc.txt", FILE_WRITE_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .as("the second reader still does not share write").isEqualTo(st(STATUS_SHARING_VIOLATION));
            c.close(second);
            FileObject writer = c.open("\\doc.txt", FILE_WRITE_DATA, 0, FILE_OPEN, 0);
            c.close(writer);
            c.close(attributes);
            c.assertNoFailures();
        }
    }

    @Test
    void attributeOnlyOpenIgnoresAnExclusiveOpen() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject exclusive = c.open("\\doc.txt", RWD, 0, FILE_OPEN, 0);
            FileObject attributes = c.open("\\doc.txt", FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, FILE_OPEN, 0);
            c.close(attributes);
            c.close(exclusive);
            c.assertNoFailures();
        }
    }

    @Test
    void overwriteAndSupersedeAreCheckedWithTheirImpliedAccess() {
        // FatOpenExistingFcb: OVERWRITE(_IF) add FILE_WRITE_DATA, SUPERSEDE adds DELETE, for the share check.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject reader = c.open("\\doc.txt", FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_DELETE, FILE_OPEN, 0);
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OVERWRITE, 0)))
                    .isEqualTo(st(STATUS_SHARING_VIOLATION));
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OVERWRITE_IF, 0)))
                    .isEqualTo(st(STATUS_SHARING_VIOLATION));
            assertThat(fs.fileSize("\\doc.txt")).as("not truncated").isEqualTo(10);
            c.close(reader);

            FileObject writer = c.open("\\doc.txt", FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0);
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA | FILE_WRITE_DATA, SHARE_ALL, FILE_SUPERSEDE, 0)))
                    .isEqualTo(st(STATUS_SHARING_VIOLATION));
            assertThat(fs.fileSize("\\doc.txt")).isEqualTo(10);
            c.close(writer);
            c.assertNoFailures();
        }
    }

    @Test
    void dispositionAndTypeAreCheckedBeforeSharing() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject exclusive = c.open("\\doc.txt", RWD, 0, FILE_OPEN, 0);
            assertThat(st(c.create("\\doc.txt", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_COLLISION));
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE)))
                    .isEqualTo(st(STATUS_NOT_A_DIRECTORY));
            c.close(exclusive);
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Delete pending and delete on close
    // ---------------------------------------------------------------------------------------------

    @Test
    void deletePendingRefusesNewOpensAndTheFileGoesAtTheLastCleanup() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject deleter = c.open("\\dir\\file.txt", FILE_READ_DATA | DELETE, SHARE_ALL, FILE_OPEN, 0);
            FileObject other = c.open("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(c.setDisposition(deleter, true))).isEqualTo(OK);

            assertThat(st(c.create("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_DELETE_PENDING));
            assertThat(st(c.create("\\dir\\file.txt", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN_IF, 0)))
                    .isEqualTo(st(STATUS_DELETE_PENDING));
            Overlapped standard = c.query(other, 24, FileInformationClass.FileStandardInformation);
            assertThat(st(standard)).isEqualTo(OK);
            assertThat(standard.outputBuffer().getByte(20)).as("DeletePending").isEqualTo((byte) 1);

            c.close(deleter);
            assertThat(fs.exists("\\dir\\file.txt")).as("another handle is still open").isTrue();
            c.close(other);
            assertThat(fs.exists("\\dir\\file.txt")).isFalse();
            assertThat(st(c.create("\\dir\\file.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0)))
                    .isEqualTo(st(STATUS_OBJECT_NAME_NOT_FOUND));
            Overlapped recreated = c.create("\\dir\\file.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0);
            assertThat(recreated.information()).isEqualTo(FILE_CREATED);
            c.close(recreated.fileObject());
            c.assertNoFailures();
        }
    }

    @Test
    void clearingTheDispositionKeepsTheFile() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h = c.open("\\doc.txt", DELETE, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(c.setDisposition(h, true))).isEqualTo(OK);
            assertThat(st(c.setDisposition(h, false))).isEqualTo(OK);
            FileObject again = c.open("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            c.close(h);
            c.close(again);
            assertThat(fs.exists("\\doc.txt")).isTrue();
            c.assertNoFailures();
        }
    }

    @Test
    void deleteOnCloseRemovesTheFileAtItsCleanup() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            Overlapped ov = c.create("\\dir\\temp.txt", RWD, SHARE_ALL, FILE_CREATE, FILE_DELETE_ON_CLOSE);
            assertThat(st(ov)).isEqualTo(OK);
            assertThat(ov.information()).isEqualTo(FILE_CREATED);
            assertThat(fs.exists("\\dir\\temp.txt")).isTrue();
            // Until the handle is closed the file is not delete pending: it can be opened again.
            FileObject other = c.open("\\dir\\temp.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            c.close(other);
            c.close(ov.fileObject());
            assertThat(fs.exists("\\dir\\temp.txt")).isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void deleteOnCloseOfAnExistingFile() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h = c.open("\\doc.txt", FILE_READ_DATA | DELETE, SHARE_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE);
            assertThat(fs.exists("\\doc.txt")).isTrue();
            c.close(h);
            assertThat(fs.exists("\\doc.txt")).isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void deleteOnCloseWithoutDeleteAccessIsAnInvalidParameter() {
        // NtCreateFile: "If this flag is set, the DELETE flag must be set in the DesiredAccess parameter."
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, FILE_DELETE_ON_CLOSE)))
                    .isEqualTo(st(STATUS_INVALID_PARAMETER));
            assertThat(fs.exists("\\doc.txt")).isTrue();
            c.assertNoFailures();
        }
    }

    @Test
    void readOnlyFileCannotBeDeleted() {
        // MS-FSA 2.1.5.1.2.1 / 2.1.5.15.3: read-only files fail delete-on-close and delete disposition.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            assertThat(st(c.create("\\readonly.txt", FILE_READ_DATA | DELETE, SHARE_ALL, FILE_OPEN,
                    FILE_DELETE_ON_CLOSE))).isEqualTo(st(STATUS_CANNOT_DELETE));
            FileObject h = c.open("\\readonly.txt", FILE_READ_DATA | DELETE, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(c.setDisposition(h, true))).isEqualTo(st(STATUS_CANNOT_DELETE));
            c.close(h);
            assertThat(fs.exists("\\readonly.txt")).isTrue();
            c.assertNoFailures();
        }
    }

    @Test
    void nonEmptyDirectoryCannotBeDeleted() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject dir = c.open("\\dir", DELETE | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
            assertThat(st(c.setDisposition(dir, true))).isEqualTo(st(STATUS_DIRECTORY_NOT_EMPTY));
            c.close(dir);
            FileObject empty = c.open("\\empty", DELETE | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
            assertThat(st(c.setDisposition(empty, true))).isEqualTo(OK);
            c.close(empty);
            assertThat(fs.exists("\\empty")).isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void newFileInADeletePendingDirectoryIsRefused() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject dir = c.open("\\empty", DELETE | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, FILE_DIRECTORY_FILE);
            assertThat(st(c.setDisposition(dir, true))).isEqualTo(OK);
            assertThat(st(c.create("\\empty\\x.txt", RW, SHARE_ALL, FILE_CREATE, 0)))
                    .isEqualTo(st(STATUS_DELETE_PENDING));
            c.close(dir);
            c.assertNoFailures();
        }
    }
}
