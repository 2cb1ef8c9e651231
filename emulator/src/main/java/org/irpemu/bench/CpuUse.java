package org.irpemu.bench;

/**
 * CPU time used during the measured part of a run, what a wait strategy costs beside its latency: the
 * whole process (clients, dispatchers, JIT compiler and GC) and the dispatcher threads alone (the I/O
 * path plus the idle waiting of the strategy: a busy-spinning dispatcher uses its whole core).
 *
 * @param wallNanos wall-clock time the CPU time was counted over, ns
 * @param processNanos CPU time of the whole process, ns, or -1 when the JVM does not report it
 * @param dispatcherNanos CPU time of the dispatcher threads, ns, or -1 when the JVM does not report it
 * @param operations completed operations the CPU time is shared over
 */
public record CpuUse(long wallNanos, long processNanos, long dispatcherNanos, long operations) {
    /** @return {@link #processNanos()} over {@link #wallNanos()}: cores kept busy on average; -1 when unknown */
    public double processCores() {
        return cores(processNanos);
    }

    /** @return {@link #dispatcherNanos()} over {@link #wallNanos()}; -1 when unknown */
    public double dispatcherCores() {
        return cores(dispatcherNanos);
    }

    /** @return process CPU time per completed operation, ns; -1 when unknown or nothing completed */
    public long processNanosPerOperation() {
        return perOperation(processNanos);
    }

    /** @return dispatcher CPU time per completed operation, ns; -1 when unknown or nothing completed */
    public long dispatcherNanosPerOperation() {
        return perOperation(dispatcherNanos);
    }

    private double cores(long nanos) {
        return nanos < 0 || wallNanos <= 0 ? -1 : (double) nanos / wallNanos;
    }

    private long perOperation(long nanos) {
        return nanos < 0 || operations <= 0 ? -1 : nanos / operations;
    }
}
