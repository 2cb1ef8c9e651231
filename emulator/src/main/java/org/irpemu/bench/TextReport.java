package org.irpemu.bench;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The human report of a run: what ran, throughput, and one line of percentiles per latency. */
public final class TextReport {
    private TextReport() {
    }

    /** Prints the report of {@code r} to {@code out}. */
    public static void print(BenchResult r, PrintStream out) {
        BenchOptions o = r.options();
        out.printf(Locale.ROOT, "irpemu bench: %s at %,d ops/s for %s after %s of warm-up; %d client%s, %d dispatcher%s"
                + " (%s), %d PassThrough filter%s%s%n",
                o.workload().cliName(), o.rate(), Durations.format(o.durationNanos()), Durations.format(o.warmupNanos()),
                o.clients(), plural(o.clients()), o.dispatchers(), plural(o.dispatchers()),
                WaitStrategies.name(o.waitStrategy()), o.filters(), plural(o.filters()),
                o.workload() == Workload.READERS ? ", " + o.readers() + " readers per client" : "");
        out.printf(Locale.ROOT, "operations:  %,d of %,d scheduled in %s: %,.1f ops/s; %,d missed, %,d started late"
                + " (max start lag %s)%n",
                r.operations(), r.scheduled(), Durations.format(r.elapsedNanos()), r.throughput(), r.missed(),
                r.lateStarts(), Durations.format(r.maxStartLagNanos()));
        CpuUse cpu = r.cpu();
        if (cpu.processNanos() >= 0 && cpu.dispatcherNanos() >= 0) {
            out.printf(Locale.ROOT, "cpu:         process %.2f cores (%s per operation), dispatchers %.2f cores (%s per"
                    + " operation)%n", cpu.processCores(), perOperation(cpu.processNanosPerOperation()),
                    cpu.dispatcherCores(), perOperation(cpu.dispatcherNanosPerOperation()));
        }
        out.println();
        out.printf(Locale.ROOT, "%-32s %11s", "latency (from intended start)", "count");
        for (String label : Percentiles.LABELS) {
            out.printf(Locale.ROOT, " %10s", label);
        }
        out.println();
        row(out, "breakNotify", r.breakNotify());
        row(out, "roundTrip", r.roundTrip());
        row(out, "operation", r.operation());
        row(out, "baseline (Disruptor ping-pong)", r.baseline());
        if (r.baseline().getTotalCount() > 0 && r.roundTrip().getTotalCount() > 0) {
            out.printf(Locale.ROOT, "%nroundTrip p50 is %.1f x the baseline p50 (a bare Disruptor round trip in the"
                    + " same run, closed loop)%n", ratio(r.roundTrip(), r.baseline()));
        }
        if (r.missed() > 0) {
            out.printf(Locale.ROOT, "warning: %,d scheduled operations never ran: the machine did not sustain %,d"
                    + " ops/s, lower --rate%n", r.missed(), o.rate());
        }
    }

    /** @return the roundTrip p50 over the baseline p50 */
    static double ratio(Histogram h, Histogram baseline) {
        return (double) h.getValueAtPercentile(50) / Math.max(1, baseline.getValueAtPercentile(50));
    }

    private static void row(PrintStream out, String name, Histogram h) {
        out.printf(Locale.ROOT, "%-32s %,11d", name, h.getTotalCount());
        for (long v : Percentiles.of(h)) {
            out.printf(Locale.ROOT, " %10s", h.getTotalCount() == 0 ? "-" : Durations.format(v));
        }
        out.println();
    }

    private static String perOperation(long nanos) {
        return nanos < 0 ? "-" : Durations.format(nanos);
    }

    private static String plural(long n) {
        return n == 1 ? "" : "s";
    }
}
