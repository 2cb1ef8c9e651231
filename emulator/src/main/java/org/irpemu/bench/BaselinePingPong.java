package org.irpemu.bench;

import org.HdrHistogram.Histogram;
import org.irpemu.io.DispatcherWaitStrategy;

/**
 * The baseline of a run: the bare Disruptor round trip ({@link DisruptorHop#pingPong()}, two hops, the
 * shape of a request and its completion through the I/O manager), measured back to back on the calling
 * thread with a consumer that waits like the dispatchers. It runs before the machine starts, so that on
 * a small machine nothing else spins beside it. A closed loop: there is no schedule to fall behind.
 */
public final class BaselinePingPong {
    /** Round trips run first and thrown away, so that the measured ones run compiled. */
    public static final int WARMUP_ROUND_TRIPS = 20_000;

    private BaselinePingPong() {
    }

    /**
     * @param waitStrategy how the baseline's consumer thread waits (as the dispatchers do)
     * @param durationNanos how long to measure, ns
     * @return one value per round trip, ns
     */
    public static Histogram measure(DispatcherWaitStrategy waitStrategy, long durationNanos) {
        Histogram h = LatencyRecorder.newHistogram();
        try (DisruptorHop hop = new DisruptorHop(WaitStrategies.forBaseline(waitStrategy))) {
            for (int i = 0; i < WARMUP_ROUND_TRIPS; i++) {
                hop.pingPong();
            }
            long end = System.nanoTime() + durationNanos;
            long now = System.nanoTime();
            while (now - end < 0) {
                hop.pingPong();
                long after = System.nanoTime();
                h.recordValue(Math.min(after - now, LatencyRecorder.HIGHEST_TRACKABLE_NANOS));
                now = after;
            }
        }
        return h;
    }
}
