package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.samples.VirtualFileScripts.ALL;
import static org.irpemu.flt.samples.VirtualFileScripts.READ;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.irpemu.flt.OplockRequests;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The AntivirusScanner sample: it scans a file after a caller's data open with its own handle
 * (FILE_OPEN_REQUIRING_OPLOCK) under a Read-Handle oplock, and backs out when the oplock breaks (the WDK's
 * "Requesting and granting oplocks"; oplock-reference.md, the RH row of the break table). An ActivityMonitor
 * attached below the scanner sees the scanner's own I/O (filter-initiated I/O goes to the instances below
 * its initiator). Every test runs under the minifilter verifier.
 */
@Timeout(120)
class AntivirusScannerTest {
    static final String FILE = "\\docs\\report.txt";
    static final int SIZE = 10_000;

    /** A machine whose volume holds {@link #FILE} ({@link #SIZE} bytes) and {@code files}, scanner attached. */
    private static TestMachine machine(int dispatchers, AntivirusScanner scanner, ActivityMonitor below,
            String... files) {
        TestMachine m = new TestMachine(dispatchers, fs -> {
            fs.createFile(FILE, SIZE, 0);
            fs.createDirectories("\\docs\\sub");
            for (String f : files) {
                fs.createFile(f, 0, 0);
            }
        });
        m.verify();
        m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
        if (below != null) {
            m.attach(below.registration(), "100000");
        }
        return m;
    }

    private static List<ActivityMonitor.Record> posts(ActivityMonitor monitor, int major) {
        List<ActivityMonitor.Record> out = new ArrayList<>();
        for (ActivityMonitor.Record r : monitor.records()) {
            if (r.isPost() && r.majorFunction() == major) {
                out.add(r);
            }
        }
        return out;
    }

    /** No handle is left on the file: an open sharing nothing succeeds. */
    private static void assertNoHandleLeft(TestMachine m, String path, AntivirusScanner scanner) {
        long skippedBefore = scanner.skipped();
        Overlapped exclusive = m.create(path, AccessMask.FILE_READ_ATTRIBUTES, 0, CreateDisposition.FILE_OPEN, 0, null);
        assertThat(m.awaitStatus(exclusive)).as("an open sharing nothing: no handle left on %s", path)
                .isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(m.awaitStatus(m.close(exclusive.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        m.quiesce();
        assertThat(scanner.skipped()).as("attribute-only opens are not scanned").isEqualTo(skippedBefore);
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void aDataOpenTriggersExactlyOneScanThatReadsTheWholeFile(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(dispatchers, scanner, below)) {
            FileObject fo = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.started()).isEqualTo(1);
            assertThat(scanner.completed()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(scanner.backedOut()).isZero();
            assertThat(scanner.skipped()).isZero();
            assertThat(scanner.infected()).isEmpty();

            // The scanner's I/O, seen from below: one open requiring an oplock, one RH request, reads of every
            // byte in chunks, then the cleanup that ends its oplock (STATUS_OPLOCK_HANDLE_CLOSED).
            List<ActivityMonitor.Record> creates = posts(below, IrpMajorFunction.IRP_MJ_CREATE);
            assertThat(creates).hasSize(2); // the caller's and the scanner's
            List<ActivityMonitor.Record> fsctls = posts(below, IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL);
            assertThat(fsctls).extracting(ActivityMonitor.Record::status)
                    .containsExactly(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            List<ActivityMonitor.Record> reads = posts(below, IrpMajorFunction.IRP_MJ_READ);
            assertThat(reads.stream().mapToLong(ActivityMonitor.Record::information).sum()).isEqualTo(SIZE);
            assertThat(reads).hasSize((SIZE + AntivirusScanner.CHUNK - 1) / AntivirusScanner.CHUNK);
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_CLEANUP)).hasSize(1);
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_CLOSE)).hasSize(1);

            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertNoHandleLeft(m, FILE, scanner);

            // A second data open, a second scan.
            FileObject again = m.open(FILE, AccessMask.GENERIC_READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.started()).isEqualTo(2);
            assertThat(scanner.completed()).isEqualTo(2);
            assertThat(m.awaitStatus(m.close(again))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void anEmptyFileAndAFileOfWholeChunksAreScannedToTheEnd() {
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(1, scanner, below, "\\empty.bin")) {
            m.write("\\chunks.bin", new byte[2 * AntivirusScanner.CHUNK]);
            m.quiesce();
            below.clear();
            long started = scanner.started();
            long completed = scanner.completed();
            for (String path : new String[] {"\\empty.bin", "\\chunks.bin"}) {
                FileObject fo = m.open(path, READ, CreateDisposition.FILE_OPEN);
                assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            m.quiesce();
            assertThat(scanner.started() - started).isEqualTo(2);
            assertThat(scanner.completed() - completed).isEqualTo(2);
            List<ActivityMonitor.Record> reads = posts(below, IrpMajorFunction.IRP_MJ_READ);
            // The empty file: one read at the end of file. Two chunks: two full reads, then the end of file.
            assertThat(reads).extracting(ActivityMonitor.Record::status).containsExactly(NtStatus.STATUS_END_OF_FILE,
                    NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_END_OF_FILE);
            assertThat(scanner.infected()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void attributeOnlyOpensDirectoriesAndFailedOpensAreNotScanned(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = machine(dispatchers, scanner, null)) {
            FileObject attributes = m.open(FILE, AccessMask.FILE_READ_ATTRIBUTES | AccessMask.SYNCHRONIZE,
                    CreateDisposition.FILE_OPEN);
            Overlapped dir = m.create("\\docs\\sub", AccessMask.FILE_LIST_DIRECTORY, ALL, CreateDisposition.FILE_OPEN,
                    CreateOptions.FILE_DIRECTORY_FILE, null);
            assertThat(m.awaitStatus(dir)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.create("\\docs\\missing.txt", READ, ALL, CreateDisposition.FILE_OPEN, 0, null)))
                    .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
            m.quiesce();
            assertThat(scanner.started()).isZero();
            assertThat(scanner.skipped()).isZero();
            assertThat(m.awaitStatus(m.close(attributes))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(dir.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    static Stream<Arguments> signatureOffsets() {
        int chunk = AntivirusScanner.CHUNK;
        int sig = AntivirusScanner.SIGNATURE.length;
        return Stream.of(
                Arguments.of("at the start", 0, 1000),
                Arguments.of("inside the first chunk", 100, 10_000),
                Arguments.of("ending on the chunk boundary", chunk - sig, 10_000),
                Arguments.of("across the first chunk boundary", chunk - 10, 10_000),
                Arguments.of("starting on the chunk boundary", chunk, 10_000),
                Arguments.of("across the second chunk boundary", 2 * chunk - 1, 3 * chunk),
                Arguments.of("at the very end", 10_000 - sig, 10_000));
    }

    @ParameterizedTest(name = "signature {0}")
    @MethodSource("signatureOffsets")
    void aFileContainingTheEicarPrefixIsReportedInfected(String where, int offset, int size) {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = new TestMachine(1, fs -> { })) {
            byte[] contents = new byte[size];
            System.arraycopy(AntivirusScanner.SIGNATURE, 0, contents, offset, AntivirusScanner.SIGNATURE.length);
            m.write("\\eicar.com", contents);
            byte[] almost = contents.clone();
            almost[offset + AntivirusScanner.SIGNATURE.length - 1] ^= 1; // all but the last byte
            m.write("\\clean.com", almost);
            m.verify();
            m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);

            for (String path : new String[] {"\\clean.com", "\\eicar.com"}) {
                FileObject fo = m.open(path, READ, CreateDisposition.FILE_OPEN);
                m.quiesce();
                assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            assertThat(scanner.infected()).containsExactly("\\eicar.com");
            assertThat(scanner.completed()).isEqualTo(2);
            assertNoHandleLeft(m, "\\eicar.com", scanner);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void aConflictingOpenDuringAHeldScanSucceedsBecauseTheScannerBacksOut(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = machine(dispatchers, scanner, null)) {
            scanner.holdScans(true);
            FileObject first = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.started()).isEqualTo(1);
            assertThat(scanner.active()).as("the scan is held with the scanner's handle open").isEqualTo(1);
            assertThat(m.awaitStatus(m.close(first))).isEqualTo(NtStatus.STATUS_SUCCESS);

            // Sharing nothing, this open would fail because of the scanner's handle: FsRtlOplockBreakH breaks the
            // scanner's RH to R and the open waits; the scanner closes its handle, which acknowledges the break.
            Overlapped exclusive = m.create(FILE, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(exclusive)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(scanner.backedOut()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(scanner.completed()).isZero();
            // The exclusive open is itself a data open: its scan cannot open the file beside it.
            assertThat(scanner.skipped()).isEqualTo(1);

            assertThat(m.awaitStatus(m.close(exclusive.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            scanner.holdScans(false);
            assertNoHandleLeft(m, FILE, scanner);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void aWriteFromAnotherHandleDuringAHeldScanBreaksTheScannersOplock(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = machine(dispatchers, scanner, null)) {
            scanner.holdScans(true);
            FileObject writer = m.open(FILE, READ | AccessMask.FILE_WRITE_DATA, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.active()).isEqualTo(1);
            // A write breaks RH to none with an acknowledgment required, and does not wait for it.
            Overlapped write = m.nt.ntWriteFile(new Overlapped(), writer, null, 0, 16, 0, 0);
            assertThat(m.awaitStatus(write)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(scanner.backedOut()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(m.awaitStatus(m.close(writer))).isEqualTo(NtStatus.STATUS_SUCCESS);
            scanner.holdScans(false);
            assertNoHandleLeft(m, FILE, scanner);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void resumedScansReadToTheEndAndClose(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = machine(dispatchers, scanner, null)) {
            scanner.holdScans(true);
            FileObject fo = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.active()).isEqualTo(1);
            assertThat(scanner.completed()).isZero();
            scanner.resumeScans();
            m.quiesce();
            assertThat(scanner.completed()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertNoHandleLeft(m, FILE, scanner);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void resumeScansResumesEachHeldScanOnceAndEachByteIsReadOnce(int dispatchers) {
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = new TestMachine(dispatchers, fs -> fs.createDirectories("\\docs"))) {
            byte[] contents = new byte[SIZE];
            System.arraycopy(AntivirusScanner.SIGNATURE, 0, contents, 5000, AntivirusScanner.SIGNATURE.length);
            m.write(FILE, contents); // the signature in the second chunk
            m.verify();
            m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
            m.attach(below.registration(), "100000");
            scanner.holdScans(true);
            FileObject held = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.active()).isEqualTo(1);
            // Resumed twice (or while it is already reading): the scan still has a single reader.
            scanner.resumeScans();
            scanner.resumeScans();
            m.quiesce();
            assertThat(scanner.completed()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(scanner.infected()).as("no chunk skipped").containsExactly(FILE);
            List<ActivityMonitor.Record> reads = posts(below, IrpMajorFunction.IRP_MJ_READ);
            assertThat(reads).as("one read per chunk up to the signature").hasSize(2);
            assertThat(m.awaitStatus(m.close(held))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    static Stream<Arguments> exclusiveHolders() {
        return Stream.of(Arguments.of("RWH", FsControlCode.FSCTL_REQUEST_OPLOCK),
                Arguments.of("Batch", FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK),
                Arguments.of("Level 1", FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exclusiveHolders")
    void itSkipsAFileWhoseOplockItsOpenWouldBreak(String holder, int code) {
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        UUID key = UUID.randomUUID();
        try (TestMachine m = machine(1, scanner, below)) {
            Overlapped c1 = m.create(FILE, READ, ALL, CreateDisposition.FILE_OPEN, 0, key);
            assertThat(m.awaitStatus(c1)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce(); // its scan completes and closes
            Overlapped oplock = code == FsControlCode.FSCTL_REQUEST_OPLOCK
                    ? OplockRequests.request(m.nt, c1.fileObject(), OplockLevel.RWH, false)
                    : OplockRequests.legacy(m.nt, c1.fileObject(), code);
            m.quiesce();
            assertThat(oplock.isDone()).as("%s granted", holder).isFalse();
            below.clear();

            // The holder opens again under its own oplock key: that breaks nothing, but it is a data open.
            Overlapped c2 = m.create(FILE, READ, ALL, CreateDisposition.FILE_OPEN, 0, key);
            assertThat(m.awaitStatus(c2)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(scanner.skipped()).isEqualTo(1);
            assertThat(scanner.started()).isEqualTo(1);
            assertThat(oplock.isDone()).as("the %s oplock was not broken by the scanner", holder).isFalse();
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_CREATE)).extracting(ActivityMonitor.Record::status)
                    .containsExactly(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANNOT_BREAK_OPLOCK);
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)).isEmpty();

            assertThat(m.awaitStatus(m.close(c2.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(c1.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(oplock)).isIn(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }

    @Test
    void aLevel2HolderMakesItsOpenFailWithoutBreakingAnything() {
        // oplock-reference.md: FILE_OPEN_REQUIRING_OPLOCK fails with STATUS_CANNOT_BREAK_OPLOCK where the stream
        // holds an oplock the new handle could not share (anything but R or RH under another key).
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(1, scanner, below)) {
            FileObject holder = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            Overlapped level2 = OplockRequests.legacy(m.nt, holder, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2);
            m.quiesce();
            assertThat(level2.isDone()).isFalse();
            below.clear();
            FileObject reader = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.skipped()).isEqualTo(1);
            assertThat(level2.isDone()).isFalse();
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_CREATE)).extracting(ActivityMonitor.Record::status)
                    .containsExactly(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANNOT_BREAK_OPLOCK);
            assertThat(m.awaitStatus(m.close(reader))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(holder))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(level2)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void aRefusedReadHandleRequestMakesItCloseItsHandle() {
        // Granting: Level 2, R and RH are refused while byte-range locks exist (STATUS_OPLOCK_NOT_GRANTED).
        AntivirusScanner scanner = new AntivirusScanner();
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(1, scanner, below)) {
            FileObject locker = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(m.awaitStatus(m.nt.ntLockFile(new Overlapped(), locker, 0, 10, 0, true, false)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            below.clear();
            FileObject reader = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.skipped()).isEqualTo(1);
            assertThat(scanner.started()).isEqualTo(1);
            assertThat(scanner.active()).isZero();
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)).extracting(ActivityMonitor.Record::status)
                    .containsExactly(NtStatus.STATUS_OPLOCK_NOT_GRANTED);
            assertThat(posts(below, IrpMajorFunction.IRP_MJ_CLEANUP)).as("the scanner closed its handle").hasSize(1);
            assertThat(m.awaitStatus(m.close(reader))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(locker))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertNoHandleLeft(m, FILE, scanner);
        }
    }

    @Test
    void teardownDuringAHeldScanClosesTheScannersHandle() {
        AntivirusScanner scanner = new AntivirusScanner();
        try (TestMachine m = new TestMachine(1, fs -> fs.createFile(FILE, SIZE, 0))) {
            m.verify();
            org.irpemu.flt.FltInstance instance = m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
            scanner.holdScans(true);
            FileObject fo = m.open(FILE, READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.active()).isEqualTo(1);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(scanner.active()).isZero();
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped exclusive = m.create(FILE, READ, 0, CreateDisposition.FILE_OPEN, 0, null);
            assertThat(m.awaitStatus(exclusive)).as("no scanner handle left").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(exclusive.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void itScansTheVirtualFileThroughTheInstancesBelowIt() {
        AntivirusScanner scanner = new AntivirusScanner();
        byte[] contents = new byte[5000];
        System.arraycopy(AntivirusScanner.SIGNATURE, 0, contents, 4090, AntivirusScanner.SIGNATURE.length);
        VirtualFile virtual = new VirtualFile("\\virtual.com", contents);
        try (TestMachine m = new TestMachine(1, fs -> { })) {
            m.verify();
            m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
            m.attach(virtual.registration(), VirtualFile.DEFAULT_ALTITUDE);
            FileObject fo = m.open("\\virtual.com", READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(scanner.completed()).isEqualTo(1);
            assertThat(scanner.infected()).containsExactly("\\virtual.com");
            // The scanner's RH oplock and handle are gone: an exclusive oplock is granted to the caller.
            Overlapped l1 = OplockRequests.legacy(m.nt, fo, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            m.quiesce();
            assertThat(l1.isDone()).isFalse();
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(l1)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What callers see does not change
    // ---------------------------------------------------------------------------------------------

    static Stream<Arguments> scripts() {
        List<Arguments> out = new ArrayList<>();
        for (OplockTranscript.Script s : VirtualFileScripts.all()) {
            out.add(Arguments.of(s, 1));
            out.add(Arguments.of(s, 3));
        }
        return out.stream();
    }

    private static List<String> transcript(OplockTranscript.Script script, int dispatchers, AntivirusScanner scanner) {
        try (TestMachine m = new TestMachine(dispatchers, fs -> { })) {
            m.write(VirtualFileTest.REGULAR, VirtualFileTest.CONTENTS);
            m.verify();
            if (scanner != null) {
                m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
            }
            OplockTranscript.Run run = new OplockTranscript.Run(m, VirtualFileTest.REGULAR);
            List<String> t = run.run(script);
            run.closeAll();
            return t;
        }
    }

    @ParameterizedTest(name = "{0} ({1} dispatchers)")
    @MethodSource("scripts")
    void theScannerNeverChangesWhatCallersSee(OplockTranscript.Script script, int dispatchers) {
        List<String> without = transcript(script, dispatchers, null);
        AntivirusScanner scanner = new AntivirusScanner();
        List<String> with = transcript(script, dispatchers, scanner);
        for (int i = 0; i < Math.min(without.size(), with.size()); i++) {
            assertThat(with.get(i)).as("with the scanner against without, first difference").isEqualTo(without.get(i));
        }
        assertThat(with).hasSameSizeAs(without);
        assertThat(scanner.active()).isZero();
        assertThat(scanner.started()).isEqualTo(scanner.completed() + scanner.backedOut());
    }
}
