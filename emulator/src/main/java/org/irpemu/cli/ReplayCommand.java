package org.irpemu.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.irpemu.irp.OplockLevel;
import org.irpemu.replay.ProcmonCsv;
import org.irpemu.replay.ProcmonFormatException;
import org.irpemu.replay.ReplayEngine;
import org.irpemu.replay.ReplayReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code irpemu replay FILE.csv [--json] [--oplock-level R|RH|RW|RWH]}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replays a Process Monitor CSV export through the emulated I/O path and reports, per",
            "operation, the rows replayed and the rows whose emulated status equals the recorded Result,",
            "every mismatch, and the rows skipped as not modelled. Without FILE: the capture shipped with",
            "irpemu. Exit status 0 when the file was replayed, 2 when it cannot be read as a Process",
            "Monitor CSV."})
public final class ReplayCommand implements Callable<Integer> {
    /** The capture shipped with irpemu: an excerpt of procmon_win10-1709_filesystem-only.csv. */
    static final String BUILT_IN = "captures/procmon_win10-1709_oplock-sequences.csv";

    @Parameters(arity = "0..1", paramLabel = "FILE.csv", description = "a Process Monitor CSV export")
    Path file;

    @Option(names = "--json", description = "print one JSON object instead of the text report")
    boolean json;

    @Option(names = "--oplock-level", paramLabel = "R|RH|RW|RWH", defaultValue = "RH",
            description = "the level FSCTL_REQUEST_OPLOCK rows request (not recorded by Process Monitor);"
                    + " default ${DEFAULT-VALUE}")
    String oplockLevel;

    @Option(names = "--trace", description = "print the emulator's trace of every replayed row first"
            + " (IRPs as they enter and complete, oplock decisions), tagged with the row number")
    boolean trace;

    @Option(names = "--mismatches", paramLabel = "N", defaultValue = "25",
            description = "mismatches listed in the text report (default ${DEFAULT-VALUE}; --json lists all)")
    int maxMismatches;

    @Override
    public Integer call() {
        int level = OplockLevel.parse(oplockLevel);
        if (!OplockLevel.isGrantable(level)) {
            System.err.println("irpemu replay: --oplock-level must be R, RH, RW or RWH, not " + oplockLevel);
            return 2;
        }
        if (file == null) {
            return replayBuiltIn(level);
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return replay(reader, file.toString(), level);
        } catch (NoSuchFileException e) {
            System.err.println("irpemu replay: " + file + ": no such file");
            return 2;
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("irpemu replay: " + file + ": cannot read: " + e.getMessage());
            return 2;
        }
    }

    /** Replays the shipped capture with the default level and prints the text report. */
    int replayBuiltIn() {
        return replayBuiltIn(OplockLevel.RH);
    }

    private int replayBuiltIn(int level) {
        InputStream in = ReplayCommand.class.getClassLoader().getResourceAsStream(BUILT_IN);
        if (in == null) {
            System.err.println("irpemu replay: the built-in capture " + BUILT_IN + " is missing from the build");
            return 2;
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return replay(reader, "built-in " + BUILT_IN.substring(BUILT_IN.indexOf('/') + 1), level);
        } catch (IOException e) {
            System.err.println("irpemu replay: cannot read the built-in capture: " + e.getMessage());
            return 2;
        }
    }

    private int replay(Reader reader, String name, int level) {
        ProcmonCsv.Contents contents;
        try {
            contents = ProcmonCsv.read(reader);
        } catch (ProcmonFormatException e) {
            System.err.println("irpemu replay: " + name + ": " + e.getMessage());
            return 2;
        }
        ReplayReport report = ReplayEngine.replay(contents, name, level, trace ? System.out : null);
        if (json) {
            System.out.println(report.toJson());
        } else {
            report.print(System.out, maxMismatches);
        }
        return 0;
    }
}
