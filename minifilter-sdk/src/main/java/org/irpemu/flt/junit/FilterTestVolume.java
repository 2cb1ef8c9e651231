package org.irpemu.flt.junit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.FilterManager;
import org.irpemu.flt.FltFilter;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltVerifier;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.ShareAccessFlags;

/**
 * The emulated volume a {@link FilterTest} hands its test: the caller's API ({@link #api()}), the
 * filters under test ({@link #filter(Class)}), the {@link #trace()} and the {@link #verifier()}, with a few
 * waiting helpers. Requests are asynchronous ({@link Overlapped}); the helpers wait at most
 * {@value #TIMEOUT_SECONDS} seconds.
 */
public final class FilterTestVolume {
    /** How long the helpers wait for a request or for quiescence, seconds. */
    public static final long TIMEOUT_SECONDS = 10;
    private static final int SHARE_ALL = ShareAccessFlags.FILE_SHARE_READ | ShareAccessFlags.FILE_SHARE_WRITE
            | ShareAccessFlags.FILE_SHARE_DELETE;

    private final ReferenceFileSystem fileSystem;
    private final FilterManager filterManager;
    private final IoManager io;
    private final NtApi api;
    private final FilterTestTrace trace;
    private final FltVerifier verifier;
    private final Map<Class<?>, Object> filters = new LinkedHashMap<>();
    private final Map<Class<?>, FltInstance> instances = new LinkedHashMap<>();

    FilterTestVolume(ReferenceFileSystem fileSystem, FilterManager filterManager, IoManager io,
            FilterTestTrace trace, FltVerifier verifier) {
        this.fileSystem = fileSystem;
        this.filterManager = filterManager;
        this.io = io;
        this.api = io.api(fileSystem.volumeDevice());
        this.trace = trace;
        this.verifier = verifier;
    }

    void attach(Class<?> type, Object filter, FltRegistration registration, String altitude) {
        FltFilter f = filterManager.registerFilter(registration);
        filterManager.startFiltering(f);
        FltInstance instance = filterManager.attachVolumeAtAltitude(f, altitude, registration.name() + " Instance");
        filters.put(type, filter);
        instances.put(type, instance);
    }

    /** @return the caller's API: NtCreateFile, NtReadFile, NtFsControlFile, NtClose, CancelIoEx, ... */
    public NtApi api() {
        return api;
    }

    /** @return the filter object of an attached class (the one whose registration was attached) */
    public <T> T filter(Class<T> type) {
        Object f = filters.get(type);
        if (f == null) {
            throw new IllegalArgumentException(type.getName() + " is not attached to this volume");
        }
        return type.cast(f);
    }

    /** @return the instance of an attached class, or {@code null} when its InstanceSetupCallback declined */
    public FltInstance instance(Class<?> type) {
        return instances.get(type);
    }

    /** @return every request and oplock decision so far */
    public FilterTestTrace trace() {
        return trace;
    }

    /** @return the verifier, or {@code null} when the test turned it off */
    public FltVerifier verifier() {
        return verifier;
    }

    /** @return the Filter Manager (to detach, unload or attach more filters) */
    public FilterManager filterManager() {
        return filterManager;
    }

    /** @return the file system (to inspect files and oplocks when the volume is quiescent) */
    public ReferenceFileSystem fileSystem() {
        return fileSystem;
    }

    /** @return the I/O manager */
    public IoManager ioManager() {
        return io;
    }

    /**
     * Opens (FILE_OPEN_IF) with every sharing mode and waits.
     *
     * @return the completed request (its status, and its file object on success)
     */
    public Overlapped create(String path, int desiredAccess) {
        return create(path, desiredAccess, SHARE_ALL, CreateDisposition.FILE_OPEN_IF, 0);
    }

    /** NtCreateFile, waiting for the result. */
    public Overlapped create(String path, int desiredAccess, int shareAccess, int disposition, int options) {
        return await(api.ntCreateFile(new Overlapped(), path, desiredAccess, 0, shareAccess, disposition, options,
                null, null));
    }

    /** NtReadFile at an offset, waiting for the result. */
    public Overlapped read(FileObject file, long offset, byte[] into) {
        return await(api.ntReadFile(new Overlapped(), file, new UnsafeBuffer(into), 0, into.length, offset, 0));
    }

    /** NtClose, waiting for it. */
    public Overlapped close(FileObject file) {
        return await(api.ntClose(new Overlapped(), file));
    }

    /**
     * @return {@code ov}, completed
     * @throws AssertionError when it does not complete in time
     */
    public Overlapped await(Overlapped ov) {
        if (!ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the request did not complete within " + TIMEOUT_SECONDS + " s: " + ov
                    + "\n" + trace);
        }
        return ov;
    }

    /**
     * Waits until nothing can make progress without a new request.
     *
     * @throws AssertionError when that does not happen in time
     */
    public void quiesce() {
        if (!io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the volume did not become quiescent within " + TIMEOUT_SECONDS + " s");
        }
    }

    /**
     * The end of the test: quiesce, unload the filters (teardown under the verifier), stop the I/O manager.
     *
     * @return the problems found: verifier failures and errors reported by dispatcher threads
     */
    List<String> shutDown() {
        List<String> problems = new ArrayList<>();
        try {
            io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (FltFilter f : filterManager.filters()) {
                filterManager.unregisterFilter(f);
            }
            io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Throwable t : io.drainFailures()) {
                problems.add("dispatcher error: " + t);
            }
        } finally {
            io.close();
            if (verifier != null) {
                verifier.close();
            }
        }
        if (verifier != null) {
            for (FltVerifier.Finding f : verifier.failures()) {
                problems.add(f.toString());
            }
        }
        return problems;
    }
}
