package org.irpemu.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import org.HdrHistogram.Histogram;

/**
 * The report of a run as one JSON object. Fields: {@code workload}, {@code rate} (ops/s),
 * {@code durationNs}, {@code warmupNs}, {@code clients}, {@code dispatchers}, {@code waitStrategy},
 * {@code filters}, {@code readers} (readers workload only), {@code scheduled}, {@code operations},
 * {@code missed}, {@code lateStarts}, {@code maxStartLagNs}, {@code elapsedNs}, {@code throughput}
 * (completed ops/s), {@code irpsAllocated} (see {@link BenchResult#irpsAllocated()}); {@code cpu}
 * {@code {wallNs, processNs, processCores, processPerOperationNs, dispatchersNs, dispatcherCores,
 * dispatchersPerOperationNs}} (CPU time over the measured part, see {@link CpuUse}; -1 where the JVM does
 * not report it); the latency objects {@code breakNotify}, {@code roundTrip},
 * {@code operation} and {@code baseline}, each {@code {count, mean, p50, p90, p99, p999, p9999, max}}
 * in ns ({@code baseline} also has {@code what} and {@code durationNs}); and
 * {@code roundTripP50OverBaselineP50}.
 */
public final class JsonReport {
    private JsonReport() {
    }

    /** @return the report as one JSON object on one line, without a line end */
    public static String toJson(BenchResult r) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            BenchOptions o = r.options();
            g.writeStartObject();
            g.writeStringField("workload", o.workload().cliName());
            g.writeNumberField("rate", o.rate());
            g.writeNumberField("durationNs", o.durationNanos());
            g.writeNumberField("warmupNs", o.warmupNanos());
            g.writeNumberField("clients", o.clients());
            g.writeNumberField("dispatchers", o.dispatchers());
            g.writeStringField("waitStrategy", WaitStrategies.name(o.waitStrategy()));
            g.writeNumberField("filters", o.filters());
            if (o.workload() == Workload.READERS) {
                g.writeNumberField("readers", o.readers());
            }
            g.writeNumberField("scheduled", r.scheduled());
            g.writeNumberField("operations", r.operations());
            g.writeNumberField("missed", r.missed());
            g.writeNumberField("lateStarts", r.lateStarts());
            g.writeNumberField("maxStartLagNs", r.maxStartLagNanos());
            g.writeNumberField("elapsedNs", r.elapsedNanos());
            g.writeNumberField("throughput", Math.round(r.throughput() * 10) / 10.0);
            g.writeNumberField("irpsAllocated", r.irpsAllocated());
            CpuUse cpu = r.cpu();
            g.writeObjectFieldStart("cpu");
            g.writeNumberField("wallNs", cpu.wallNanos());
            g.writeNumberField("processNs", cpu.processNanos());
            g.writeNumberField("processCores", Math.round(cpu.processCores() * 100) / 100.0);
            g.writeNumberField("processPerOperationNs", cpu.processNanosPerOperation());
            g.writeNumberField("dispatchersNs", cpu.dispatcherNanos());
            g.writeNumberField("dispatcherCores", Math.round(cpu.dispatcherCores() * 100) / 100.0);
            g.writeNumberField("dispatchersPerOperationNs", cpu.dispatcherNanosPerOperation());
            g.writeEndObject();
            latency(g, "breakNotify", r.breakNotify());
            latency(g, "roundTrip", r.roundTrip());
            latency(g, "operation", r.operation());
            g.writeObjectFieldStart("baseline");
            g.writeStringField("what", "bare LMAX Disruptor ping-pong (two hops), closed loop, same run");
            g.writeNumberField("durationNs", o.baselineNanos());
            percentiles(g, r.baseline());
            g.writeEndObject();
            g.writeNumberField("roundTripP50OverBaselineP50",
                    Math.round(TextReport.ratio(r.roundTrip(), r.baseline()) * 100) / 100.0);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void latency(JsonGenerator g, String name, Histogram h) throws IOException {
        g.writeObjectFieldStart(name);
        percentiles(g, h);
        g.writeEndObject();
    }

    private static void percentiles(JsonGenerator g, Histogram h) throws IOException {
        g.writeNumberField("count", h.getTotalCount());
        g.writeNumberField("mean", h.getTotalCount() == 0 ? 0 : Math.round(h.getMean()));
        long[] v = Percentiles.of(h);
        for (int i = 0; i < v.length; i++) {
            g.writeNumberField(Percentiles.NAMES[i], v[i]);
        }
    }
}
