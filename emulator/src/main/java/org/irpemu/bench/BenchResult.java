package org.irpemu.bench;

import org.HdrHistogram.Histogram;

/**
 * What one {@code irpemu bench} run measured. Latency histograms hold ns; see {@link Metrics} for what
 * each one measures. {@link #baseline()} holds the bare Disruptor ping-pong round trips of the same run.
 */
public final class BenchResult {
    private final BenchOptions options;
    private final long scheduled;
    private final long operations;
    private final long elapsedNanos;
    private final long lateStarts;
    private final long maxStartLagNanos;
    private final long irpsAllocated;
    private final Histogram breakNotify;
    private final Histogram roundTrip;
    private final Histogram operation;
    private final Histogram baseline;
    private final CpuUse cpu;

    BenchResult(BenchOptions options, long scheduled, long operations, long elapsedNanos, long lateStarts,
            long maxStartLagNanos, long irpsAllocated, Histogram breakNotify, Histogram roundTrip,
            Histogram operation, Histogram baseline, CpuUse cpu) {
        this.options = options;
        this.scheduled = scheduled;
        this.operations = operations;
        this.elapsedNanos = elapsedNanos;
        this.lateStarts = lateStarts;
        this.maxStartLagNanos = maxStartLagNanos;
        this.irpsAllocated = irpsAllocated;
        this.breakNotify = breakNotify;
        this.roundTrip = roundTrip;
        this.operation = operation;
        this.baseline = baseline;
        this.cpu = cpu;
    }

    /** @return the CPU time used during the measured part */
    public CpuUse cpu() {
        return cpu;
    }

    public BenchOptions options() {
        return options;
    }

    /** @return operations the schedule intended to measure ({@code rate * duration}) */
    public long scheduled() {
        return scheduled;
    }

    /** @return measured operations that completed */
    public long operations() {
        return operations;
    }

    /** @return scheduled operations that never ran: the backlog left at the drain deadline */
    public long missed() {
        return Math.max(0, scheduled - operations);
    }

    /** @return from the first measured operation's intended start to the last one's completion, ns */
    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** @return completed operations per second over {@link #elapsedNanos()} */
    public double throughput() {
        return elapsedNanos <= 0 ? 0 : operations * 1e9 / elapsedNanos;
    }

    /** @return measured operations that started more than one schedule interval after their intended start */
    public long lateStarts() {
        return lateStarts;
    }

    /** @return the largest delay of an operation's actual start behind its intended start, ns */
    public long maxStartLagNanos() {
        return maxStartLagNanos;
    }

    /**
     * @return IRP objects the I/O manager holds beyond its ring slots at the end of the run: the
     *     dispatchers' spare pools (256 each at start) plus whatever they grew by for IRPs left pending
     */
    public long irpsAllocated() {
        return irpsAllocated;
    }

    /** @return trigger's intended start to the holder's oplock IRP completion, ns, one value per holder */
    public Histogram breakNotify() {
        return breakNotify;
    }

    /** @return trigger's intended start to the trigger's completion, ns */
    public Histogram roundTrip() {
        return roundTrip;
    }

    /** @return intended start to the end of the whole cycle, ns */
    public Histogram operation() {
        return operation;
    }

    /** @return the bare Disruptor ping-pong round trips, ns */
    public Histogram baseline() {
        return baseline;
    }
}
