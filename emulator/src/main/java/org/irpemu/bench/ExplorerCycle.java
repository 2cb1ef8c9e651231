package org.irpemu.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.status.NtStatus;

/**
 * {@code explorer}: the Filter oplock procedure of the WDK (as Explorer uses it in the Windows 7 Process
 * Monitor captures, and as conformance scenario 18 states it): an attribute-only handle
 * (FILE_READ_ATTRIBUTES, share all) takes FSCTL_REQUEST_FILTER_OPLOCK, a second handle opens the file
 * for reading and reads, which breaks nothing; then another application opens the file for writing,
 * which breaks the Filter oplock to none and waits; the holder backs out by closing both its handles,
 * and the writer's open completes. The holder's two opens, the oplock and the read are armed before the
 * intended start; the writer's open is the measured operation.
 */
final class ExplorerCycle extends BreakCycle {
    private static final String W = "explorer";
    static final int READ_LENGTH = 4096;

    private final Overlapped attributesOpen = new Overlapped();
    private final Overlapped filterOplock = new Overlapped();
    private final Overlapped readOpen = new Overlapped();
    private final Overlapped read = new Overlapped();
    private final Overlapped attributesClose = new Overlapped();
    private final Overlapped readClose = new Overlapped();
    private final Overlapped writerOpen = new Overlapped();
    private final Overlapped writerClose = new Overlapped();
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[READ_LENGTH]);
    private FileObject attributes;
    private FileObject reader;

    ExplorerCycle(NtApi nt, String path) {
        super(W, nt, path);
    }

    @Override
    void arm() {
        attributes = open(attributesOpen, AccessMask.FILE_READ_ATTRIBUTES, SHARE_ALL, 0, "attribute-only open");
        nt.ntFsControlFile(filterOplock, attributes, FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK, null, 0, 0, 0);
        reader = open(readOpen, AccessMask.FILE_READ_DATA, SHARE_ALL, 0, "holder's open for reading");
        nt.ntReadFile(read, reader, data, 0, READ_LENGTH, 0, 0);
        Completions.expect(read, NtStatus.STATUS_SUCCESS, W, "holder's read");
        Completions.expectPending(filterOplock, W, "Filter oplock request");
    }

    @Override
    void run(long t0, Metrics metrics) {
        issueOpen(writerOpen, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, SHARE_ALL, 0);
        Completions.expect(filterOplock, NtStatus.STATUS_SUCCESS, W, "Filter oplock request");
        expectInformation(filterOplock, OplockBreakInformation.FILE_OPLOCK_BROKEN_TO_NONE, "Filter oplock request");
        metrics.breakNotify.record(filterOplock.completeNanos() - t0);
        close(readClose, reader, "holder's close of its reading handle");
        close(attributesClose, attributes, "holder's close of its attribute-only handle");
        Completions.expect(writerOpen, NtStatus.STATUS_SUCCESS, W, "writer's open");
        metrics.roundTrip.record(writerOpen.completeNanos() - t0);
        close(writerClose, writerOpen.fileObject(), "writer's close");
        metrics.operation.record(System.nanoTime() - t0);
    }
}
