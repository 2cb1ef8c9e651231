package org.irpemu.flt;

import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;

/** FSCTL_REQUEST_OPLOCK requests: the file system keeps them pending, so they complete asynchronously. */
public final class OplockRequests {
    private OplockRequests() {
    }

    /** Requests an oplock of {@code level} (or acknowledges a break to it with {@code ack}). */
    public static Overlapped request(NtApi nt, FileObject fo, int level, boolean ack) {
        UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
        new RequestOplockInputBuffer().wrap(in, 0).set(level, ack
                ? RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK
                : RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
        Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[24]), 0);
        return nt.ntFsControlFile(ov, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
    }

    /** A legacy oplock FSCTL (no buffers). */
    public static Overlapped legacy(NtApi nt, FileObject fo, int fsControlCode) {
        return nt.ntFsControlFile(new Overlapped(), fo, fsControlCode, null, 0, 0, 0);
    }

    /** @return the REQUEST_OPLOCK_OUTPUT_BUFFER a completed request received */
    public static RequestOplockOutputBuffer output(Overlapped ov) {
        return new RequestOplockOutputBuffer().wrap(ov.outputBuffer(), ov.outputOffset());
    }
}
