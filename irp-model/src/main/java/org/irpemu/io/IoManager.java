package org.irpemu.io;

import com.lmax.disruptor.RingBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.irpemu.irp.DeviceObject;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.IoWorkItemRoutine;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpCompletionSink;

/**
 * The I/O manager: a multi-producer LMAX Disruptor ring of preallocated IRPs, consumed by one or more
 * dispatcher threads.
 *
 * <p>Callers on any thread submit requests through an {@link NtApi}; each request is routed to the
 * dispatcher that owns its stream (by a stable hash of the volume-relative name for a create, by the
 * file object for everything else), so the state of a stream is only ever touched by one thread and
 * needs no lock. Drivers may move work to another dispatcher with
 * {@link #queueWorkItem(int, IoWorkItemRoutine, Object)}, which goes through that dispatcher's inbox,
 * never through the ring: a dispatcher never waits for ring capacity, so the system cannot deadlock on
 * a full ring.
 *
 * <p>Requests must not be submitted from a dispatcher thread (a completion handler or a driver):
 * {@link IllegalStateException}. Drivers send their own IRPs with {@code Io.callDriver}.
 */
public final class IoManager implements IoSystem, IrpCompletionSink, AutoCloseable {
    /** Builds an {@link IoManager}. */
    public static final class Builder {
        private int ringSize = 1 << 14;
        private int dispatchers = 1;
        private DispatcherWaitStrategy waitStrategy = DispatcherWaitStrategy.BLOCKING;
        private IoEventListener listener;
        private boolean timing;
        private int irpPoolSize = 256;
        private String threadNamePrefix = "irpemu-dispatcher-";
        private boolean recycleFileObjects;

        /** Ring slots; a power of two. Default 16384. */
        public Builder ringSize(int ringSize) {
            if (Integer.bitCount(ringSize) != 1) {
                throw new IllegalArgumentException("ring size must be a power of two: " + ringSize);
            }
            this.ringSize = ringSize;
            return this;
        }

        /** Dispatcher threads, 1 or more. Default 1. */
        public Builder dispatchers(int dispatchers) {
            if (dispatchers < 1) {
                throw new IllegalArgumentException("dispatchers: " + dispatchers);
            }
            this.dispatchers = dispatchers;
            return this;
        }

        /** How idle dispatchers wait. Default {@link DispatcherWaitStrategy#BLOCKING}. */
        public Builder waitStrategy(DispatcherWaitStrategy waitStrategy) {
            this.waitStrategy = waitStrategy;
            return this;
        }

        /** Observes every request (traces). Default none. */
        public Builder listener(IoEventListener listener) {
            this.listener = listener;
            return this;
        }

        /** Records {@link System#nanoTime()} at submission and completion in each {@link Overlapped}. */
        public Builder timing(boolean timing) {
            this.timing = timing;
            return this;
        }

        /** Spare IRPs preallocated per dispatcher for requests that stay pending. Default 256. */
        public Builder irpPoolSize(int irpPoolSize) {
            this.irpPoolSize = irpPoolSize;
            return this;
        }

        /**
         * Reuses the FILE_OBJECT of a closed handle for a later open (as Windows reuses handle values), so
         * that opening and closing allocate nothing. A caller that keeps a closed handle's file object
         * and uses it reaches whatever open reused it. Default off: every open gets a new file object.
         */
        public Builder recycleFileObjects(boolean recycle) {
            this.recycleFileObjects = recycle;
            return this;
        }

        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = prefix;
            return this;
        }

        /** Creates the ring and starts the dispatcher threads. */
        public IoManager start() {
            return new IoManager(this);
        }
    }

    /** A dispatcher's thread, so that the current dispatcher is found without a thread-local. */
    static final class DispatcherThread extends Thread {
        final IoManager owner;
        final Dispatcher dispatcher;

        DispatcherThread(IoManager owner, Dispatcher dispatcher, String name) {
            super(dispatcher, name);
            this.owner = owner;
            this.dispatcher = dispatcher;
            setDaemon(true);
        }
    }

    private final RingBuffer<IoRequestEvent> ring;
    private final Dispatcher[] dispatchers;
    private final DispatcherThread[] threads;
    private final boolean timing;
    private final DispatcherWaitStrategy waitStrategy;
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private volatile IoEventListener listener;
    private volatile boolean running = true;
    /** Closed handles' file objects for reuse, or {@code null} when not recycling. */
    private final org.agrona.concurrent.ManyToManyConcurrentArrayQueue<FileObject> spareFileObjects;

    public static Builder builder() {
        return new Builder();
    }

    private IoManager(Builder b) {
        this.timing = b.timing;
        this.spareFileObjects = b.recycleFileObjects ? new org.agrona.concurrent.ManyToManyConcurrentArrayQueue<>(4096) : null;
        this.listener = b.listener;
        this.waitStrategy = b.waitStrategy;
        this.ring = RingBuffer.createMultiProducer(IoRequestEvent::new, b.ringSize, b.waitStrategy.create());
        this.dispatchers = new Dispatcher[b.dispatchers];
        this.threads = new DispatcherThread[b.dispatchers];
        for (int i = 0; i < dispatchers.length; i++) {
            dispatchers[i] = new Dispatcher(this, i, ring, b.irpPoolSize);
            ring.addGatingSequences(dispatchers[i].sequence);
        }
        for (int i = 0; i < dispatchers.length; i++) {
            threads[i] = new DispatcherThread(this, dispatchers[i], b.threadNamePrefix + i);
            dispatchers[i].thread = threads[i];
            threads[i].start();
        }
    }

    /** Makes the I/O manager the I/O system of every device of the volume's stack. */
    public void mount(DeviceObject volumeDevice) {
        volumeDevice.ioSystem(this);
    }

    /** @return a client API for the volume whose bottom (file system) device is {@code volumeDevice} */
    public NtApi api(DeviceObject volumeDevice) {
        if (volumeDevice.ioSystem() != this) {
            mount(volumeDevice);
        }
        return new NtApi(this, volumeDevice);
    }

    /** Replaces the listener (traces); {@code null} removes it. Takes effect for requests dispatched later. */
    public void listener(IoEventListener listener) {
        this.listener = listener;
    }

    IoEventListener listener() {
        return listener;
    }

    boolean isTiming() {
        return timing;
    }

    boolean isRunning() {
        return running;
    }

    RingBuffer<IoRequestEvent> ring() {
        return ring;
    }

    /** @return the wait strategy of the dispatchers */
    public DispatcherWaitStrategy waitStrategy() {
        return waitStrategy;
    }

    @Override
    public void reportFailure(Throwable t) {
        failures.add(t);
    }

    /**
     * @return exceptions thrown by drivers on dispatcher threads since the last call (the dispatcher
     *     went on); empty when all is well
     */
    public List<Throwable> drainFailures() {
        List<Throwable> out = new ArrayList<>();
        Throwable t;
        while ((t = failures.poll()) != null) {
            out.add(t);
        }
        return out;
    }

    void checkNotDispatcherThread() {
        if (currentDispatcher() >= 0) {
            throw new IllegalStateException("requests cannot be submitted from a dispatcher thread");
        }
    }

    /** @return a closed handle's file object to reuse, or {@code null} (not recycling, or none spare) */
    FileObject spareFileObject() {
        return spareFileObjects == null ? null : spareFileObjects.poll();
    }

    /** The last reference to a file object went (its IRP_MJ_CLOSE completed and no IRP refers to it). */
    void fileObjectClosed(FileObject fo) {
        if (spareFileObjects != null && fo.ioListHead == null) {
            spareFileObjects.offer(fo);
        }
    }

    @Override
    public int dispatcherCount() {
        return dispatchers.length;
    }

    @Override
    public int currentDispatcher() {
        Thread t = Thread.currentThread();
        if (t instanceof DispatcherThread && ((DispatcherThread) t).owner == this) {
            return ((DispatcherThread) t).dispatcher.index();
        }
        return -1;
    }

    @Override
    public void queueWorkItem(int dispatcher, IoWorkItemRoutine routine, Object context) {
        dispatchers[dispatcher].post(routine, context);
    }

    @Override
    public int dispatcherForName(CharSequence name) {
        if (dispatchers.length == 1) {
            return 0;
        }
        return Math.floorMod(nameHash(name), dispatchers.length);
    }

    /** FNV-1a over the name folded to upper case: stable across runs and JVMs. */
    static int nameHash(CharSequence name) {
        int h = 0x811c9dc5;
        for (int i = 0; i < name.length(); i++) {
            h ^= Character.toUpperCase(name.charAt(i));
            h *= 0x01000193;
        }
        return h;
    }

    /** Final completion: delivered to the dispatcher of the thread that completes the IRP. */
    @Override
    public void irpCompleted(Irp irp) {
        Thread t = Thread.currentThread();
        if (!(t instanceof DispatcherThread) || ((DispatcherThread) t).owner != this) {
            throw new IllegalStateException(irp + " completed off its dispatcher thread");
        }
        ((DispatcherThread) t).dispatcher.irpCompleted(irp);
    }

    /**
     * Waits until the emulator is quiescent: every published request has been processed, every work
     * item has run, and no request can make progress without a new one. Requests still pending after
     * that wait for something only a caller can do (an acknowledgment, a close, a cancel).
     *
     * @return whether quiescence was reached within the timeout
     * @throws IllegalStateException when called from a dispatcher thread
     */
    public boolean awaitQuiescence(long timeout, TimeUnit unit) {
        checkNotDispatcherThread();
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        int idle = 0;
        while (true) {
            long cursor = ring.getCursor();
            long offeredBefore = totalOffered();
            boolean busy = false;
            for (Dispatcher d : dispatchers) {
                if (d.sequence.get() < cursor || d.offered.get() != d.done.get()) {
                    busy = true;
                    break;
                }
            }
            if (!busy && ring.getCursor() == cursor && totalOffered() == offeredBefore) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (++idle < 50) {
                Thread.onSpinWait();
            } else if (idle < 100) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
        }
    }

    private long totalOffered() {
        long sum = 0;
        for (Dispatcher d : dispatchers) {
            sum += d.offered.get();
        }
        return sum;
    }

    /** @return IRPs held pending by drivers right now (approximate when read while requests run) */
    public long outstandingIrps() {
        long sum = 0;
        for (Dispatcher d : dispatchers) {
            sum += d.outstanding();
        }
        return sum;
    }

    /** @return IRP objects created so far beyond the ring slots (pool growth) */
    public long irpsAllocated() {
        long sum = 0;
        for (Dispatcher d : dispatchers) {
            sum += d.irpsAllocated();
        }
        return sum;
    }

    /**
     * CPU time the dispatcher threads have used since they started, summed: what the I/O path and the
     * wait strategy cost (a busy-spinning dispatcher uses its whole core while idle). From
     * {@link java.lang.management.ThreadMXBean#getThreadCpuTime(long)}.
     *
     * @return ns, or -1 when the JVM does not measure thread CPU time
     */
    public long dispatcherCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!mx.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (DispatcherThread t : threads) {
            long ns = mx.getThreadCpuTime(t.getId());
            if (ns > 0) { // -1 for a thread that has ended
                sum += ns;
            }
        }
        return sum;
    }

    /** Stops the dispatchers after the work already queued; pending IRPs stay pending. */
    @Override
    public void close() {
        running = false;
        for (Dispatcher d : dispatchers) {
            d.halt();
        }
        for (DispatcherThread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
