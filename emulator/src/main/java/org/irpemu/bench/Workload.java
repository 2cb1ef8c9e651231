package org.irpemu.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;

/**
 * The request mixes of {@code irpemu bench}. Each client thread repeats one cycle of its workload on a
 * file of its own; every cycle breaks an oplock, so that every workload reports break notification and
 * round-trip latencies.
 */
public enum Workload {
    /** See {@link AntivirusCycle}. */
    ANTIVIRUS(Help.ANTIVIRUS, "antivirus", ".exe", 64 * 1024) {
        @Override
        BreakCycle newCycle(NtApi nt, String path, BenchOptions options) {
            return new AntivirusCycle(nt, path);
        }
    },
    /** See {@link ExplorerCycle}. */
    EXPLORER(Help.EXPLORER, "explorer", ".lnk", 4096) {
        @Override
        BreakCycle newCycle(NtApi nt, String path, BenchOptions options) {
            return new ExplorerCycle(nt, path);
        }
    },
    /** See {@link ConflictCycle}. */
    CONFLICT(Help.CONFLICT, "conflict", ".docx", 4096) {
        @Override
        BreakCycle newCycle(NtApi nt, String path, BenchOptions options) {
            return new ConflictCycle(nt, path);
        }
    },
    /** See {@link ReadersCycle}. */
    READERS(Help.READERS, "readers", ".dat", 4096) {
        @Override
        BreakCycle newCycle(NtApi nt, String path, BenchOptions options) {
            return new ReadersCycle(nt, path, options.readers());
        }
    };

    /** Descriptions, as compile-time constants for the command's help (also wrapped for it). */
    public static final class Help {
        private static final String NL = "%n             ";
        public static final String ANTIVIRUS = "a scanner opens with FILE_OPEN_REQUIRING_OPLOCK, takes RH, reads;"
                + " an application's unshared open breaks RH to R, the scanner closes, the open completes";
        public static final String ANTIVIRUS_WRAPPED = "a scanner opens with FILE_OPEN_REQUIRING_OPLOCK, takes RH,"
                + NL + "reads; an application's unshared open breaks RH to R, the scanner" + NL
                + "closes its handle, the application's open completes";
        public static final String EXPLORER = "attribute-only open + FSCTL_REQUEST_FILTER_OPLOCK, a second handle"
                + " reads; a writer's open breaks the Filter oplock, the holder closes both, the open completes";
        public static final String EXPLORER_WRAPPED = "attribute-only open + FSCTL_REQUEST_FILTER_OPLOCK, a second"
                + NL + "handle reads; a writer's open breaks the Filter oplock, the holder" + NL
                + "closes both handles, the writer's open completes";
        public static final String CONFLICT = "A holds RWH; B's open for reading breaks it to RH and waits; A"
                + " acknowledges at RH; B's open completes (the break round trip)";
        public static final String CONFLICT_WRAPPED = "A holds RWH; B's open for reading breaks it to RH and waits;"
                + NL + "A acknowledges at RH; B's open completes (the break round trip)";
        public static final String READERS = "--readers handles hold Level 2 and R oplocks; a write through"
                + " another handle breaks them all to none without waiting";
        public static final String READERS_WRAPPED = "--readers handles hold Level 2 and R oplocks; a write" + NL
                + "through another handle breaks them all to none without waiting";

        private Help() {
        }
    }

    /** The workload names, for picocli's completion candidates and help. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            for (Workload w : values()) {
                names.add(w.cliName());
            }
            return names.iterator();
        }
    }

    private final String description;
    private final String directory;
    private final String extension;
    private final long fileSize;

    Workload(String description, String directory, String extension, long fileSize) {
        this.description = description;
        this.directory = directory;
        this.extension = extension;
        this.fileSize = fileSize;
    }

    /** @return the name on the command line and in reports ({@code conflict}) */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return a one-line description */
    public String description() {
        return description;
    }

    /** @return the workload of a command-line name (case-insensitive), or {@code null} */
    public static Workload find(String name) {
        for (Workload w : values()) {
            if (w.cliName().equalsIgnoreCase(name)) {
                return w;
            }
        }
        return null;
    }

    /** @return every name, comma-separated, for messages */
    public static String names() {
        return String.join(", ", new Names());
    }

    /**
     * Creates client {@code client}'s file and returns its path. With several dispatchers the name is
     * chosen so that client {@code c} lands on dispatcher {@code c mod dispatchers} (streams belong to
     * dispatchers by a hash of the name): the clients spread evenly over the dispatchers.
     */
    String createFile(ReferenceFileSystem fs, IoManager io, int client) {
        String base = "\\bench\\" + directory + "\\client" + client;
        String path = base + extension;
        int want = client % io.dispatcherCount();
        for (int k = 0; io.dispatcherForName(path) != want; k++) {
            path = base + "-" + k + extension;
        }
        fs.createFile(path, fileSize, 0);
        return path;
    }

    /** @return a new cycle for one client on {@code path} */
    abstract BreakCycle newCycle(NtApi nt, String path, BenchOptions options);
}
