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
 * that the test did not drain itself, or when the verifier installed with {@link #verify()} recorded a failure.
 * Public for the sample tests in {@code org.irpemu.flt.samples}.
 */
public final class TestMachine implements AutoCloseable {
    public static final long TIMEOUT_SECONDS = 5;
    public static final int SHARE_ALL = ShareAccessFlags.FILE_SHARE_READ | ShareAccessFlags.FILE_SHARE_WRITE
            | ShareAccessFlags.FILE_SHARE_DELETE;

    public final ReferenceFileSystem fs;
    public final FilterManager flt;
    public final IoManager io;
    public final NtApi nt;
    /** The verifier installed with {@link #verify()}, or null. */
    FltVerifier verifier;
    /** The test inspects the verifier's findings itself (the verifier constructor). */
    private boolean findingsExpected;

    public TestMachine() {
        this(fs -> { });
    }

    /** @param populate creates the volume's initial files before mounting */
    public TestMachine(Consumer<ReferenceFileSystem> populate) {
        this(1, populate);
    }

    /** @param dispatchers dispatcher threads of the I/O manager */
    public TestMachine(int dispatchers, Consumer<ReferenceFileSystem> populate) {
        this(dispatchers, null, populate);
    }

    /**
     * A machine whose verifier watches the frame ({@code flt.verifier(v)}), the minifilters' oplocks
     * ({@code flt.oplockObserver(v)}) and the file system's oplocks, for tests that provoke findings on
     * purpose and inspect them: {@link #close()} does not assert that it recorded no failure.
     */
    TestMachine(FltVerifier verifier, Consumer<ReferenceFileSystem> populate) {
        this(1, verifier, populate);
    }

    private TestMachine(int dispatchers, FltVerifier expecting, Consumer<ReferenceFileSystem> populate) {
        fs = expecting == null ? new ReferenceFileSystem() : new ReferenceFileSystem(expecting);
        populate.accept(fs);
        flt = new FilterManager(fs.volumeDevice());
        if (expecting != null) {
            verifier = expecting;
            findingsExpected = true;
            flt.verifier(expecting);
            flt.oplockObserver(expecting);
        }
        io = IoManager.builder().dispatchers(dispatchers).start();
        nt = io.api(fs.volumeDevice());
    }

    /**
     * Installs a minifilter verifier (every rule on FAIL) as the frame's verifier and the observer of the
     * minifilters' oplocks; {@link #close()} then asserts that it recorded no failure. Call before the first
     * request.
     */
    public FltVerifier verify() {
        if (verifier == null) {
            verifier = new FltVerifier();
            flt.verifier(verifier);
            flt.oplockObserver(verifier);
        }
        return verifier;
    }

    /** @return the verifier installed with {@link #verify()}, or null */
    public FltVerifier verifier() {
        return verifier;
    }

    /** FltRegisterFilter, FltStartFiltering and FltAttachVolumeAtAltitude. */
    public FltInstance attach(FltRegistration registration, String altitude) {
        FltFilter filter = flt.registerFilter(registration);
        flt.startFiltering(filter);
        return flt.attachVolumeAtAltitude(filter, altitude, registration.name() + " Instance");
    }

    /** Submits a create; does not wait. */
    public Overlapped create(String path, int access, int disposition) {
        return nt.ntCreateFile(new Overlapped(), path, access, 0, SHARE_ALL, disposition, 0, null, null);
    }

    /** Submits a create with every parameter; does not wait. */
    public Overlapped create(String path, int access, int share, int disposition, int options, java.util.UUID key) {
        return nt.ntCreateFile(new Overlapped(), path, access, 0, share, disposition, options, key, null);
    }

    /** Gives an existing (or new) file these contents, through NtWriteFile; waits for each step. */
    public void write(String path, byte[] contents) {
        FileObject fo = open(path, org.irpemu.irp.AccessMask.FILE_WRITE_DATA,
                org.irpemu.irp.CreateDisposition.FILE_OVERWRITE_IF);
        Overlapped w = nt.ntWriteFile(new Overlapped(), fo, new UnsafeBuffer(contents.clone()), 0, contents.length, 0, 0);
        assertThat(awaitStatus(w)).as("write %s", path).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(awaitStatus(close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
    }

    /** Creates or opens a file and waits for success. */
    public FileObject open(String path, int access, int disposition) {
        Overlapped ov = create(path, access, disposition);
        assertThat(awaitStatus(ov)).as("create %s", path).isEqualTo(NtStatus.STATUS_SUCCESS);
        return ov.fileObject();
    }

    /** Submits a read at an explicit offset; does not wait. */
    public Overlapped read(FileObject file, int length, long offset) {
        return nt.ntReadFile(new Overlapped(), file, new UnsafeBuffer(new byte[Math.max(1, length)]), 0, length,
                offset, 0);
    }

    /** Submits an FSCTL without buffers; does not wait. */
    public Overlapped fsctl(FileObject file, int code) {
        return nt.ntFsControlFile(new Overlapped(), file, code, null, 0, 0, 0);
    }

    /** Submits NtClose (cleanup, then close); does not wait. */
    public Overlapped close(FileObject file) {
        return nt.ntClose(new Overlapped(), file);
    }

    /** Waits for the request and returns its final status. */
    public int awaitStatus(Overlapped ov) {
        assertThat(ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("%s completed", ov).isTrue();
        return ov.status();
    }

    /** Waits until nothing in the emulator can make progress on its own. */
    public void quiesce() {
        assertThat(io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("quiescence").isTrue();
    }

    /** Quiesces, then returns (and forgets) what the dispatchers reported. */
    public List<Throwable> drainFailures() {
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
            if (verifier != null) {
                verifier.close();
            }
        }
        assertThat(failures).as("failures reported by the dispatchers").isEmpty();
        if (verifier != null) {
            verifier.close();
            if (!findingsExpected) {
                verifier.assertNoFailures();
            }
        }
    }
}
