package org.irpemu.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Writes a run's histograms as HdrHistogram percentile-distribution files ({@code .hgrm}, the format of
 * {@link Histogram#outputPercentileDistribution}, readable by HdrHistogram's plotter), values in
 * microseconds: {@code WORKLOAD-breakNotify.hgrm}, {@code -roundTrip}, {@code -operation},
 * {@code -baseline}.
 */
public final class HgrmFiles {
    /** Histograms hold ns; the files show us. */
    public static final double NANOS_PER_OUTPUT_UNIT = 1000.0;

    private HgrmFiles() {
    }

    /**
     * @param dir an existing directory
     * @return the files written
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(BenchResult r, Path dir) throws IOException {
        String w = r.options().workload().cliName();
        List<Path> files = new ArrayList<>();
        files.add(write(dir.resolve(w + "-breakNotify.hgrm"), r.breakNotify()));
        files.add(write(dir.resolve(w + "-roundTrip.hgrm"), r.roundTrip()));
        files.add(write(dir.resolve(w + "-operation.hgrm"), r.operation()));
        files.add(write(dir.resolve(w + "-baseline.hgrm"), r.baseline()));
        return files;
    }

    private static Path write(Path file, Histogram h) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             PrintStream ps = new PrintStream(os, false, StandardCharsets.UTF_8)) {
            h.outputPercentileDistribution(ps, NANOS_PER_OUTPUT_UNIT);
            ps.flush();
            if (ps.checkError()) {
                throw new IOException("cannot write " + file);
            }
        }
        return file;
    }
}
