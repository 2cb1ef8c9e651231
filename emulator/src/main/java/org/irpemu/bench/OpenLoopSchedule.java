package org.irpemu.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate open-loop schedule: operation {@code i} is intended to start at
 * {@code start + i * 1e9 / rate} ns, whatever happened to the operations before it. Clients claim the
 * operations in order ({@link #claim()}), wait for the intended start ({@link #awaitStart}) and measure
 * from it, so a stalled system is charged for every operation it delayed (no coordinated omission).
 *
 * <p>The first {@link #warmupCount()} operations are the warm-up; the next {@link #measuredCount()}
 * are measured. Warm-up operations still unclaimed when the measured part is due are dropped.
 * Operations still unclaimed when the drain deadline passes (the end of the schedule plus a grace of
 * max(1 s, duration)) are given up and counted as missed. Thread-safe.
 */
public final class OpenLoopSchedule {
    private final long startNanos;
    private final double intervalNanos;
    private final long warmupCount;
    private final long totalCount;
    private final long deadlineNanos;
    private final AtomicLong next = new AtomicLong();
    private volatile boolean stopped;

    /**
     * @param startNanos the intended start of operation 0, {@link System#nanoTime()} scale
     * @param rate operations per second, at least 1
     * @param warmupNanos length of the warm-up part, ns
     * @param durationNanos length of the measured part, ns (at least one operation is scheduled)
     */
    public OpenLoopSchedule(long startNanos, long rate, long warmupNanos, long durationNanos) {
        this.startNanos = startNanos;
        this.intervalNanos = 1e9 / rate;
        this.warmupCount = (long) Math.ceil(warmupNanos / intervalNanos);
        long measured = Math.max(1, (long) Math.ceil(durationNanos / intervalNanos));
        this.totalCount = warmupCount + measured;
        this.deadlineNanos = intendedStart(totalCount) + Math.max(1_000_000_000L, durationNanos);
    }

    /** @return the intended start of operation {@code i}, ns ({@link System#nanoTime()} scale) */
    public long intendedStart(long i) {
        return startNanos + (long) (i * intervalNanos);
    }

    /** @return the schedule's interval between two operations, ns */
    public double intervalNanos() {
        return intervalNanos;
    }

    /** @return the intended start of the first measured operation, ns */
    public long measureStartNanos() {
        return intendedStart(warmupCount);
    }

    /** @return the intended end of the schedule (start of the operation after the last), ns */
    public long endNanos() {
        return intendedStart(totalCount);
    }

    /** @return operations of the warm-up */
    public long warmupCount() {
        return warmupCount;
    }

    /** @return operations scheduled for measurement */
    public long measuredCount() {
        return totalCount - warmupCount;
    }

    /** @return whether operation {@code i} is measured (not warm-up) */
    public boolean isMeasured(long i) {
        return i >= warmupCount;
    }

    /**
     * Claims the next operation.
     *
     * @return its index, or -1 when the schedule is exhausted, stopped, or past its drain deadline
     */
    public long claim() {
        if (stopped) {
            return -1;
        }
        long i = next.getAndIncrement();
        if (i < warmupCount && System.nanoTime() - measureStartNanos() >= 0) {
            // The warm-up fell behind (a rate above what the machine sustains): what is left of it is
            // dropped, so that the measured part starts on time and the run reports the rate achieved.
            next.accumulateAndGet(warmupCount, Math::max);
            i = next.getAndIncrement();
        }
        if (i >= totalCount) {
            return -1;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            stopped = true;
            return -1;
        }
        return i;
    }

    /** Stops the schedule: every later {@link #claim()} returns -1 (a client failed). */
    public void stop() {
        stopped = true;
    }

    /** @return operations whose intended start has passed but which no client has claimed yet */
    public long backlog(long nowNanos) {
        long due = (long) Math.floor((nowNanos - startNanos) / intervalNanos) + 1;
        due = Math.max(0, Math.min(due, totalCount));
        return Math.max(0, due - Math.min(next.get(), totalCount));
    }

    /**
     * Waits on the calling thread until {@code intendedNanos}: parks while more than about 150 us are
     * left (a park oversleeps by tens of us), then spins. Returns at once when the time has passed.
     */
    public static void awaitStart(long intendedNanos) {
        while (true) {
            long left = intendedNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (left > 150_000) {
                LockSupport.parkNanos(left - 100_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
