package org.irpemu.bench;

/**
 * The latencies one run records, all in ns and all measured from an operation's <em>intended</em> start
 * on the open-loop schedule (coordinated-omission correction: a late start counts against latency):
 * <ul>
 * <li>{@link #breakNotify}: until the holder's oplock request completes (the break reaches the holder);
 *     one value per broken holder;
 * <li>{@link #roundTrip}: until the operation that caused the break completes;
 * <li>{@link #operation}: until the whole cycle is done (including the handles' closes).
 * </ul>
 */
public final class Metrics {
    /** Trigger intended start to the holder's oplock IRP completion, ns. */
    public final LatencyRecorder breakNotify = new LatencyRecorder("breakNotify");
    /** Trigger intended start to the trigger's completion, ns. */
    public final LatencyRecorder roundTrip = new LatencyRecorder("roundTrip");
    /** Intended start to the end of the cycle, ns. */
    public final LatencyRecorder operation = new LatencyRecorder("operation");
}
