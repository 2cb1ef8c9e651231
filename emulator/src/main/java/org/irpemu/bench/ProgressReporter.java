package org.irpemu.bench;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Prints one line per interval while a run goes on (to stderr: stdout stays for the report), and is
 * the one thread that samples the run's {@link LatencyRecorder}s while it runs:
 * <pre>
 * bench    3.0s conflict   2000 ops/s  roundTrip p50 18.2 us  p99 41.0 us  max 95.1 us  backlog 0
 * </pre>
 * It prints nothing during the warm-up, whose values are thrown away. With no stream it samples silently.
 */
final class ProgressReporter {
    private final PrintStream out;
    private final String workload;
    private final OpenLoopSchedule schedule;
    private final Metrics metrics;
    private long lastNanos;

    ProgressReporter(PrintStream out, String workload, OpenLoopSchedule schedule, Metrics metrics) {
        this.out = out;
        this.workload = workload;
        this.schedule = schedule;
        this.metrics = metrics;
    }

    /** Prints what the run is about to do (once, before the warm-up). */
    void started(long rate, long warmupNanos, long durationNanos) {
        lastNanos = schedule.measureStartNanos();
        if (out != null) {
            out.printf(Locale.ROOT, "bench %s: %,d ops/s, %s of warm-up, then %s measured%n", workload, rate,
                    Durations.format(warmupNanos), Durations.format(durationNanos));
        }
    }

    /** Samples the recorders and prints a line for the interval since the previous tick (or the measurement's start). */
    void tick(long nowNanos) {
        long from = lastNanos;
        lastNanos = nowNanos;
        metrics.breakNotify.sampleInterval();
        Histogram ops = metrics.operation.sampleInterval();
        Histogram rt = metrics.roundTrip.sampleInterval();
        if (out == null) {
            return;
        }
        double secs = Math.max(1e-3, (nowNanos - from) / 1e9);
        out.printf(Locale.ROOT, "bench %7s %-10s %6.0f ops/s  roundTrip p50 %s  p99 %s  max %s  backlog %d%n",
                seconds(nowNanos - schedule.measureStartNanos()), workload, ops.getTotalCount() / secs,
                value(rt, 50), value(rt, 99), rt.getTotalCount() == 0 ? "-" : Durations.format(rt.getMaxValue()),
                schedule.backlog(nowNanos));
    }

    private static String value(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : Durations.format(h.getValueAtPercentile(percentile));
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }
}
