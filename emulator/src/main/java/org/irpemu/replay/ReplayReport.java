package org.irpemu.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a replay: per operation, rows replayed ("modelled") and rows whose emulated status
 * equals the recorded Result ("matched"); every mismatch; rows skipped as not modelled, by operation;
 * malformed rows. Printed as text or as one JSON object.
 */
public final class ReplayReport {
    /** A row whose emulated status differs from the recorded one. */
    public record Mismatch(long row, String operation, String path, String recorded, String emulated) {
    }

    /** Counts of one operation. */
    public static final class Counts {
        private int modelled;
        private int matched;

        public int modelled() {
            return modelled;
        }

        public int matched() {
            return matched;
        }
    }

    private final String file;
    private final String oplockLevel;
    int rows;
    int directories;
    int files;
    int inferredHandles;
    private final Map<String, Counts> byOperation = new TreeMap<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final Counts oplockRequests = new Counts();
    private final List<Mismatch> mismatches = new ArrayList<>();
    private final List<Long> malformed = new ArrayList<>();
    private final List<String> malformedReasons = new ArrayList<>();

    ReplayReport(String file, String oplockLevel) {
        this.file = file;
        this.oplockLevel = oplockLevel;
    }

    void skip(String reason) {
        skipped.merge(reason, 1, Integer::sum);
    }

    void malformed(long row, String reason) {
        malformed.add(row);
        malformedReasons.add("row " + row + ": " + reason);
    }

    void result(ProcmonRow row, String emulated, boolean oplockRequest) {
        Counts c = byOperation.computeIfAbsent(row.operation(), k -> new Counts());
        c.modelled++;
        boolean match = emulated.equals(row.result());
        if (match) {
            c.matched++;
        } else {
            mismatches.add(new Mismatch(row.row(), row.operation(), row.path(), row.result(), emulated));
        }
        if (oplockRequest) {
            oplockRequests.modelled++;
            if (match) {
                oplockRequests.matched++;
            }
        }
    }

    /** @return data rows read (malformed ones included) */
    public int rows() {
        return rows;
    }

    /** @return rows replayed through the emulator */
    public int modelled() {
        return byOperation.values().stream().mapToInt(Counts::modelled).sum();
    }

    /** @return replayed rows whose emulated status equals the recorded Result */
    public int matched() {
        return byOperation.values().stream().mapToInt(Counts::matched).sum();
    }

    /** @return rows not replayed because the emulator does not model them */
    public int skipped() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** @return per operation name, modelled and matched */
    public Map<String, Counts> byOperation() {
        return byOperation;
    }

    /** @return FSCTL_REQUEST_OPLOCK / FSCTL_REQUEST_FILTER_OPLOCK / legacy oplock requests: modelled and matched */
    public Counts oplockRequests() {
        return oplockRequests;
    }

    /** @return per reason ({@code CreateFileMapping}, {@code ReadFile (paging I/O)}, ...), rows skipped */
    public Map<String, Integer> skippedByOperation() {
        return skipped;
    }

    public List<Mismatch> mismatches() {
        return mismatches;
    }

    /** @return the row numbers of malformed rows */
    public List<Long> malformed() {
        return malformed;
    }

    /** @return matched / modelled, 0 when nothing was modelled */
    public double matchRatio() {
        int m = modelled();
        return m == 0 ? 0 : (double) matched() / m;
    }

    /** Prints the human-readable summary. */
    public void print(PrintStream out, int maxMismatches) {
        out.printf(Locale.ROOT, "irpemu replay %s (oplock level %s)%n", file, oplockLevel);
        out.printf(Locale.ROOT, "  %,d rows; volume inferred from the capture: %,d directories, %,d files;"
                + " %,d handles open before the capture started%n", rows, directories, files, inferredHandles);
        out.println();
        out.printf(Locale.ROOT, "  %-40s %9s %9s %8s%n", "Operation", "replayed", "matched", "");
        for (Map.Entry<String, Counts> e : byOperation.entrySet()) {
            Counts c = e.getValue();
            out.printf(Locale.ROOT, "  %-40s %,9d %,9d %7.1f%%%n", e.getKey(), c.modelled, c.matched,
                    100.0 * c.matched / c.modelled);
        }
        out.printf(Locale.ROOT, "  %-40s %,9d %,9d %7.1f%%%n", "Total", modelled(), matched(), 100.0 * matchRatio());
        if (oplockRequests.modelled > 0) {
            out.printf(Locale.ROOT, "  %-40s %,9d %,9d %7.1f%%%n", "  of which oplock requests", oplockRequests.modelled,
                    oplockRequests.matched, 100.0 * oplockRequests.matched / oplockRequests.modelled);
        }
        out.println();
        out.printf(Locale.ROOT, "  Skipped, not modelled: %,d rows%n", skipped());
        for (Map.Entry<String, Integer> e : skipped.entrySet()) {
            out.printf(Locale.ROOT, "    %-52s %,7d%n", e.getKey(), e.getValue());
        }
        out.printf(Locale.ROOT, "  Malformed rows: %,d%n", malformed.size());
        for (int i = 0; i < Math.min(10, malformedReasons.size()); i++) {
            out.println("    " + malformedReasons.get(i));
        }
        out.println();
        out.printf(Locale.ROOT, "  Mismatches: %,d%n", mismatches.size());
        int shown = 0;
        for (Mismatch m : mismatches) {
            if (shown++ == maxMismatches) {
                out.printf(Locale.ROOT, "    ... %,d more (--json lists them all)%n", mismatches.size() - maxMismatches);
                break;
            }
            out.printf(Locale.ROOT, "    row %6d  %-32s recorded %-24s emulated %-24s %s%n", m.row(), m.operation(),
                    m.recorded().isEmpty() ? "(none)" : m.recorded(), m.emulated(), m.path());
        }
    }

    /** @return the report as one JSON object */
    public String toJson() {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("file", file);
            g.writeStringField("oplockLevel", oplockLevel);
            g.writeNumberField("rows", rows);
            g.writeNumberField("modelled", modelled());
            g.writeNumberField("matched", matched());
            g.writeNumberField("skipped", skipped());
            g.writeNumberField("malformed", malformed.size());
            g.writeObjectFieldStart("volume");
            g.writeNumberField("directories", directories);
            g.writeNumberField("files", files);
            g.writeNumberField("inferredHandles", inferredHandles);
            g.writeEndObject();
            g.writeObjectFieldStart("byOperation");
            for (Map.Entry<String, Counts> e : byOperation.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("modelled", e.getValue().modelled);
                g.writeNumberField("matched", e.getValue().matched);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("oplockRequests");
            g.writeNumberField("modelled", oplockRequests.modelled);
            g.writeNumberField("matched", oplockRequests.matched);
            g.writeEndObject();
            g.writeObjectFieldStart("skippedByOperation");
            for (Map.Entry<String, Integer> e : skipped.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("malformedRows");
            for (Long row : malformed) {
                g.writeNumber(row);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("mismatches");
            for (Mismatch m : mismatches) {
                g.writeStartObject();
                g.writeNumberField("row", m.row());
                g.writeStringField("operation", m.operation());
                g.writeStringField("path", m.path());
                g.writeStringField("recorded", m.recorded());
                g.writeStringField("emulated", m.emulated());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
