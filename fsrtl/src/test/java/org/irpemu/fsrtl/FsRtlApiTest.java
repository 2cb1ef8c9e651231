package org.irpemu.fsrtl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.irpemu.fs.Client.st;
import static org.irpemu.irp.AccessMask.FILE_READ_ATTRIBUTES;
import static org.irpemu.irp.AccessMask.FILE_READ_DATA;
import static org.irpemu.irp.AccessMask.FILE_WRITE_DATA;
import static org.irpemu.irp.AccessMask.SYNCHRONIZE;
import static org.irpemu.irp.CreateDisposition.FILE_OPEN;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_DELETE;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_READ;
import static org.irpemu.irp.ShareAccessFlags.FILE_SHARE_WRITE;
import static org.irpemu.status.NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS;
import static org.irpemu.status.NtStatus.STATUS_PENDING;
import static org.irpemu.status.NtStatus.STATUS_SUCCESS;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fs.Client;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Io;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.junit.jupiter.api.Test;

/**
 * The FsRtl oplock query routines and FsRtlCheckOplock's blocking rule, against oplock states set up
 * through the reference file system (oplock FSCTLs and opens sent through the I/O manager). Expectations
 * come from the DDI pages (wdk-oplock.md D.3, D.9): FsRtlCurrentBatchOplock is TRUE while Batch or Filter
 * oplocks are outstanding (FastFAT: "or a batch oplock break in process"); FsRtlCurrentOplock while any
 * oplock is held; FsRtlCurrentOplockH while a CACHE_HANDLE oplock (RH, RWH) is held;
 * FsRtlOplockIsFastIoPossible is TRUE with no oplock or an exclusive oplock not being broken;
 * FsRtlOplockKeysEqual compares target keys (same file object: TRUE; a missing key: FALSE);
 * FsRtlOplockIsSharedRequest is TRUE for Level 2, R and RH requests only; FsRtlCheckOplock without a
 * CompletionRoutine blocks when the operation must wait, which irpemu turns into BlockingWaitException.
 */
class FsRtlApiTest {
    private static final int SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    private static final int RW = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE;

    private static ReferenceFileSystem volume() {
        ReferenceFileSystem fs = new ReferenceFileSystem();
        fs.createDirectories("\\dir");
        fs.createFile("\\dir\\doc.txt", 100, 0);
        return fs;
    }

    /** The query routines, read on the stream's dispatcher thread. */
    private record Queries(boolean current, boolean batch, boolean handle, boolean fastIo) {
    }

    private static Queries queries(Client c, FileObject fo) {
        c.quiesce();
        return c.onDispatcher(fo, () -> {
            Oplock o = Client.oplockOf(fo);
            return new Queries(FsRtl.currentOplock(o), FsRtl.currentBatchOplock(o), FsRtl.currentOplockH(o),
                    FsRtl.oplockIsFastIoPossible(o));
        });
    }

    private static Overlapped legacyRequest(Client c, FileObject fo, int code) {
        Overlapped ov = c.nt().ntFsControlFile(new Overlapped(), fo, code, null, 0, 0, 0);
        c.quiesce();
        return ov;
    }

    private static Overlapped requestOplock(Client c, FileObject fo, int level) {
        UnsafeBuffer in = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        new RequestOplockInputBuffer().wrap(in, 0).set(level, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
        Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[24]), 0);
        c.nt().ntFsControlFile(ov, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
        c.quiesce();
        return ov;
    }

    // ---------------------------------------------------------------------------------------------
    // Query routines
    // ---------------------------------------------------------------------------------------------

    @Test
    void withoutOplocksNothingIsCurrentAndFastIoIsPossible() {
        assertThat(FsRtl.currentOplock(null)).isFalse();
        assertThat(FsRtl.currentBatchOplock(null)).isFalse();
        assertThat(FsRtl.currentOplockH(null)).isFalse();
        assertThat(FsRtl.oplockIsFastIoPossible(null)).as("a NULL oplock: no oplocks").isTrue();

        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject h = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            assertThat(queries(c, h)).isEqualTo(new Queries(false, false, false, true));
            c.close(h);
            c.assertNoFailures();
        }
    }

    @Test
    void batchOplockThroughItsBreakToLevel2() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped batch = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            assertThat(st(batch)).as("granted: the request stays pending").isEqualTo("pending");
            // Batch held, no break: current, batch, no handle caching level, fast I/O possible (exclusive).
            assertThat(queries(c, holder)).isEqualTo(new Queries(true, true, false, true));

            // A second open with data access breaks the Batch oplock to Level 2 and waits for the ack.
            Overlapped second = c.nt().ntCreateFile(new Overlapped(), "\\dir\\doc.txt", FILE_READ_DATA, 0, SHARE_ALL,
                    FILE_OPEN, 0, null, null);
            c.quiesce();
            assertThat(st(second)).isEqualTo("pending");
            assertThat(st(batch)).isEqualTo(st(STATUS_SUCCESS));
            assertThat(batch.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2);
            // Breaking: still a current (batch) oplock, but no fast I/O while the break is in progress.
            assertThat(queries(c, holder)).isEqualTo(new Queries(true, true, false, false));

            Overlapped level2 = legacyRequest(c, holder, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE);
            assertThat(st(level2)).as("the acknowledgment becomes the Level 2 oplock").isEqualTo("pending");
            assertThat(st(Client.done(second))).isEqualTo(st(STATUS_SUCCESS));
            // Level 2: current, not batch, and fast I/O is not possible (writes must break it).
            assertThat(queries(c, holder)).isEqualTo(new Queries(true, false, false, false));

            c.close(second.fileObject());
            c.close(holder);
            assertThat(st(Client.done(level2))).isEqualTo(st(STATUS_SUCCESS));
            assertThat(level2.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE);
            c.assertNoFailures();
        }
    }

    @Test
    void filterOplockCountsAsABatchOplock() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", FILE_READ_ATTRIBUTES, SHARE_ALL, FILE_OPEN, 0);
            Overlapped filter = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK);
            assertThat(st(filter)).isEqualTo("pending");
            Queries q = queries(c, holder);
            assertThat(q.current()).isTrue();
            assertThat(q.batch()).isTrue();
            c.close(holder);
            assertThat(st(Client.done(filter))).isEqualTo(st(STATUS_SUCCESS));
            assertThat(queries(c, holder).current()).as("the handle's cleanup ended its oplock").isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void level1OplockIsCurrentButNotBatch() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped l1 = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1);
            assertThat(st(l1)).isEqualTo("pending");
            assertThat(queries(c, holder)).isEqualTo(new Queries(true, false, false, true));
            c.close(holder);
            c.assertNoFailures();
        }
    }

    @Test
    void readHandleOplockIsAHandleCachingOplock() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped rh = requestOplock(c, holder, OplockLevel.RH);
            assertThat(st(rh)).isEqualTo("pending");
            Queries q = queries(c, holder);
            assertThat(q.current()).isTrue();
            assertThat(q.handle()).isTrue();
            assertThat(q.batch()).isFalse();
            c.close(holder);
            c.quiesce();
            assertThat(queries(c, holder).current()).isFalse();
            c.assertNoFailures();
        }
    }

    @Test
    void readOplockHasNoHandleCaching() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped r = requestOplock(c, holder, OplockLevel.R);
            assertThat(st(r)).isEqualTo("pending");
            Queries q = queries(c, holder);
            assertThat(q.current()).isTrue();
            assertThat(q.handle()).isFalse();
            assertThat(q.batch()).isFalse();
            c.close(holder);
            c.assertNoFailures();
        }
    }

    @Test
    void readWriteHandleOplockIsHandleCachingAndAllowsFastIo() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped rwh = requestOplock(c, holder, OplockLevel.RWH);
            assertThat(st(rwh)).isEqualTo("pending");
            Queries q = queries(c, holder);
            assertThat(q.current()).isTrue();
            assertThat(q.handle()).isTrue();
            assertThat(q.fastIo()).as("an exclusive oplock with no break in progress").isTrue();
            c.close(holder);
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FsRtlOplockKeysEqual
    // ---------------------------------------------------------------------------------------------

    @Test
    void oplockKeysEqualComparesTheTargetKeysOfTheOpens() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            UUID k1 = UUID.randomUUID();
            UUID k2 = UUID.randomUUID();
            FileObject a = open(c, k1);
            FileObject b = open(c, k1);
            FileObject other = open(c, k2);
            FileObject noKey1 = open(c, null);
            FileObject noKey2 = open(c, null);
            c.quiesce();
            List<Boolean> results = c.onDispatcher(a, () -> List.of(
                    FsRtl.oplockKeysEqual(a, b),
                    FsRtl.oplockKeysEqual(b, a),
                    FsRtl.oplockKeysEqual(a, other),
                    FsRtl.oplockKeysEqual(a, noKey1),
                    FsRtl.oplockKeysEqual(noKey1, noKey2),
                    FsRtl.oplockKeysEqual(noKey1, noKey1),
                    FsRtl.oplockKeysEqual(a, a),
                    FsRtl.oplockKeysEqual(a, null),
                    FsRtl.oplockKeysEqual(null, a),
                    FsRtl.oplockKeysEqual(null, null)));
            assertThat(results).containsExactly(true, true, false, false, false, true, true, false, false, false);
            for (FileObject fo : List.of(a, b, other, noKey1, noKey2)) {
                c.close(fo);
            }
            c.assertNoFailures();
        }
    }

    private static FileObject open(Client c, UUID key) {
        Overlapped ov = Client.done(c.nt().ntCreateFile(new Overlapped(), "\\dir\\doc.txt", FILE_READ_DATA, 0,
                SHARE_ALL, FILE_OPEN, 0, key, null));
        assertThat(st(ov)).isEqualTo(st(STATUS_SUCCESS));
        return ov.fileObject();
    }

    // ---------------------------------------------------------------------------------------------
    // FsRtlOplockIsSharedRequest
    // ---------------------------------------------------------------------------------------------

    private static Irp fsctl(int code, int level, int flags, int inputLength) {
        Irp irp = Io.allocateIrp(1, null);
        irp.ensureSystemBuffer(24);
        if (inputLength >= RequestOplockInputBuffer.ENCODED_LENGTH) {
            new RequestOplockInputBuffer().wrap(irp.systemBuffer(), 0).set(level, flags);
        }
        Io.getNextIrpStackLocation(irp).majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fileObject(new FileObject(null, "\\x"))
                .fsControlCode(code).inputBufferLength(inputLength).outputBufferLength(24);
        Io.setNextIrpStackLocation(irp);
        return irp;
    }

    @Test
    void oplockIsSharedRequestIsTrueForLevel2ReadAndReadHandleRequests() {
        int request = RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST;
        int ack = RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK;
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2, 0, 0, 0))).isTrue();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK, OplockLevel.R, request, 12)))
                .isTrue();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK, OplockLevel.RH, request, 12)))
                .isTrue();

        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK, OplockLevel.RW, request, 12)))
                .isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK, OplockLevel.RWH, request, 12)))
                .isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1, 0, 0, 0))).isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK, 0, 0, 0))).isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK, 0, 0, 0))).isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE, 0, 0, 0))).isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_REQUEST_OPLOCK, OplockLevel.R, ack, 12)))
                .as("an acknowledgment is not a request").isFalse();
        assertThat(FsRtl.oplockIsSharedRequest(fsctl(FsControlCode.FSCTL_SET_ZERO_DATA, 0, 0, 16))).isFalse();

        Irp read = Io.allocateIrp(1, null);
        Io.getNextIrpStackLocation(read).majorFunction(IrpMajorFunction.IRP_MJ_READ)
                .fileObject(new FileObject(null, "\\x"));
        Io.setNextIrpStackLocation(read);
        assertThat(FsRtl.oplockIsSharedRequest(read)).as("not a file system control").isFalse();
    }

    @Test
    void sharedRequestsAreGrantedAlongsideEachOtherThroughTheFileSystem() {
        // Two Level 2 holders share the stream, which FsRtlOplockIsSharedRequest makes possible: the file
        // system passes "no byte-range locks" rather than the handle count as OpenCount.
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject a = c.open("\\dir\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            FileObject b = c.open("\\dir\\doc.txt", FILE_READ_DATA, SHARE_ALL, FILE_OPEN, 0);
            Overlapped l2a = legacyRequest(c, a, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2);
            Overlapped l2b = legacyRequest(c, b, FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2);
            assertThat(List.of(st(l2a), st(l2b))).containsOnly("pending");
            Overlapped batch = legacyRequest(c, a, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            assertThat(st(batch)).as("exclusive request with two opens")
                    .isEqualTo(st(org.irpemu.status.NtStatus.STATUS_OPLOCK_NOT_GRANTED));
            c.close(a);
            c.close(b);
            c.quiesce();
            assertThat(List.of(st(l2a), st(l2b))).doesNotContain("pending");
            c.assertNoFailures();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FsRtlCheckOplock and its CompletionRoutine
    // ---------------------------------------------------------------------------------------------

    private static Irp readIrp(FileObject fo) {
        Irp irp = Io.allocateIrp(1, null);
        Io.getNextIrpStackLocation(irp).majorFunction(IrpMajorFunction.IRP_MJ_READ).fileObject(fo).byteOffset(0)
                .length(10);
        Io.setNextIrpStackLocation(irp);
        return irp;
    }

    @Test
    void checkOplockWithoutACompletionRoutineThrowsWhenTheIrpWouldWait() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped batch = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            assertThat(st(batch)).isEqualTo("pending");
            // An attribute-only open does not break the Batch oplock.
            FileObject reader = c.open("\\dir\\doc.txt", FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, 0);
            assertThat(st(batch)).isEqualTo("pending");

            // The holder's own read never waits: SUCCESS, even without a CompletionRoutine.
            int own = c.onDispatcher(holder, () -> FsRtl.checkOplock(Client.oplockOf(holder), readIrp(holder), null,
                    null, null));
            assertThat(st(own)).isEqualTo(st(STATUS_SUCCESS));
            assertThat(st(batch)).isEqualTo("pending");

            // A read through another handle must wait for the Batch break's acknowledgment: Windows would
            // block the calling thread; irpemu refuses to block a dispatcher thread.
            assertThatThrownBy(() -> c.onDispatcher(reader,
                    () -> FsRtl.checkOplock(Client.oplockOf(reader), readIrp(reader), null, null, null)))
                    .isInstanceOf(BlockingWaitException.class);

            c.close(holder);
            c.close(reader);
            c.quiesce();
            assertThat(st(batch)).isNotEqualTo("pending");
            c.assertNoFailures();
        }
    }

    @Test
    void checkOplockWithACompletionRoutinePendsAndCallsItAfterTheAcknowledgment() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped batch = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            FileObject reader = c.open("\\dir\\doc.txt", FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, 0);
            List<String> calls = new CopyOnWriteArrayList<>();
            Irp read = readIrp(reader);
            Object context = new Object();
            int status = c.onDispatcher(reader, () -> FsRtl.checkOplock(Client.oplockOf(reader), read, context,
                    (ctx, irp) -> calls.add("complete " + (ctx == context) + " " + (irp == read) + " "
                            + st(irp.ioStatus().status())),
                    (ctx, irp) -> calls.add("prepost " + (ctx == context) + " " + (irp == read))));
            assertThat(st(status)).isEqualTo(st(STATUS_PENDING));
            c.quiesce();
            assertThat(calls).containsExactly("prepost true true");
            assertThat(st(batch)).isEqualTo(st(STATUS_SUCCESS));
            assertThat(batch.information()).isEqualTo(OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_LEVEL_2);
            assertThat(queries(c, holder).fastIo()).isFalse();

            Overlapped ackNo2 = Client.done(c.nt().ntFsControlFile(new Overlapped(), holder,
                    FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2, null, 0, 0, 0));
            assertThat(st(ackNo2)).isEqualTo(st(STATUS_SUCCESS));
            c.quiesce();
            assertThat(calls).containsExactly("prepost true true", "complete true true " + st(STATUS_SUCCESS));
            assertThat(queries(c, holder)).isEqualTo(new Queries(false, false, false, true));
            c.close(holder);
            c.close(reader);
            c.assertNoFailures();
        }
    }

    @Test
    void checkOplockExWithCompleteIfOplockedDoesNotWait() {
        ReferenceFileSystem fs = volume();
        try (IoManager io = IoManager.builder().start()) {
            Client c = new Client(io, fs);
            FileObject holder = c.open("\\dir\\doc.txt", RW, SHARE_ALL, FILE_OPEN, 0);
            Overlapped batch = legacyRequest(c, holder, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK);
            FileObject reader = c.open("\\dir\\doc.txt", FILE_READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, FILE_OPEN, 0);
            int status = c.onDispatcher(reader, () -> FsRtl.checkOplockEx(Client.oplockOf(reader), readIrp(reader),
                    OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, null, null, null));
            assertThat(st(status)).isEqualTo(st(STATUS_OPLOCK_BREAK_IN_PROGRESS));
            c.quiesce();
            assertThat(st(batch)).as("the break still goes out").isEqualTo(st(STATUS_SUCCESS));
            c.close(holder);
            c.close(reader);
            c.assertNoFailures();
        }
    }
}
