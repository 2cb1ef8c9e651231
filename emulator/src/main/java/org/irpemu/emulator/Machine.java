package org.irpemu.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.flt.FilterManager;
import org.irpemu.flt.FltFilter;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltVerifier;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.io.DispatcherWaitStrategy;
import org.irpemu.io.IoEventListener;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;

/**
 * One emulated machine: an I/O manager, a volume with the reference file system, the Filter Manager's
 * frame above it, and the minifilters attached to it. Built with {@link #builder()}; closing it stops
 * the dispatcher threads.
 */
public final class Machine implements AutoCloseable {
    private final IoManager io;
    private final ReferenceFileSystem fileSystem;
    private final FilterManager filterManager;
    private final NtApi api;
    private final List<FltInstance> instances = new ArrayList<>();
    private final FltVerifier verifier;

    private Machine(Builder b) {
        this.verifier = b.verifier;
        OplockObserver observer = both(b.oplockObserver, b.verifier);
        this.fileSystem = b.fileSystem != null ? b.fileSystem : new ReferenceFileSystem(observer);
        this.filterManager = new FilterManager(fileSystem.volumeDevice());
        filterManager.verifier(b.verifier);
        filterManager.oplockObserver(observer);
        this.io = IoManager.builder().dispatchers(b.dispatchers).waitStrategy(b.waitStrategy).listener(b.listener)
                .timing(b.timing).ringSize(b.ringSize).recycleFileObjects(b.recycleFileObjects).start();
        this.api = io.api(fileSystem.volumeDevice());
        for (Builder.Attachment a : b.attachments) {
            attach(a.registration, a.altitude);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private static OplockObserver both(OplockObserver a, OplockObserver b) {
        if (a == null || b == null) {
            return a != null ? a : b;
        }
        return (kind, oplock, open, irp, detail, rule) -> {
            a.onEvent(kind, oplock, open, irp, detail, rule);
            b.onEvent(kind, oplock, open, irp, detail, rule);
        };
    }

    /** @return the minifilter verifier watching the Filter Manager, or {@code null} */
    public FltVerifier verifier() {
        return verifier;
    }

    /**
     * Unloads every attached minifilter as a mandatory unload would ({@code FltUnregisterFilter}): each
     * instance is torn down, draining its operations, and the verifier (if any) checks what the filters
     * left behind. Call from a thread that is not a dispatcher thread.
     */
    public void unregisterAllFilters() {
        for (org.irpemu.flt.FltFilter f : filterManager.filters()) {
            filterManager.unregisterFilter(f);
        }
        instances.clear();
    }

    /**
     * Registers, starts and attaches a minifilter ({@code FltRegisterFilter}, {@code FltStartFiltering},
     * {@code FltAttachVolumeAtAltitude}).
     */
    public FltInstance attach(FltRegistration registration, String altitude) {
        FltFilter filter = filterManager.registerFilter(registration);
        filterManager.startFiltering(filter);
        FltInstance instance = filterManager.attachVolumeAtAltitude(filter, altitude, registration.name() + " Instance");
        instances.add(instance);
        return instance;
    }

    /** @return the user-mode API of the volume */
    public NtApi api() {
        return api;
    }

    /** @return the I/O manager */
    public IoManager ioManager() {
        return io;
    }

    /** @return the volume's file system (to populate it before use, or to inspect it) */
    public ReferenceFileSystem fileSystem() {
        return fileSystem;
    }

    /** @return the Filter Manager frame of the volume */
    public FilterManager filterManager() {
        return filterManager;
    }

    /**
     * Waits until no request can make progress without a new one (see {@link IoManager#awaitQuiescence}).
     *
     * @throws IllegalStateException when that does not happen within {@code timeoutMillis} (a hang)
     */
    public void awaitQuiescence(long timeoutMillis) {
        if (!io.awaitQuiescence(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the emulator did not become quiescent within " + timeoutMillis + " ms");
        }
    }

    @Override
    public void close() {
        io.close();
        if (verifier != null) {
            verifier.close();
        }
    }

    /** Builds a {@link Machine}. */
    public static final class Builder {
        private static final class Attachment {
            final FltRegistration registration;
            final String altitude;

            Attachment(FltRegistration registration, String altitude) {
                this.registration = registration;
                this.altitude = altitude;
            }
        }

        private int dispatchers = 1;
        private int ringSize = 1 << 12;
        private DispatcherWaitStrategy waitStrategy = DispatcherWaitStrategy.BLOCKING;
        private IoEventListener listener;
        private OplockObserver oplockObserver;
        private boolean timing;
        private ReferenceFileSystem fileSystem;
        private FltVerifier verifier;
        private boolean recycleFileObjects;
        private final List<Attachment> attachments = new ArrayList<>();

        public Builder dispatchers(int dispatchers) {
            this.dispatchers = dispatchers;
            return this;
        }

        public Builder ringSize(int ringSize) {
            this.ringSize = ringSize;
            return this;
        }

        public Builder waitStrategy(DispatcherWaitStrategy waitStrategy) {
            this.waitStrategy = waitStrategy;
            return this;
        }

        /** Observes every request entering and leaving the stack. */
        public Builder listener(IoEventListener listener) {
            this.listener = listener;
            return this;
        }

        /** Observes every oplock decision (ignored when {@link #fileSystem} is given). */
        public Builder oplockObserver(OplockObserver observer) {
            this.oplockObserver = observer;
            return this;
        }

        /** Both observers at once, for a {@link Trace}. */
        public Builder trace(Trace trace) {
            this.listener = trace;
            this.oplockObserver = trace;
            return this;
        }

        public Builder timing(boolean timing) {
            this.timing = timing;
            return this;
        }

        /** Uses a file system populated beforehand (for example from a capture). */
        public Builder fileSystem(ReferenceFileSystem fileSystem) {
            this.fileSystem = fileSystem;
            return this;
        }

        /**
         * Runs the minifilter verifier on the Filter Manager and the volume's oplocks (tests, training; not
         * benchmarks). The machine stops its watchdog thread when it closes; its findings stay.
         */
        public Builder verifier(FltVerifier verifier) {
            this.verifier = verifier;
            return this;
        }

        /**
         * Reuses closed handles' file objects ({@link IoManager.Builder#recycleFileObjects}): opening and
         * closing allocate nothing (benchmarks, load generation). Default off.
         */
        public Builder recycleFileObjects(boolean recycle) {
            this.recycleFileObjects = recycle;
            return this;
        }

        /** Attaches a minifilter at an altitude when the machine starts. */
        public Builder attach(FltRegistration registration, String altitude) {
            attachments.add(new Attachment(registration, altitude));
            return this;
        }

        public Machine build() {
            return new Machine(this);
        }
    }
}
