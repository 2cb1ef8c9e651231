package org.irpemu.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.irpemu.bench.BenchException;
import org.irpemu.bench.BenchOptions;
import org.irpemu.bench.BenchResult;
import org.irpemu.bench.Durations;
import org.irpemu.bench.HgrmFiles;
import org.irpemu.bench.JsonReport;
import org.irpemu.bench.LoadGenerator;
import org.irpemu.bench.PercentilePlot;
import org.irpemu.bench.TextReport;
import org.irpemu.bench.WaitStrategies;
import org.irpemu.bench.Workload;
import org.irpemu.io.DispatcherWaitStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code irpemu bench}: an open-loop load generator that measures oplock break latency through the whole
 * emulated stack. Exit status 0 after a run, 1 when the run failed (a request completed with an
 * unexpected status or hung), 2 for bad input (one line on stderr).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-loop load generator. Starts the operations of a workload at a fixed rate and"
                + " measures each from its intended start on the schedule, so that a stall is charged to every"
                + " operation it delays (no coordinated omission). Prints throughput and the latency percentiles"
                + " (p50, p90, p99, p99.9, p99.99, max) of the break notification (until the holder's oplock"
                + " request completes), the round trip (until the request that caused the break completes) and"
                + " the whole operation, beside the bare LMAX Disruptor ping-pong measured in the same run"
                + " (before the load).",
            "Progress goes to stderr once a second. Exit status: 0 done, 1 the run failed, 2 bad input.", ""},
        footer = {"", "Workloads (each client repeats one cycle on a file of its own):",
            "  antivirus  " + Workload.Help.ANTIVIRUS_WRAPPED,
            "  explorer   " + Workload.Help.EXPLORER_WRAPPED,
            "  conflict   " + Workload.Help.CONFLICT_WRAPPED,
            "  readers    " + Workload.Help.READERS_WRAPPED,
            "", "Example:", "  irpemu bench --workload readers --duration 10s --hgrm out --svg plot.svg"})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--workload", paramLabel = "NAME", defaultValue = "conflict",
            completionCandidates = Workload.Names.class,
            description = "one of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); see below")
    String workload;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_RATE,
            description = "operations started per second, all clients together (default: ${DEFAULT-VALUE})")
    long rate;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "5s",
            description = "measured time, e.g. 500ms, 5s, 1m (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "1s",
            description = "time the same schedule runs unrecorded first (default: ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "1",
            description = "caller threads, each with its own file (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--dispatchers", paramLabel = "N", defaultValue = "1",
            description = "dispatcher threads, 1 to 64; the clients' files spread over them (default: ${DEFAULT-VALUE})")
    int dispatchers;

    @Option(names = "--wait-strategy", paramLabel = "NAME", defaultValue = "yielding",
            description = "how idle dispatchers wait: " + WaitStrategies.NAMES + " (default: ${DEFAULT-VALUE});"
                    + " busy-spin is lowest-latency only with a free core per dispatcher and per client")
    String waitStrategy;

    @Option(names = "--filters", paramLabel = "N", defaultValue = "0",
            description = "PassThrough minifilters stacked on the volume, 0 to 100 (default: ${DEFAULT-VALUE})")
    int filters;

    @Option(names = "--readers", paramLabel = "N", defaultValue = "8",
            description = "oplock holders per client of the readers workload (default: ${DEFAULT-VALUE})")
    int readers;

    @Option(names = "--hgrm", paramLabel = "DIR",
            description = "also write each histogram as DIR/WORKLOAD-NAME.hgrm (HdrHistogram percentile"
                    + " distribution, values in microseconds)")
    Path hgrm;

    @Option(names = "--svg", paramLabel = "FILE", description = "also draw the latency-by-percentile plot as an SVG file")
    Path svg;

    @Option(names = "--json", description = "print one JSON object (latencies in ns) instead of the text report")
    boolean json;

    @Option(names = "--quiet", description = "no progress lines on stderr")
    boolean quiet;

    @Override
    public Integer call() {
        BenchOptions options = new BenchOptions();
        Workload w = Workload.find(workload);
        if (w == null) {
            return bad("unknown workload '" + workload + "': use one of " + Workload.names());
        }
        DispatcherWaitStrategy strategy = WaitStrategies.parse(waitStrategy);
        if (strategy == null) {
            return bad("unknown wait strategy '" + waitStrategy + "': use one of " + WaitStrategies.NAMES);
        }
        try {
            options.durationNanos(Durations.parseNanos(duration));
            options.warmupNanos(Durations.parseNanos(warmup));
        } catch (IllegalArgumentException e) {
            return bad(e.getMessage());
        }
        options.workload(w).rate(rate).clients(clients).dispatchers(dispatchers).waitStrategy(strategy)
                .filters(filters).readers(readers);
        String problem = options.validate();
        if (problem != null) {
            return bad(problem);
        }
        // Output places are checked before the run, not after minutes of measuring.
        if (hgrm != null) {
            try {
                Files.createDirectories(hgrm);
            } catch (IOException e) {
                return bad("--hgrm " + hgrm + ": cannot create the directory");
            }
        }
        if (svg != null && (Files.isDirectory(svg) || (svg.toAbsolutePath().getParent() != null
                && !Files.isDirectory(svg.toAbsolutePath().getParent())))) {
            return bad("--svg " + svg + ": not a file in an existing directory");
        }

        BenchResult result;
        try {
            result = LoadGenerator.run(options, quiet ? null : System.err);
        } catch (BenchException e) {
            System.err.println("irpemu bench: " + e.getMessage());
            return 1;
        }
        try {
            if (hgrm != null) {
                HgrmFiles.write(result, hgrm);
            }
            if (svg != null) {
                Files.writeString(svg, PercentilePlot.render(result), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            System.err.println("irpemu bench: cannot write " + e.getMessage());
            return 1;
        }
        if (json) {
            System.out.println(JsonReport.toJson(result));
        } else {
            TextReport.print(result, System.out);
        }
        System.out.flush();
        return 0;
    }

    private static int bad(String message) {
        System.err.println("irpemu bench: " + message);
        return 2;
    }
}
