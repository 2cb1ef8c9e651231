package org.irpemu.bench;

import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * {@code antivirus}: the scan pattern of Windows Defender (MsMpEng.exe) in the Windows 10 Process Monitor
 * captures: open with FILE_OPEN_REQUIRING_OPLOCK and FILE_SHARE_READ|WRITE|DELETE, FSCTL_REQUEST_OPLOCK
 * at Read-Handle, read, close. The oplock exists so that the scanner never stands in an application's
 * way: here an application opens the file for writing without sharing while the scanner's handle is
 * open, which would be a sharing violation, so the file system first breaks the scanner's Read-Handle
 * to Read (FsRtlOplockBreakH, acknowledgment required) and parks the open; the scanner backs out by
 * closing its handle, the sharing check is retried and the application's open succeeds. The scan (open,
 * oplock, read) is armed before the intended start; the application's open is the measured operation.
 */
final class AntivirusCycle extends BreakCycle {
    private static final String W = "antivirus";
    static final int READ_LENGTH = 4096;

    private final Overlapped scanOpen = new Overlapped();
    private final Overlapped scanOplock = new Overlapped();
    private final Overlapped scanRead = new Overlapped();
    private final Overlapped scanClose = new Overlapped();
    private final Overlapped appOpen = new Overlapped();
    private final Overlapped appClose = new Overlapped();
    private final UnsafeBuffer requestRh = requestOplockInput(OplockLevel.RH,
            RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    private final UnsafeBuffer breakOutput = requestOplockOutput();
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[READ_LENGTH]);
    private FileObject scan;

    AntivirusCycle(NtApi nt, String path) {
        super(W, nt, path);
        scanOplock.outputBuffer(breakOutput, 0);
    }

    @Override
    void arm() {
        scan = open(scanOpen, AccessMask.FILE_READ_DATA | AccessMask.FILE_READ_ATTRIBUTES, SHARE_ALL,
                CreateOptions.FILE_OPEN_REQUIRING_OPLOCK | CreateOptions.FILE_NON_DIRECTORY_FILE, "scanner's open");
        nt.ntFsControlFile(scanOplock, scan, FsControlCode.FSCTL_REQUEST_OPLOCK, requestRh, 0,
                RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        nt.ntReadFile(scanRead, scan, data, 0, READ_LENGTH, 0, 0);
        Completions.expect(scanRead, NtStatus.STATUS_SUCCESS, W, "scanner's read");
        // The read was dispatched after the oplock request on the same stream: a refused request shows now.
        Completions.expectPending(scanOplock, W, "scanner's RH oplock request");
    }

    @Override
    void run(long t0, Metrics metrics) {
        issueOpen(appOpen, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, 0, 0);
        Completions.expect(scanOplock, NtStatus.STATUS_SUCCESS, W, "scanner's RH oplock request");
        expectBreak(breakOutput, OplockLevel.RH, OplockLevel.R, true, "the application's open");
        metrics.breakNotify.record(scanOplock.completeNanos() - t0);
        close(scanClose, scan, "scanner's close");
        Completions.expect(appOpen, NtStatus.STATUS_SUCCESS, W, "application's open");
        metrics.roundTrip.record(appOpen.completeNanos() - t0);
        close(appClose, appOpen.fileObject(), "application's close");
        metrics.operation.record(System.nanoTime() - t0);
    }
}
