package org.irpemu.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void rwhBrokenToRhByReader() {
        ReferenceFileSystem fs = new ReferenceFileSystem();
        try (IoManager io = IoManager.builder().start()) {
            NtApi nt = io.api(fs.volumeDevice());
            Overlapped c1 = nt.ntCreateFile(new Overlapped(), "doc.txt", AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA,
                    0, 7, CreateDisposition.FILE_OPEN_IF, 0, null, null);
            assertThat(c1.await()).isEqualTo(NtStatus.STATUS_SUCCESS);
            UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
            new RequestOplockInputBuffer().wrap(in, 0).set(OplockLevel.RWH, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            UnsafeBuffer out = new UnsafeBuffer(new byte[24]);
            Overlapped ol = new Overlapped().outputBuffer(out, 0);
            nt.ntFsControlFile(ol, c1.fileObject(), FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
            io.awaitQuiescence(5, TimeUnit.SECONDS);
            assertThat(ol.status()).isEqualTo(NtStatus.STATUS_PENDING);
            Overlapped c2 = nt.ntCreateFile(new Overlapped(), "doc.txt", AccessMask.FILE_READ_DATA, 0, 7,
                    CreateDisposition.FILE_OPEN_IF, 0, null, null);
            io.awaitQuiescence(5, TimeUnit.SECONDS);
            assertThat(c2.status()).isEqualTo(NtStatus.STATUS_PENDING);
            assertThat(ol.status()).isEqualTo(NtStatus.STATUS_SUCCESS);
            RequestOplockOutputBuffer o = new RequestOplockOutputBuffer().wrap(out, 0);
            assertThat(o.originalOplockLevel()).isEqualTo(OplockLevel.RWH);
            assertThat(o.newOplockLevel()).isEqualTo(OplockLevel.RH);
            assertThat(o.flags()).isEqualTo(RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED);
            new RequestOplockInputBuffer().wrap(in, 0).set(OplockLevel.RH, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK);
            Overlapped ack = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[24]), 0);
            nt.ntFsControlFile(ack, c1.fileObject(), FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
            io.awaitQuiescence(5, TimeUnit.SECONDS);
            assertThat(ack.status()).isEqualTo(NtStatus.STATUS_PENDING);
            assertThat(c2.status()).isEqualTo(NtStatus.STATUS_SUCCESS);
            nt.ntClose(new Overlapped(), c2.fileObject()).await();
            nt.ntClose(new Overlapped(), c1.fileObject()).await();
            io.awaitQuiescence(5, TimeUnit.SECONDS);
            assertThat(ack.status()).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(io.drainFailures()).isEmpty();
        }
    }
}
