package org.irpemu.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * {@code conflict}, the break round trip: handle A holds a Read-Write-Handle oplock; handle B's open for
 * reading breaks it to Read-Handle (MS-FSA 2.1.4.12, acknowledgment required) and waits; A acknowledges
 * with FSCTL_REQUEST_OPLOCK, REQUEST_OPLOCK_INPUT_FLAG_ACK and level RH, which makes the acknowledgment
 * IRP A's new Read-Handle oplock (pending); B's open completes. Then B and A close (A's RH oplock
 * completes with STATUS_OPLOCK_HANDLE_CLOSED).
 */
final class ConflictCycle extends BreakCycle {
    private static final String W = "conflict";

    private final Overlapped openA = new Overlapped();
    private final Overlapped oplockA = new Overlapped();
    private final Overlapped ackA = new Overlapped();
    private final Overlapped openB = new Overlapped();
    private final Overlapped closeA = new Overlapped();
    private final Overlapped closeB = new Overlapped();
    private final UnsafeBuffer requestRwh = requestOplockInput(OplockLevel.RWH,
            RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    private final UnsafeBuffer ackRh = requestOplockInput(OplockLevel.RH,
            RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK);
    private final UnsafeBuffer breakOutput = requestOplockOutput();
    private FileObject a;

    ConflictCycle(NtApi nt, String path) {
        super(W, nt, path);
        oplockA.outputBuffer(breakOutput, 0);
        ackA.outputBuffer(requestOplockOutput(), 0);
    }

    @Override
    void arm() {
        a = open(openA, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, SHARE_ALL, 0, "holder's open");
        nt.ntFsControlFile(oplockA, a, FsControlCode.FSCTL_REQUEST_OPLOCK, requestRwh, 0,
                RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
    }

    @Override
    void run(long t0, Metrics metrics) {
        issueOpen(openB, AccessMask.FILE_READ_DATA, SHARE_ALL, 0);
        Completions.expect(oplockA, NtStatus.STATUS_SUCCESS, W, "holder's RWH oplock request");
        expectBreak(breakOutput, OplockLevel.RWH, OplockLevel.RH, true, "the conflicting open");
        metrics.breakNotify.record(oplockA.completeNanos() - t0);
        nt.ntFsControlFile(ackA, a, FsControlCode.FSCTL_REQUEST_OPLOCK, ackRh, 0,
                RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        Completions.expect(openB, NtStatus.STATUS_SUCCESS, W, "conflicting open");
        metrics.roundTrip.record(openB.completeNanos() - t0);
        Completions.expectPending(ackA, W, "acknowledgment at RH (the new RH oplock)");
        close(closeB, openB.fileObject(), "close of the conflicting handle");
        close(closeA, a, "close of the holder");
        Completions.expect(ackA, NtStatus.STATUS_OPLOCK_HANDLE_CLOSED, W, "holder's RH oplock at close");
        metrics.operation.record(System.nanoTime() - t0);
    }
}
