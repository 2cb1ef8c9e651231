package org.irpemu.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.status.NtStatus;

/**
 * Test-side convenience over {@link NtApi}: each call submits one request and waits (at most five
 * seconds) for it, so that a test reads as a sequence of native calls. Public so that tests in other
 * packages (org.irpemu.fsrtl) can set up states through the file system.
 */
public final class Client {
    public static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final IoManager io;
    private final NtApi nt;

    public Client(IoManager io, ReferenceFileSystem fs) {
        this.io = io;
        this.nt = io.api(fs.volumeDevice());
    }

    public NtApi nt() {
        return nt;
    }

    public IoManager io() {
        return io;
    }

    /** Waits for a request that is expected to complete. */
    public static Overlapped done(Overlapped ov) {
        assertThat(ov.await(5, TimeUnit.SECONDS)).as("request completed: %s", ov).isTrue();
        return ov;
    }

    /** @return the status as its symbolic name, for readable assertion messages */
    public static String st(int status) {
        return NtStatus.describe(status);
    }

    public static String st(Overlapped ov) {
        return ov.isDone() ? NtStatus.describe(ov.status()) : "pending";
    }

    public Overlapped create(String path, int access, int share, int disposition, int options) {
        return create(path, access, 0, share, disposition, options);
    }

    public Overlapped create(String path, int access, int attributes, int share, int disposition, int options) {
        return done(nt.ntCreateFile(new Overlapped(), path, access, attributes, share, disposition, options, null, null));
    }

    /** Opens and asserts success. */
    public FileObject open(String path, int access, int share, int disposition, int options) {
        Overlapped ov = create(path, access, share, disposition, options);
        assertThat(st(ov)).as("open %s", path).isEqualTo(st(NtStatus.STATUS_SUCCESS));
        assertThat(ov.fileObject()).isNotNull();
        return ov.fileObject();
    }

    public int close(FileObject fo) {
        return done(nt.ntClose(new Overlapped(), fo)).status();
    }

    public Overlapped write(FileObject fo, long offset, byte[] data) {
        UnsafeBuffer b = new UnsafeBuffer(data.clone());
        return done(nt.ntWriteFile(new Overlapped(), fo, b, 0, data.length, offset, 0));
    }

    public Overlapped write(FileObject fo, long offset, String text) {
        return write(fo, offset, text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads into {@code into}; the request's Information is the byte count. */
    public Overlapped read(FileObject fo, long offset, byte[] into) {
        UnsafeBuffer b = new UnsafeBuffer(into);
        return done(nt.ntReadFile(new Overlapped(), fo, b, 0, into.length, offset, 0));
    }

    public Overlapped lock(FileObject fo, long offset, long length, boolean exclusive) {
        return done(nt.ntLockFile(new Overlapped(), fo, offset, length, 0, true, exclusive));
    }

    public Overlapped setInformation(FileObject fo, byte[] info, int infoClass) {
        UnsafeBuffer b = new UnsafeBuffer(info);
        return done(nt.ntSetInformationFile(new Overlapped(), fo, b, 0, info.length, infoClass));
    }

    public Overlapped setDisposition(FileObject fo, boolean delete) {
        return setInformation(fo, new byte[] {(byte) (delete ? 1 : 0)}, FileInformationClass.FileDispositionInformation);
    }

    public Overlapped setLong(FileObject fo, long value, int infoClass) {
        byte[] info = new byte[8];
        new UnsafeBuffer(info).putLong(0, value, LE);
        return setInformation(fo, info, infoClass);
    }

    /**
     * FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION, x64: ReplaceIfExists BOOLEAN at 0, RootDirectory
     * HANDLE at 8 (NULL), FileNameLength ULONG at 16, FileName WCHAR[] at 20; the structure is at least
     * sizeof (24 bytes).
     */
    public static byte[] renameInformation(boolean replaceIfExists, String name) {
        byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
        byte[] info = new byte[Math.max(24, 20 + utf16.length)];
        UnsafeBuffer b = new UnsafeBuffer(info);
        b.putByte(0, (byte) (replaceIfExists ? 1 : 0));
        b.putLong(8, 0L, LE);
        b.putInt(16, utf16.length, LE);
        b.putBytes(20, utf16);
        return info;
    }

    public Overlapped rename(FileObject fo, String newName, boolean replace) {
        return setInformation(fo, renameInformation(replace, newName), FileInformationClass.FileRenameInformation);
    }

    public Overlapped link(FileObject fo, String newName, boolean replace) {
        return setInformation(fo, renameInformation(replace, newName), FileInformationClass.FileLinkInformation);
    }

    /** NtQueryInformationFile into a fresh buffer of {@code length} bytes (see {@link Overlapped#outputBuffer()}). */
    public Overlapped query(FileObject fo, int length, int infoClass) {
        Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[Math.max(length, 1)]), 0);
        return done(nt.ntQueryInformationFile(ov, fo, length, infoClass));
    }

    /** Waits until nothing can make progress and asserts that no driver threw. */
    public void quiesce() {
        assertThat(io.awaitQuiescence(5, TimeUnit.SECONDS)).as("quiescent").isTrue();
    }

    public void assertNoFailures() {
        quiesce();
        assertThat(io.drainFailures()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Access to a stream's FsRtl state, on the dispatcher thread that owns it
    // ---------------------------------------------------------------------------------------------

    /** @return the FsRtl oplock of the stream a handle is open on */
    public static Oplock oplockOf(FileObject fo) {
        return ((Fcb) fo.fsContext()).oplock;
    }

    /** Runs {@code action} on the dispatcher thread that owns the handle's stream and returns its result. */
    public <T> T onDispatcher(FileObject fo, Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        io.queueWorkItem(fo.dispatcher(), context -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, null);
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
