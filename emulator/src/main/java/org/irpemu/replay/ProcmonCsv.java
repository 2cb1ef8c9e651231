package org.irpemu.replay;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a Process Monitor CSV export ("all columns" or any subset, in any order: columns are found by
 * header name). UTF-8 with or without a byte-order mark, CRLF or LF line ends, quoted fields (parsed by
 * Apache Commons CSV). Rows with the wrong number of fields are malformed: they are counted and skipped.
 */
public final class ProcmonCsv {
    /** Columns without which a file is not a Process Monitor export the replay can use. */
    static final String[] REQUIRED = {"Process Name", "PID", "Operation", "Path", "Result", "Detail"};

    /** The rows of a file and the malformed ones. */
    public record Contents(List<ProcmonRow> rows, List<Long> malformedRows, boolean hasCompletionTime) {
    }

    private ProcmonCsv() {
    }

    /** Drops a leading U+FEFF, which would otherwise hide the quotes of the first header name. */
    private static Reader withoutByteOrderMark(Reader reader) throws IOException {
        java.io.PushbackReader in = new java.io.PushbackReader(reader, 1);
        int first = in.read();
        if (first != -1 && first != 0xFEFF) {
            in.unread(first);
        }
        return in;
    }

    /**
     * @throws ProcmonFormatException when the header lacks a required column or the text cannot be parsed
     */
    public static Contents read(Reader reader) throws ProcmonFormatException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                .setAllowMissingColumnNames(true).setIgnoreEmptyLines(true).get();
        List<ProcmonRow> rows = new ArrayList<>();
        List<Long> malformed = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(withoutByteOrderMark(reader), format)) {
            Map<String, Integer> header = parser.getHeaderMap();
            if (header == null || header.isEmpty()) {
                throw new ProcmonFormatException("no header line");
            }
            for (String column : REQUIRED) {
                if (!header.containsKey(column)) {
                    throw new ProcmonFormatException("not a Process Monitor CSV export: no \"" + column + "\" column");
                }
            }
            int columns = header.size();
            int process = header.get("Process Name");
            int pid = header.get("PID");
            int operation = header.get("Operation");
            int path = header.get("Path");
            int result = header.get("Result");
            int detail = header.get("Detail");
            Integer time = header.get("Time of Day");
            Integer completion = header.get("Completion Time");
            long number = 0;
            for (CSVRecord r : parser) {
                number++;
                if (r.size() != columns) {
                    malformed.add(number);
                    continue;
                }
                rows.add(new ProcmonRow(number, time == null ? "" : r.get(time), r.get(process), r.get(pid),
                        r.get(operation), r.get(path), r.get(result), r.get(detail),
                        completion == null ? "" : r.get(completion)));
            }
            return new Contents(rows, malformed, completion != null);
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new ProcmonFormatException("cannot parse as CSV: " + e.getMessage(), e);
        }
    }
}
