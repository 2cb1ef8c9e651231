package org.irpemu.replay;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.irp.FileAttributes;

/**
 * Infers what the volume held when a capture started, from the first thing the capture shows about
 * each path: a path a row shows as existing (opened, queried, read, a name collision) existed
 * beforehand; one it shows as missing (NAME NOT FOUND, created) did not. Ancestors of existing paths
 * are directories; so is a path opened as a directory or reported as one. File sizes and attributes
 * come from the first query that reports them before the capture changed the file, else from the
 * reads it served.
 */
final class VolumeInference {
    /** What was found. */
    record Result(int directories, int files) {
    }

    private static final class PathState {
        final String path;
        Boolean existed;
        Boolean directory;
        boolean modified;
        long size = -1;
        long readEnd = -1;
        long endOfFileAt = Long.MAX_VALUE;
        int attributes = -1;

        PathState(String path) {
            this.path = path;
        }
    }

    private final Map<String, PathState> paths = new HashMap<>();

    private VolumeInference() {
    }

    /** Infers the initial volume from the rows and creates it in {@code fs} (before mounting). */
    static Result populate(List<ProcmonRow> rows, ReferenceFileSystem fs) {
        VolumeInference v = new VolumeInference();
        for (ProcmonRow r : rows) {
            String path = ReplayPaths.volumePath(r.path());
            if (path != null) {
                try {
                    v.observe(r, path);
                } catch (IllegalArgumentException e) {
                    // A malformed detail: the replay reports the row; nothing to learn from it here.
                }
            }
        }
        return v.apply(fs);
    }

    private PathState state(String path) {
        return paths.computeIfAbsent(path.toUpperCase(Locale.ROOT), k -> new PathState(path));
    }

    private void observe(ProcmonRow r, String path) {
        if (path.equals("\\") || path.isEmpty()) {
            return;
        }
        if (r.operation().equals("QueryDirectory") && r.detail().contains("Filter: ")) {
            // The path is the directory followed by the search pattern, which names no file.
            int cut = path.lastIndexOf('\\');
            if (cut <= 0) {
                return;
            }
            path = path.substring(0, cut);
        }
        PathState s = state(path);
        String op = r.operation();
        String result = r.result();
        Map<String, String> f = ProcmonDetail.fields(r.detail());
        if (op.equals("CreateFile")) {
            observeCreate(s, result, f);
            return;
        }
        if (s.existed == null && !result.equals("NAME NOT FOUND") && !result.equals("PATH NOT FOUND")
                && !result.equals("NAME INVALID")) {
            s.existed = Boolean.TRUE;
        }
        if (op.contains("Directory")) {
            s.directory = s.directory == null ? Boolean.TRUE : s.directory;
        }
        switch (op) {
            case "ReadFile":
                s.directory = Boolean.FALSE;
                if (!s.modified && !r.detail().contains("Paging I/O")) {
                    long offset = ProcmonDetail.number(f.getOrDefault("Offset", "0"));
                    long length = ProcmonDetail.number(f.getOrDefault("Length", "0"));
                    if (result.equals("SUCCESS")) {
                        s.readEnd = Math.max(s.readEnd, offset + length);
                    } else if (result.equals("END OF FILE")) {
                        s.endOfFileAt = Math.min(s.endOfFileAt, offset);
                    }
                }
                break;
            case "WriteFile":
            case "SetEndOfFileInformationFile":
            case "SetAllocationInformationFile":
            case "SetValidDataLengthInformationFile":
            case "LockFile":
                s.directory = Boolean.FALSE;
                s.modified |= !op.equals("LockFile");
                break;
            case "QueryStandardInformationFile":
            case "QueryAllInformationFile":
            case "QueryNetworkOpenInformationFile":
                if (f.containsKey("Directory")) {
                    s.directory = f.get("Directory").trim().equals("True");
                }
                if (!s.modified && s.size < 0 && f.containsKey("EndOfFile")) {
                    s.size = ProcmonDetail.number(f.get("EndOfFile"));
                }
                noteAttributes(s, f);
                break;
            case "QueryBasicInformationFile":
                noteAttributes(s, f);
                break;
            default:
                break;
        }
    }

    private static void noteAttributes(PathState s, Map<String, String> f) {
        String a = f.get("FileAttributes");
        if (a != null && s.attributes < 0 && !s.modified) {
            s.attributes = ProcmonDetail.attributes(a);
            if ((s.attributes & FileAttributes.FILE_ATTRIBUTE_DIRECTORY) != 0) {
                s.directory = Boolean.TRUE;
            }
        }
    }

    private void observeCreate(PathState s, String result, Map<String, String> f) {
        int options = f.containsKey("Options") ? ProcmonDetail.options(f.get("Options")) : 0;
        switch (result) {
            case "SUCCESS":
            case "OPLOCK BREAK IN PROGRESS": {
                String openResult = f.getOrDefault("OpenResult", "").trim();
                if (s.existed == null) {
                    s.existed = !openResult.equals("Created");
                }
                if (openResult.equals("Created") || openResult.equals("Overwritten") || openResult.equals("Superseded")) {
                    s.modified = true;
                }
                if ((options & org.irpemu.irp.CreateOptions.FILE_DIRECTORY_FILE) != 0) {
                    s.directory = Boolean.TRUE;
                } else if ((options & org.irpemu.irp.CreateOptions.FILE_NON_DIRECTORY_FILE) != 0) {
                    s.directory = Boolean.FALSE;
                }
                break;
            }
            case "NAME NOT FOUND":
                if (s.existed == null) {
                    s.existed = Boolean.FALSE;
                }
                // The name was looked up in its directory, so the directory existed.
                int cut = s.path.lastIndexOf('\\');
                if (cut > 0) {
                    PathState parent = state(s.path.substring(0, cut));
                    if (parent.existed == null) {
                        parent.existed = Boolean.TRUE;
                        parent.directory = Boolean.TRUE;
                    }
                }
                break;
            case "IS DIRECTORY":
                s.directory = Boolean.TRUE;
                if (s.existed == null) {
                    s.existed = Boolean.TRUE;
                }
                break;
            case "NOT A DIRECTORY":
                s.directory = Boolean.FALSE;
                if (s.existed == null) {
                    s.existed = Boolean.TRUE;
                }
                break;
            case "PATH NOT FOUND":
            case "NAME INVALID":
                break;
            default:
                // NAME COLLISION, SHARING VIOLATION, ACCESS DENIED, DELETE PENDING...: the file was there.
                if (s.existed == null) {
                    s.existed = Boolean.TRUE;
                }
                if (s.directory == null && (options & org.irpemu.irp.CreateOptions.FILE_DIRECTORY_FILE) != 0) {
                    s.directory = Boolean.TRUE;
                }
                break;
        }
    }

    private Result apply(ReferenceFileSystem fs) {
        // Ancestors of anything that existed existed too, as directories.
        for (PathState s : paths.values().toArray(new PathState[0])) {
            if (Boolean.TRUE.equals(s.existed)) {
                String p = s.path;
                for (int i = p.lastIndexOf('\\'); i > 0; i = p.lastIndexOf('\\', i - 1)) {
                    PathState a = state(p.substring(0, i));
                    a.existed = Boolean.TRUE;
                    a.directory = Boolean.TRUE;
                }
            }
        }
        int dirs = 0;
        int files = 0;
        for (PathState s : paths.values()) {
            if (!Boolean.TRUE.equals(s.existed)) {
                continue;
            }
            try {
                if (Boolean.TRUE.equals(s.directory)) {
                    fs.createDirectories(s.path);
                    dirs++;
                } else {
                    long size = s.size >= 0 ? s.size : Math.max(0, s.readEnd);
                    size = Math.min(size, s.endOfFileAt);
                    int attributes = s.attributes < 0 ? 0 : s.attributes & ~FileAttributes.FILE_ATTRIBUTE_NORMAL;
                    fs.createFile(s.path, size, attributes);
                    files++;
                }
            } catch (IllegalArgumentException e) {
                // A path the capture shows both as a file and as a directory, or an invalid name: leave it out.
            }
        }
        return new Result(dirs, files);
    }
}
