package org.irpemu.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * {@code readers}: N readers hold shared oplocks on one file, alternately Level 2
 * (FSCTL_REQUEST_OPLOCK_LEVEL_2) and Read (FSCTL_REQUEST_OPLOCK, level R); a writer's write through
 * another handle breaks them all to none without acknowledgment and does not wait (MS-FSA 2.1.4.12).
 * The handles stay open across cycles; the readers request their oplocks again before each intended
 * start. {@code roundTrip} is the write; {@code breakNotify} has one value per reader.
 */
final class ReadersCycle extends BreakCycle {
    private static final String W = "readers";
    static final int WRITE_LENGTH = 512;

    private final int readers;
    private final Overlapped[] readerOpen;
    private final Overlapped[] oplock;
    private final Overlapped[] readerClose;
    private final FileObject[] reader;
    private final UnsafeBuffer[] output;
    private final Overlapped writerOpen = new Overlapped();
    private final Overlapped write = new Overlapped();
    private final Overlapped writerClose = new Overlapped();
    private final UnsafeBuffer requestR = requestOplockInput(OplockLevel.R,
            RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[WRITE_LENGTH]);
    private FileObject writer;

    ReadersCycle(NtApi nt, String path, int readers) {
        super(W, nt, path);
        this.readers = readers;
        readerOpen = new Overlapped[readers];
        oplock = new Overlapped[readers];
        readerClose = new Overlapped[readers];
        reader = new FileObject[readers];
        output = new UnsafeBuffer[readers];
        for (int i = 0; i < readers; i++) {
            readerOpen[i] = new Overlapped();
            readerClose[i] = new Overlapped();
            oplock[i] = new Overlapped();
            if (!isLevel2(i)) {
                output[i] = requestOplockOutput();
                oplock[i].outputBuffer(output[i], 0);
            }
        }
    }

    private static boolean isLevel2(int i) {
        return (i & 1) == 0;
    }

    @Override
    void setUp() {
        for (int i = 0; i < readers; i++) {
            reader[i] = open(readerOpen[i], AccessMask.FILE_READ_DATA, SHARE_ALL, 0, "reader's open");
        }
        writer = open(writerOpen, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, SHARE_ALL, 0,
                "writer's open");
    }

    @Override
    void arm() {
        for (int i = 0; i < readers; i++) {
            if (isLevel2(i)) {
                nt.ntFsControlFile(oplock[i], reader[i], FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, 0);
            } else {
                nt.ntFsControlFile(oplock[i], reader[i], FsControlCode.FSCTL_REQUEST_OPLOCK, requestR, 0,
                        RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
            }
        }
    }

    @Override
    void run(long t0, Metrics metrics) {
        nt.ntWriteFile(write, writer, data, 0, WRITE_LENGTH, 0, 0);
        Completions.expect(write, NtStatus.STATUS_SUCCESS, W, "writer's write");
        metrics.roundTrip.record(write.completeNanos() - t0);
        for (int i = 0; i < readers; i++) {
            Overlapped o = oplock[i];
            if (isLevel2(i)) {
                Completions.expect(o, NtStatus.STATUS_SUCCESS, W, "reader's Level 2 oplock request");
                expectInformation(o, OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE, "reader's Level 2 oplock");
            } else {
                Completions.expect(o, NtStatus.STATUS_SUCCESS, W, "reader's R oplock request");
                expectBreak(output[i], OplockLevel.R, OplockLevel.NONE, false, "the write");
            }
            metrics.breakNotify.record(o.completeNanos() - t0);
        }
        metrics.operation.record(System.nanoTime() - t0);
    }

    @Override
    void tearDown() {
        for (int i = 0; i < readers; i++) {
            if (reader[i] != null) {
                close(readerClose[i], reader[i], "reader's close");
            }
        }
        if (writer != null) {
            close(writerClose, writer, "writer's close");
        }
    }
}
