package org.irpemu.bench;

import org.irpemu.io.DispatcherWaitStrategy;

/**
 * The parameters of one {@code irpemu bench} run. Setters do not check; {@link #validate()} does, and
 * {@link LoadGenerator#run} refuses options that do not validate.
 */
public final class BenchOptions {
    /**
     * Default request rate, operations per second: what one client and one dispatcher sustain on a
     * shared 2-core machine with room to spare for every workload (a cycle takes about 10 us when idle).
     */
    public static final long DEFAULT_RATE = 2_000;
    public static final int MAX_DISPATCHERS = 64;
    public static final int MAX_CLIENTS = 256;
    public static final int MAX_FILTERS = 100;
    public static final int MAX_READERS = 10_000;
    public static final long MAX_RATE = 10_000_000;
    /** The longest time the bare Disruptor baseline is measured: 1 s, in ns. */
    public static final long MAX_BASELINE_NANOS = 1_000_000_000L;

    private Workload workload = Workload.CONFLICT;
    private long rate = DEFAULT_RATE;
    private long durationNanos = 5_000_000_000L;
    private long warmupNanos = 1_000_000_000L;
    private int clients = 1;
    private int dispatchers = 1;
    // Yielding spins like busy-spin while the machine is idle (the same baseline latency) but gives its
    // core away under contention, where a busy-spinning dispatcher starves the clients of a 2-core machine.
    private DispatcherWaitStrategy waitStrategy = DispatcherWaitStrategy.YIELDING;
    private int filters;
    private int readers = 8;

    public Workload workload() {
        return workload;
    }

    public BenchOptions workload(Workload workload) {
        this.workload = workload;
        return this;
    }

    /** @return the intended request rate, operations per second (all clients together) */
    public long rate() {
        return rate;
    }

    public BenchOptions rate(long opsPerSecond) {
        this.rate = opsPerSecond;
        return this;
    }

    /** @return how long operations are scheduled and measured after the warm-up, ns */
    public long durationNanos() {
        return durationNanos;
    }

    public BenchOptions durationNanos(long nanos) {
        this.durationNanos = nanos;
        return this;
    }

    /** @return how long the same schedule runs unrecorded before the measurement, ns */
    public long warmupNanos() {
        return warmupNanos;
    }

    public BenchOptions warmupNanos(long nanos) {
        this.warmupNanos = nanos;
        return this;
    }

    /** @return caller threads, each with its own file */
    public int clients() {
        return clients;
    }

    public BenchOptions clients(int clients) {
        this.clients = clients;
        return this;
    }

    /** @return dispatcher threads of the machine */
    public int dispatchers() {
        return dispatchers;
    }

    public BenchOptions dispatchers(int dispatchers) {
        this.dispatchers = dispatchers;
        return this;
    }

    public DispatcherWaitStrategy waitStrategy() {
        return waitStrategy;
    }

    public BenchOptions waitStrategy(DispatcherWaitStrategy waitStrategy) {
        this.waitStrategy = waitStrategy;
        return this;
    }

    /** @return PassThrough minifilters stacked on the volume */
    public int filters() {
        return filters;
    }

    public BenchOptions filters(int filters) {
        this.filters = filters;
        return this;
    }

    /** @return oplock holders per client of the {@code readers} workload */
    public int readers() {
        return readers;
    }

    public BenchOptions readers(int readers) {
        this.readers = readers;
        return this;
    }

    /** @return how long the bare Disruptor ping-pong is measured: the duration, at most 1 s; ns */
    public long baselineNanos() {
        return Math.min(MAX_BASELINE_NANOS, durationNanos);
    }

    /** @return the first problem with these options as one line, or {@code null} when they are usable */
    public String validate() {
        if (workload == null) {
            return "--workload is required: " + Workload.names();
        }
        if (rate <= 0 || rate > MAX_RATE) {
            return "--rate must be 1 to " + MAX_RATE + " operations per second, not " + rate;
        }
        if (durationNanos <= 0) {
            return "--duration must be longer than 0";
        }
        if (durationNanos > 24 * 3_600_000_000_000L || warmupNanos > 24 * 3_600_000_000_000L) {
            return "--duration and --warmup must be at most 24h";
        }
        if (warmupNanos < 0) {
            return "--warmup must not be negative";
        }
        if (clients < 1 || clients > MAX_CLIENTS) {
            return "--clients must be 1 to " + MAX_CLIENTS + ", not " + clients;
        }
        if (dispatchers < 1 || dispatchers > MAX_DISPATCHERS) {
            return "--dispatchers must be 1 to " + MAX_DISPATCHERS + ", not " + dispatchers;
        }
        if (waitStrategy == null) {
            return "--wait-strategy must be one of " + WaitStrategies.NAMES;
        }
        if (filters < 0 || filters > MAX_FILTERS) {
            return "--filters must be 0 to " + MAX_FILTERS + ", not " + filters;
        }
        if (readers < 1 || readers > MAX_READERS) {
            return "--readers must be 1 to " + MAX_READERS + ", not " + readers;
        }
        return null;
    }
}
