package org.irpemu.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;

/** Reusing closed handles' file objects, as Windows reuses handle values: opt-in, and invisible to a correct caller. */
class FileObjectRecyclingTest {
    private static Overlapped open(NtApi nt, String path) {
        Overlapped ov = nt.ntCreateFile(new Overlapped(), path, AccessMask.FILE_READ_DATA, 0,
                ShareAccessFlags.FILE_SHARE_VALID_FLAGS, CreateDisposition.FILE_OPEN, 0, null, null);
        assertThat(ov.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ov.status()).isEqualTo(NtStatus.STATUS_SUCCESS);
        return ov;
    }

    private static void close(NtApi nt, FileObject fo) {
        Overlapped ov = nt.ntClose(new Overlapped(), fo);
        assertThat(ov.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aClosedHandlesFileObjectServesTheNextOpenAsNew() {
        try (Machine m = Machine.builder().recycleFileObjects(true).build()) {
            m.fileSystem().createFile("\\a.txt", 10, 0);
            m.fileSystem().createFile("\\b.txt", 20, 0);
            NtApi nt = m.api();
            FileObject first = open(nt, "\\a.txt").fileObject();
            long firstId = first.id();
            close(nt, first);
            m.awaitQuiescence(5000);

            FileObject second = open(nt, "\\b.txt").fileObject();

            assertThat(second).isSameAs(first);
            assertThat(second.id()).isNotEqualTo(firstId);
            assertThat(second.fileName()).isEqualTo("\\b.txt");
            UnsafeBuffer buf = new UnsafeBuffer(new byte[64]);
            Overlapped read = nt.ntReadFile(new Overlapped(), second, buf, 0, 64, 0, 0);
            assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(read.information()).as("the new open reads b.txt's 20 bytes").isEqualTo(20);
            close(nt, second);
        }
    }

    @Test
    void withoutRecyclingEveryOpenGetsItsOwnFileObject() {
        try (Machine m = Machine.builder().build()) {
            m.fileSystem().createFile("\\a.txt", 10, 0);
            NtApi nt = m.api();
            FileObject first = open(nt, "\\a.txt").fileObject();
            close(nt, first);
            m.awaitQuiescence(5000);
            FileObject second = open(nt, "\\a.txt").fileObject();
            assertThat(second).isNotSameAs(first);
            assertThat(first.fileName()).as("the closed one is left alone").isEqualTo("\\a.txt");
            close(nt, second);
        }
    }
}
