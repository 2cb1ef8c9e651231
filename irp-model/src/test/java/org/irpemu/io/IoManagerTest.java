package org.irpemu.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ring-buffer I/O manager and {@link NtApi} with a trivial driver ({@link TestDriver}): creates
 * complete at once, reads stay pending until the test completes them through a work item or cancels
 * them. The exactly-once property over random request sequences is in
 * {@link IoManagerCompletionPropertyTest}.
 */
class IoManagerTest {
    // ntstatus.h values, typed in (oplock-reference.md "Status codes" and the SDK header).
    private static final int STATUS_SUCCESS = 0x00000000;
    private static final int STATUS_PENDING = 0x00000103;
    private static final int STATUS_INVALID_PARAMETER = 0xC000000D;
    private static final int STATUS_ACCESS_DENIED = 0xC0000022;
    private static final int STATUS_CANCELLED = 0xC0000120;
    // wdm.h / winnt.h values (oplock-reference.md "Create options, access, sharing").
    private static final int IRP_MJ_CREATE = 0x00;
    private static final int IRP_MJ_CLOSE = 0x02;
    private static final int IRP_MJ_CLEANUP = 0x12;
    private static final int FILE_OPEN_IF = 3;
    private static final int FILE_OPENED = 1;
    private static final int FILE_READ_DATA = 0x1;
    private static final int FILE_WRITE_DATA = 0x2;
    private static final int FILE_READ_ATTRIBUTES = 0x80;
    private static final int SYNCHRONIZE = 0x100000;
    private static final int GENERIC_READ = 0x80000000;
    private static final int FILE_GENERIC_READ = 0x120089;
    private static final int FILE_SHARE_ALL = 0x7;
    private static final int FILE_NON_DIRECTORY_FILE = 0x40;
    private static final int FILE_COMPLETE_IF_OPLOCKED = 0x100;
    private static final int FILE_RESERVE_OPFILTER = 0x100000;
    private static final int FO_HANDLE_CREATED = 0x00040000;
    private static final int MAXIMUM_ALLOWED = 0x02000000;
    private static final int FILE_ALL_ACCESS = 0x1F01FF;
    private static final int FSCTL_REQUEST_OPLOCK = 0x00090240;
    private static final int FSCTL_SET_ZERO_DATA = 0x000980C8;

    private static final long TIMEOUT_SECONDS = 10;

    private static Overlapped open(NtApi api, String path, int access) {
        Overlapped ov = api.ntCreateFile(new Overlapped(), path, access, 0, FILE_SHARE_ALL, FILE_OPEN_IF, 0, null,
                null);
        assertThat(ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("create of %s completes", path).isTrue();
        return ov;
    }

    private static void quiesce(IoManager io) {
        assertThat(io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("quiescent").isTrue();
    }

    // ---------------------------------------------------------------- create

    @Test
    void createCompletesTheOverlappedWithStatusAndFileObject() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = api.ntCreateFile(new Overlapped(), "dir\\doc.txt", GENERIC_READ, 0, FILE_SHARE_ALL,
                    FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, null, null);

            assertThat(ov.await()).isEqualTo(STATUS_SUCCESS);
            assertThat(ov.isDone()).isTrue();
            assertThat(ov.status()).isEqualTo(STATUS_SUCCESS);
            assertThat(ov.information()).isEqualTo(FILE_OPENED);
            FileObject fo = ov.fileObject();
            assertThat(fo).isNotNull();
            assertThat(fo.fileName()).isEqualTo("\\dir\\doc.txt");
            assertThat(fo.deviceObject()).isSameAs(fs.volume);
            assertThat(fo.grantedAccess()).as("GENERIC_READ mapped").isEqualTo(FILE_GENERIC_READ);
            assertThat(fo.flags() & FO_HANDLE_CREATED).isEqualTo(FO_HANDLE_CREATED);
            assertThat(fs.creates).hasValue(1);
            assertThat(fs.lastCreate).hasValue(
                    "\\dir\\doc.txt access=0x120089 options=0x03000040 share=0x7");
            assertThat(io.drainFailures()).isEmpty();
        }
    }

    @Test
    void completeIfOplockedWithReserveOpfilterIsRejectedBeforeTheDriver() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = api.ntCreateFile(new Overlapped(), "doc.txt", FILE_READ_DATA, 0, FILE_SHARE_ALL,
                    FILE_OPEN_IF, FILE_COMPLETE_IF_OPLOCKED | FILE_RESERVE_OPFILTER, null, null);

            assertThat(ov.isDone()).as("completed on the calling thread").isTrue();
            assertThat(ov.status()).isEqualTo(STATUS_INVALID_PARAMETER);
            assertThat(ov.fileObject()).isNull();
            quiesce(io);
            assertThat(fs.creates).as("the driver never saw the create").hasValue(0);
        }
    }

    @Test
    void eitherOptionAloneReachesTheDriver() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped a = api.ntCreateFile(new Overlapped(), "a", FILE_READ_DATA, 0, FILE_SHARE_ALL, FILE_OPEN_IF,
                    FILE_COMPLETE_IF_OPLOCKED, null, null);
            Overlapped b = api.ntCreateFile(new Overlapped(), "b", FILE_READ_DATA, 0, FILE_SHARE_ALL, FILE_OPEN_IF,
                    FILE_RESERVE_OPFILTER, null, null);

            assertThat(a.await()).isEqualTo(STATUS_SUCCESS);
            assertThat(b.await()).isEqualTo(STATUS_SUCCESS);
            assertThat(fs.creates).hasValue(2);
        }
    }

    // ---------------------------------------------------------------- pending reads

    @Test
    void pendingReadStaysPendingUntilTheDriverCompletesIt() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();

            Overlapped read = api.ntReadFile(new Overlapped(), file, null, 0, 4096, 0, 0);
            quiesce(io);

            assertThat(read.isDone()).isFalse();
            assertThat(read.isInFlight()).isTrue();
            assertThat(read.status()).isEqualTo(STATUS_PENDING);
            assertThat(fs.pendingReads).hasSize(1).containsKey(read);
            assertThat(io.outstandingIrps()).isEqualTo(1);

            Irp held = fs.pendingReads.get(read);
            io.queueWorkItem(0, fs::completeRead, held);

            assertThat(read.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(read.status()).isEqualTo(STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(4096);
            quiesce(io);
            assertThat(io.outstandingIrps()).isZero();
            assertThat(io.drainFailures()).isEmpty();
        }
    }

    @Test
    void cancelIoExCompletesACancellablePendingReadWithStatusCancelled() {
        TestDriver fs = new TestDriver(true);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            Overlapped read = api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);
            quiesce(io);
            assertThat(read.isDone()).isFalse();

            assertThat(api.cancelIoEx(file, read)).isTrue();

            assertThat(read.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(read.status()).isEqualTo(STATUS_CANCELLED);
            assertThat(fs.cancelRoutineCalls).hasValue(1);
            assertThat(api.cancelIoEx(file, read)).as("nothing left in flight").isFalse();
            quiesce(io);
            assertThat(fs.pendingReads).isEmpty();
            assertThat(io.outstandingIrps()).isZero();
            assertThat(io.drainFailures()).isEmpty();
        }
    }

    @Test
    void cancelIoExWithoutOverlappedCancelsEveryPendingRequestOfTheHandle() {
        TestDriver fs = new TestDriver(true);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            FileObject other = open(api, "other.txt", FILE_READ_DATA).fileObject();
            Overlapped r1 = api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);
            Overlapped r2 = api.ntReadFile(new Overlapped(), file, null, 0, 16, 16, 0);
            Overlapped r3 = api.ntReadFile(new Overlapped(), other, null, 0, 16, 0, 0);
            quiesce(io);

            api.cancelIoEx(file, null);
            quiesce(io);

            assertThat(r1.status()).isEqualTo(STATUS_CANCELLED);
            assertThat(r2.status()).isEqualTo(STATUS_CANCELLED);
            assertThat(r3.isDone()).as("another handle's read").isFalse();
            assertThat(fs.pendingReads).containsOnlyKeys(r3);
        }
    }

    @Test
    void cancelWithoutACancelRoutineLeavesTheReadPending() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            Overlapped read = api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);
            quiesce(io);

            api.cancelIoEx(file, read);
            quiesce(io);

            assertThat(read.isDone()).isFalse();
            assertThat(fs.pendingReads.get(read).isCancel()).isTrue();
        }
    }

    @Test
    void readWithoutReadDataAccessIsDeniedBeforeTheDriver() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE)
                    .fileObject();

            Overlapped read = api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);

            assertThat(read.isDone()).isTrue();
            assertThat(read.status()).isEqualTo(STATUS_ACCESS_DENIED);
            quiesce(io);
            assertThat(fs.reads).hasValue(0);
        }
    }

    @Test
    void resubmittingAnOverlappedStillInFlightThrows() {
        TestDriver fs = new TestDriver(true);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            Overlapped read = api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);

            assertThatThrownBy(() -> api.ntReadFile(read, file, null, 0, 16, 0, 0))
                    .isInstanceOf(IllegalStateException.class);

            quiesce(io);
            assertThat(fs.reads).hasValue(1);
            assertThat(read.isInFlight()).isTrue();
            api.cancelIoEx(file, read);
            assertThat(read.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void doneOverlappedCanBeReused() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            Overlapped ov = open(api, "a", FILE_READ_DATA);
            FileObject first = ov.fileObject();

            api.ntCreateFile(ov, "b", FILE_READ_DATA, 0, FILE_SHARE_ALL, FILE_OPEN_IF, 0, null, null);

            assertThat(ov.await()).isEqualTo(STATUS_SUCCESS);
            assertThat(ov.fileObject()).isNotSameAs(first);
            assertThat(ov.fileObject().fileName()).isEqualTo("\\b");
        }
    }

    @Test
    void closeSendsCleanupThenCloseAndCompletesOnce() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            AtomicInteger completions = new AtomicInteger();

            Overlapped close = api.ntClose(new Overlapped().completionHandler(ov -> completions.incrementAndGet()),
                    file);

            assertThat(close.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(close.status()).isEqualTo(STATUS_SUCCESS);
            quiesce(io);
            assertThat(completions).hasValue(1);
            assertThat(fs.majors).containsExactly(IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLOSE);
            assertThat(io.outstandingIrps()).isZero();
            assertThat(io.drainFailures()).isEmpty();
        }
    }

    // ---------------------------------------------------------------- I/O manager checks and FSCTL output

    /**
     * IoCreateFile's parameter checks, made before any driver sees the create. Only the
     * COMPLETE_IF_OPLOCKED + RESERVE_OPFILTER row is on the reference page; the others are the
     * documented NtCreateFile rules (wdm.h values).
     */
    @ParameterizedTest(name = "access=0x{0} share=0x{1} disposition={2} options=0x{3}")
    @CsvSource({
            "00000001, 7, 3, 00100100", // FILE_COMPLETE_IF_OPLOCKED | FILE_RESERVE_OPFILTER
            "00000001, 7, 6, 00000000", // disposition beyond FILE_OVERWRITE_IF
            "00000001, 8, 3, 00000000", // unknown share bit
            "00000001, 7, 3, 01000000", // option bit beyond FILE_VALID_OPTION_FLAGS
            "00000001, 7, 3, 00000020", // FILE_SYNCHRONOUS_IO_NONALERT without SYNCHRONIZE
            "00100001, 7, 3, 00000030", // both synchronous options
            "00000001, 7, 3, 00000041", // FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE
            "00000001, 7, 5, 00000001", // FILE_DIRECTORY_FILE with FILE_OVERWRITE_IF
            "00000001, 7, 3, 00001000", // FILE_DELETE_ON_CLOSE without DELETE
    })
    void invalidCreateParametersAreRejectedBeforeTheDriver(String access, int share, int disposition,
            String options) {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = api.ntCreateFile(new Overlapped(), "doc.txt", Integer.parseUnsignedInt(access, 16), 0,
                    share, disposition, Integer.parseUnsignedInt(options, 16), null, null);

            assertThat(ov.isDone()).isTrue();
            assertThat(ov.status()).isEqualTo(STATUS_INVALID_PARAMETER);
            assertThat(ov.fileObject()).isNull();
            quiesce(io);
            assertThat(fs.creates).hasValue(0);
        }
    }

    /** The valid neighbours of the rejected rows reach the driver. */
    @ParameterizedTest(name = "access=0x{0} disposition={1} options=0x{2}")
    @CsvSource({
            "00100001, 3, 00000020", // FILE_SYNCHRONOUS_IO_NONALERT with SYNCHRONIZE
            "00010001, 3, 00001000", // FILE_DELETE_ON_CLOSE with DELETE
            "00000001, 2, 00000001", // FILE_DIRECTORY_FILE with FILE_CREATE
            "00000001, 1, 00000001", // FILE_DIRECTORY_FILE with FILE_OPEN
    })
    void validCreateParametersReachTheDriver(String access, int disposition, String options) {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = api.ntCreateFile(new Overlapped(), "doc.txt", Integer.parseUnsignedInt(access, 16), 0,
                    FILE_SHARE_ALL, disposition, Integer.parseUnsignedInt(options, 16), null, null);

            assertThat(ov.await()).isEqualTo(STATUS_SUCCESS);
            assertThat(fs.creates).hasValue(1);
        }
    }

    @Test
    void maximumAllowedAloneGrantsFileAllAccess() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = open(api, "doc.txt", MAXIMUM_ALLOWED);

            assertThat(ov.fileObject().grantedAccess()).isEqualTo(FILE_ALL_ACCESS);
        }
    }

    /**
     * MAXIMUM_ALLOWED grants the maximum access plus whatever else was asked; the emulator's maximum is
     * FILE_ALL_ACCESS (see the test above), so adding SYNCHRONIZE must not take it away.
     */
    @Test
    void maximumAllowedWithOtherRightsStillGrantsFileAllAccess() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);

            Overlapped ov = open(api, "doc.txt", MAXIMUM_ALLOWED | SYNCHRONIZE);

            assertThat(ov.fileObject().grantedAccess()).isEqualTo(FILE_ALL_ACCESS);
        }
    }

    /**
     * METHOD_BUFFERED output is copied back unless the status is an error: the warning
     * STATUS_CANNOT_GRANT_REQUESTED_OPLOCK still delivers it (oplock-reference.md, Traps).
     */
    @ParameterizedTest(name = "status 0x{0}: output copied = {1}")
    @CsvSource({
            "00000000, true",  // STATUS_SUCCESS
            "00000216, true",  // STATUS_OPLOCK_HANDLE_CLOSED (success)
            "8000002E, true",  // STATUS_CANNOT_GRANT_REQUESTED_OPLOCK (warning)
            "C00000E2, false", // STATUS_OPLOCK_NOT_GRANTED (error)
    })
    void fsctlOutputReachesTheCallerUnlessTheStatusIsAnError(String statusHex, boolean copied) {
        int status = Integer.parseUnsignedInt(statusHex, 16);
        TestDriver fs = new TestDriver(false);
        fs.fsctlStatus.set(status);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            byte[] input = {
                0x01, 0x00, 0x0C, 0x00,  // version 1, length 12
                0x05, 0x00, 0x00, 0x00,  // RequestedOplockLevel RW
                0x01, 0x00, 0x00, 0x00}; // REQUEST
            byte[] output = new byte[32];
            Arrays.fill(output, (byte) 0xEE);

            Overlapped ov = api.ntFsControlFile(new Overlapped().outputBuffer(new UnsafeBuffer(output), 4), file,
                    FSCTL_REQUEST_OPLOCK, new UnsafeBuffer(input), 0, 12, 24);

            assertThat(ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(ov.status()).isEqualTo(status);
            assertThat(ov.information()).isEqualTo(24);
            byte[] expected = new byte[32];
            Arrays.fill(expected, (byte) 0xEE);
            if (copied) {
                byte[] structure = {
                    0x01, 0x00, 0x18, 0x00,
                    0x05, 0x00, 0x00, 0x00,  // OriginalOplockLevel RW (the requested level, read by the driver)
                    0x01, 0x00, 0x00, 0x00,  // NewOplockLevel R
                    0x01, 0x00, 0x00, 0x00,  // ACK_REQUIRED
                    0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x00};
                System.arraycopy(structure, 0, expected, 4, 24);
            }
            assertThat(output).containsExactly(expected);
        }
    }

    @Test
    void fsctlRequiringWriteAccessIsDeniedOnAReadOnlyHandle() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();

            Overlapped ov = api.ntFsControlFile(new Overlapped(), file, FSCTL_SET_ZERO_DATA, null, 0, 0, 0);

            assertThat(ov.isDone()).isTrue();
            assertThat(ov.status()).isEqualTo(STATUS_ACCESS_DENIED);
            quiesce(io);
            assertThat(fs.majors).containsExactly(IRP_MJ_CREATE);
        }
    }

    @Test
    void irpsOfCompletedPendingRequestsAreReused() {
        TestDriver fs = new TestDriver(true);
        try (IoManager io = IoManager.builder().irpPoolSize(2).start()) {
            NtApi api = io.api(fs.volume);
            FileObject file = open(api, "doc.txt", FILE_READ_DATA).fileObject();
            for (int i = 0; i < 5; i++) {
                api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0);
            }
            quiesce(io);
            assertThat(io.outstandingIrps()).isEqualTo(5);
            api.cancelIoEx(file, null);
            quiesce(io);
            assertThat(io.outstandingIrps()).isZero();
            long allocated = io.irpsAllocated();

            List<Overlapped> again = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                again.add(api.ntReadFile(new Overlapped(), file, null, 0, 16, 0, 0));
            }
            quiesce(io);

            assertThat(io.outstandingIrps()).isEqualTo(5);
            assertThat(io.irpsAllocated()).as("no new IRP objects").isEqualTo(allocated);
            assertThat(again).noneMatch(Overlapped::isDone);
        }
    }

    /** {@link IoManager#close()}: "Stops the dispatchers after the work already queued". */
    @Test
    void closeProcessesRequestsAlreadySubmitted() {
        for (int round = 0; round < 20; round++) {
            TestDriver fs = new TestDriver(false);
            List<Overlapped> submitted = new ArrayList<>();
            try (IoManager io = IoManager.builder().ringSize(1024).start()) {
                NtApi api = io.api(fs.volume);
                for (int i = 0; i < 200; i++) {
                    submitted.add(api.ntCreateFile(new Overlapped(), "f" + i, FILE_READ_DATA, 0, FILE_SHARE_ALL,
                            FILE_OPEN_IF, 0, null, null));
                }
            }

            assertThat(fs.creates).as("round %d", round).hasValue(200);
            assertThat(submitted).allMatch(Overlapped::isDone);
        }
    }

    // ---------------------------------------------------------------- threads

    @Test
    void submittingFromADispatcherThreadThrows() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().start()) {
            NtApi api = io.api(fs.volume);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicInteger dispatcherSeen = new AtomicInteger(-2);
            Overlapped ov = new Overlapped();

            io.queueWorkItem(0, context -> {
                dispatcherSeen.set(io.currentDispatcher());
                try {
                    api.ntCreateFile(ov, "doc.txt", FILE_READ_DATA, 0, FILE_SHARE_ALL, FILE_OPEN_IF, 0, null, null);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, null);
            quiesce(io);

            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
            assertThat(dispatcherSeen).hasValue(0);
            assertThat(io.currentDispatcher()).as("the test thread").isEqualTo(-1);
            assertThat(ov.isInFlight()).isFalse();
            assertThat(fs.creates).hasValue(0);
        }
    }

    @Test
    void awaitQuiescenceFromADispatcherThreadThrows() {
        try (IoManager io = IoManager.builder().start()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();

            io.queueWorkItem(0, context -> {
                try {
                    io.awaitQuiescence(1, TimeUnit.SECONDS);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, null);
            quiesce(io);

            assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void workItemsRunOnTheDispatcherTheyWereQueuedTo() {
        try (IoManager io = IoManager.builder().dispatchers(2).start()) {
            List<Integer> ranOn = new CopyOnWriteArrayList<>();

            io.queueWorkItem(1, context -> ranOn.add(io.currentDispatcher()), null);
            quiesce(io);
            io.queueWorkItem(0, context -> ranOn.add(io.currentDispatcher()), null);
            quiesce(io);

            assertThat(ranOn).containsExactly(1, 0);
            assertThat(io.dispatcherCount()).isEqualTo(2);
        }
    }

    @Test
    void dispatcherForNameIsStableAndInRange() {
        try (IoManager io = IoManager.builder().dispatchers(2).start();
                IoManager again = IoManager.builder().dispatchers(2).start()) {
            Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                String name = "\\dir\\file" + i + ".txt";
                int d = io.dispatcherForName(name);
                assertThat(d).isBetween(0, 1);
                assertThat(io.dispatcherForName(name)).as("same name, same call").isEqualTo(d);
                assertThat(io.dispatcherForName(new StringBuilder(name))).as("any CharSequence").isEqualTo(d);
                assertThat(again.dispatcherForName(name)).as("another I/O manager").isEqualTo(d);
                assertThat(io.dispatcherForName(name.toUpperCase())).as("case-insensitive").isEqualTo(d);
                used.add(d);
            }
            assertThat(used).as("200 names spread over both dispatchers").containsExactlyInAnyOrder(0, 1);
        }
    }

    @Test
    void singleDispatcherOwnsEveryName() {
        try (IoManager io = IoManager.builder().start()) {
            assertThat(io.dispatcherCount()).isEqualTo(1);
            assertThat(io.dispatcherForName("\\a")).isZero();
            assertThat(io.dispatcherForName("\\zzz\\y")).isZero();
        }
    }

    @Test
    void createRunsOnTheDispatcherThatOwnsTheName() {
        TestDriver fs = new TestDriver(false);
        try (IoManager io = IoManager.builder().dispatchers(2).start()) {
            NtApi api = io.api(fs.volume);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "\\f" + i;
                expected.add(io.dispatcherForName(name));
                Overlapped ov = open(api, name, FILE_READ_DATA);
                assertThat(ov.fileObject().dispatcher()).isEqualTo(io.dispatcherForName(name));
            }

            assertThat(fs.createDispatchers).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void builderRejectsBadSizes() {
        assertThatThrownBy(() -> IoManager.builder().ringSize(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IoManager.builder().dispatchers(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdleBusySpinningDispatcherBurnsItsCoreAndABlockingOneDoesNot() throws Exception {
        long spinning;
        long blocking;
        try (IoManager io = IoManager.builder().waitStrategy(DispatcherWaitStrategy.BUSY_SPIN).start()) {
            long before = io.dispatcherCpuNanos();
            Thread.sleep(200);
            spinning = io.dispatcherCpuNanos() - before;
        }
        try (IoManager io = IoManager.builder().waitStrategy(DispatcherWaitStrategy.BLOCKING).start()) {
            long before = io.dispatcherCpuNanos();
            Thread.sleep(200);
            blocking = io.dispatcherCpuNanos() - before;
        }
        assertThat(spinning).as("CPU of the idle busy-spinning dispatcher over 200 ms").isPositive();
        assertThat(blocking).as("CPU of the idle blocking dispatcher").isLessThan(spinning);
    }
}
