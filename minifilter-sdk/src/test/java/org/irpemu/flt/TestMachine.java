package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;

/**
 * One emulated volume for the tests: the reference file system, the Filter Manager's frame above it and
 * an I/O manager (one dispatcher unless asked). {@link #close()} fails the test when a dispatcher reported a failure
 * that the test did not drain itself.
 */
final class TestMachine implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 5;
    static final int SHARE_ALL = ShareAccessFlags.FILE_SHARE_READ | ShareAccessFlags.FILE_SHARE_WRITE
            | ShareAccessFlags.FILE_SHARE_DELETE;

    final ReferenceFileSystem fs;
    final FilterManager flt;
    final IoManager io;
    final NtApi nt;

    TestMachine() {
        this(fs -> { });
    }

    /** @param populate creates the volume's initial files before mounting */
    TestMachine(Consumer<ReferenceFileSystem> populate) {
        this(1, populate);
    }

    /** @param dispatchers dispatcher threads of the I/O manager */
    TestMachine(int dispatchers, Consumer<ReferenceFileSystem> populate) {
        fs = new ReferenceFileSystem();
        populate.accept(fs);
        flt = new FilterManager(fs.volumeDevice());
        io = IoManager.builder().dispatchers(dispatchers).start();
        nt = io.api(fs.volumeDevice());
    }

    /** FltRegisterFilter, FltStartFiltering and FltAttachVolumeAtAltitude. */
    FltInstance attach(FltRegistration registration, String altitude) {
        FltFilter filter = flt.registerFilter(registration);
        flt.startFiltering(filter);
        return flt.attachVolumeAtAltitude(filter, altitude, registration.name() + " Instance");
    }

    /** Submits a create; does not wait. */
    Overlapped create(String path, int access, int disposition) {
        return nt.ntCreateFile(new Overlapped(), path, access, 0, SHARE_ALL, disposition, 0, null, null);
    }

    /** Creates or opens a file and waits for success. */
    FileObject open(String path, int access, int disposition) {
        Overlapped ov = create(path, access, disposition);
        assertThat(awaitStatus(ov)).as("create %s", path).isEqualTo(NtStatus.STATUS_SUCCESS);
        return ov.fileObject();
    }

    /** Submits a read at an explicit offset; does not wait. */
    Overlapped read(FileObject file, int length, long offset) {
        return nt.ntReadFile(new Overlapped(), file, new UnsafeBuffer(new byte[Math.max(1, length)]), 0, length,
                offset, 0);
    }

    /** Submits an FSCTL without buffers; does not wait. */
    Overlapped fsctl(FileObject file, int code) {
        return nt.ntFsControlFile(new Overlapped(), file, code, null, 0, 0, 0);
    }

    /** Submits NtClose (cleanup, then close); does not wait. */
    Overlapped close(FileObject file) {
        return nt.ntClose(new Overlapped(), file);
    }

    /** Waits for the request and returns its final status. */
    int awaitStatus(Overlapped ov) {
        assertThat(ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("%s completed", ov).isTrue();
        return ov.status();
    }

    /** Waits until nothing in the emulator can make progress on its own. */
    void quiesce() {
        assertThat(io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("quiescence").isTrue();
    }

    /** Quiesces, then returns (and forgets) what the dispatchers reported. */
    List<Throwable> drainFailures() {
        quiesce();
        return io.drainFailures();
    }

    @Override
    public void close() {
        List<Throwable> failures;
        try {
            io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            failures = io.drainFailures();
        } finally {
            io.close();
        }
        assertThat(failures).as("failures reported by the dispatchers").isEmpty();
    }
}
