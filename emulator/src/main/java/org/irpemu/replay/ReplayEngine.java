package org.irpemu.replay;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.emulator.Machine;
import org.irpemu.emulator.Trace;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;

/**
 * Replays the rows of a Process Monitor capture through a machine whose volume was inferred from the
 * capture, and compares every replayed row's emulated status with its recorded Result.
 *
 * <p>Rows are tied to handles as Process Monitor's README describes: a row belongs to the most recent
 * open of the same path by the same process that is not yet closed. A row with no such open belongs to a
 * handle opened before the capture started; the replay opens one for it, with the access that the
 * process's rows on that path need and full sharing. Oplock requests are sent at the level given (the
 * capture does not record it); a request recorded as CANCELLED is cancelled at its recorded completion
 * time. Operations the emulator does not model (paging I/O, section creation, fast I/O, directory
 * queries, FSCTLs the file system does not implement, ...) are skipped and counted.
 */
public final class ReplayEngine {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long STEP_TIMEOUT_MS = 10_000;
    private static final Map<String, Integer> QUERY_CLASSES = new HashMap<>();
    private static final Map<String, Integer> SET_CLASSES = new HashMap<>();

    static {
        QUERY_CLASSES.put("QueryBasicInformationFile", FileInformationClass.FileBasicInformation);
        QUERY_CLASSES.put("QueryStandardInformationFile", FileInformationClass.FileStandardInformation);
        QUERY_CLASSES.put("QueryFileInternalInformationFile", FileInformationClass.FileInternalInformation);
        QUERY_CLASSES.put("QueryEaInformationFile", FileInformationClass.FileEaInformation);
        QUERY_CLASSES.put("QueryNameInformationFile", FileInformationClass.FileNameInformation);
        QUERY_CLASSES.put("QueryPositionInformationFile", FileInformationClass.FilePositionInformation);
        QUERY_CLASSES.put("QueryModeInformationFile", FileInformationClass.FileModeInformation);
        QUERY_CLASSES.put("QueryAlignmentInformationFile", FileInformationClass.FileAlignmentInformation);
        QUERY_CLASSES.put("QueryAllInformationFile", FileInformationClass.FileAllInformation);
        QUERY_CLASSES.put("QueryStreamInformationFile", FileInformationClass.FileStreamInformation);
        QUERY_CLASSES.put("QueryCompressionInformationFile", FileInformationClass.FileCompressionInformation);
        QUERY_CLASSES.put("QueryNetworkOpenInformationFile", FileInformationClass.FileNetworkOpenInformation);
        QUERY_CLASSES.put("QueryAttributeTagFile", FileInformationClass.FileAttributeTagInformation);
        QUERY_CLASSES.put("QueryNormalizedNameInformationFile", FileInformationClass.FileNormalizedNameInformation);
        QUERY_CLASSES.put("QueryRemoteProtocolInformation", FileInformationClass.FileRemoteProtocolInformation);
        QUERY_CLASSES.put("QueryIdInformation", FileInformationClass.FileIdInformation);
        SET_CLASSES.put("SetBasicInformationFile", FileInformationClass.FileBasicInformation);
        SET_CLASSES.put("SetRenameInformationFile", FileInformationClass.FileRenameInformation);
        SET_CLASSES.put("SetLinkInformationFile", FileInformationClass.FileLinkInformation);
        SET_CLASSES.put("SetDispositionInformationFile", FileInformationClass.FileDispositionInformation);
        SET_CLASSES.put("SetPositionInformationFile", FileInformationClass.FilePositionInformation);
        SET_CLASSES.put("SetAllocationInformationFile", FileInformationClass.FileAllocationInformation);
        SET_CLASSES.put("SetEndOfFileInformationFile", FileInformationClass.FileEndOfFileInformation);
        SET_CLASSES.put("SetValidDataLengthInformationFile", FileInformationClass.FileValidDataLengthInformation);
    }

    private final ReplayReport report;
    private final Trace trace;
    private final java.io.PrintStream traceOut;
    private final Machine machine;
    private final NtApi nt;
    private final int oplockLevel;
    private final Map<String, Integer> orphanAccess;
    private final java.util.Set<Long> closeInferredAfter;
    private final Map<String, Deque<FileObject>> opened = new HashMap<>();
    private final Map<String, FileObject> inferred = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final List<Pending> cancels = new ArrayList<>();
    private final List<Pending> closes = new ArrayList<>();
    private final java.util.Set<FileObject> oplockHolders = new java.util.HashSet<>();
    private int inferredHandles;

    /** A row whose request had not completed when the emulator became quiescent. */
    private static final class Pending {
        final ProcmonRow row;
        final Overlapped overlapped;
        final FileObject fileObject;
        final boolean oplockRequest;
        final Runnable onDone;
        long cancelAt;

        Pending(ProcmonRow row, Overlapped overlapped, FileObject fileObject, boolean oplockRequest, Runnable onDone) {
            this.row = row;
            this.overlapped = overlapped;
            this.fileObject = fileObject;
            this.oplockRequest = oplockRequest;
            this.onDone = onDone;
        }
    }

    private ReplayEngine(ReplayReport report, Machine machine, int oplockLevel, Orphans orphans, Trace trace,
            java.io.PrintStream traceOut) {
        this.report = report;
        this.trace = trace;
        this.traceOut = traceOut;
        this.machine = machine;
        this.nt = machine.api();
        this.oplockLevel = oplockLevel;
        this.orphanAccess = orphans.access;
        this.closeInferredAfter = orphans.lastUse;
    }

    /**
     * Replays a capture.
     *
     * @param contents the rows read by {@link ProcmonCsv}
     * @param file the capture's name, for the report
     * @param oplockLevel the level FSCTL_REQUEST_OPLOCK rows request: R, RH, RW or RWH
     *     (OPLOCK_LEVEL_CACHE_* bits)
     */
    public static ReplayReport replay(ProcmonCsv.Contents contents, String file, int oplockLevel) {
        return replay(contents, file, oplockLevel, null);
    }

    /**
     * Replays a capture and prints the emulator's trace of every replayed row to {@code traceOut}.
     *
     * @param traceOut where the trace goes, or {@code null} for none
     */
    public static ReplayReport replay(ProcmonCsv.Contents contents, String file, int oplockLevel,
            java.io.PrintStream traceOut) {
        ReplayReport report = new ReplayReport(file, OplockLevel.format(oplockLevel));
        report.rows = contents.rows().size() + contents.malformedRows().size();
        for (Long row : contents.malformedRows()) {
            report.malformed(row, "wrong number of fields");
        }
        ReferenceFileSystem fs = new ReferenceFileSystem();
        VolumeInference.Result volume = VolumeInference.populate(contents.rows(), fs);
        report.directories = volume.directories();
        report.files = volume.files();
        Trace trace = traceOut == null ? null : new Trace(false);
        Machine.Builder builder = Machine.builder().fileSystem(fs);
        if (trace != null) {
            builder.listener(trace);
        }
        try (Machine machine = builder.build()) {
            ReplayEngine engine = new ReplayEngine(report, machine, oplockLevel, orphans(contents.rows()), trace,
                    traceOut);
            for (ProcmonRow row : contents.rows()) {
                engine.cancelUpTo(ProcmonDetail.ticks(row.timeOfDay()));
                engine.execute(row);
            }
            engine.cancelUpTo(Long.MAX_VALUE);
            engine.finish();
            report.inferredHandles = engine.inferredHandles;
        }
        return report;
    }

    private static String handleKey(ProcmonRow row, String path) {
        return row.pid() + '|' + path.toUpperCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------------------------------------
    // Rows
    // ---------------------------------------------------------------------------------------------

    private void execute(ProcmonRow row) {
        String op = row.operation();
        if (row.result().equals("FAST IO DISALLOWED")) {
            // Process Monitor logs refused fast I/O calls under the IRP's name; they are not IRPs.
            report.skip(op + " (fast I/O)");
            return;
        }
        String path = ReplayPaths.volumePath(row.path());
        if (path == null) {
            report.skip(op + " (not on drive C:)");
            return;
        }
        try {
            switch (op) {
                case "CreateFile":
                    create(row, path);
                    return;
                case "CloseFile":
                    close(row, path);
                    return;
                case "FileSystemControl":
                    fsctl(row, path);
                    return;
                case "ReadFile":
                case "WriteFile":
                    readWrite(row, path);
                    return;
                case "LockFile":
                case "UnlockFileSingle":
                    lock(row, path);
                    return;
                case "FlushBuffersFile":
                    withHandle(row, path, fo -> nt.ntFlushBuffersFile(ov(row), fo), false);
                    return;
                default:
                    break;
            }
            Integer query = QUERY_CLASSES.get(op);
            if (query != null) {
                int length = queryLength(query);
                withHandle(row, path, fo -> nt.ntQueryInformationFile(
                        ov(row).outputBuffer(new UnsafeBuffer(new byte[length]), 0), fo, length, query), false);
                return;
            }
            Integer set = SET_CLASSES.get(op);
            if (set != null) {
                setInformation(row, path, set);
                return;
            }
            report.skip(op);
        } catch (IllegalArgumentException e) {
            report.malformed(row.row(), op + ": " + e.getMessage());
        }
    }

    private void create(ProcmonRow row, String path) {
        Map<String, String> f = ProcmonDetail.fields(row.detail());
        if (!f.containsKey("Desired Access") || !f.containsKey("Disposition")) {
            throw new IllegalArgumentException("no Desired Access or Disposition in the detail");
        }
        int access = ProcmonDetail.desiredAccess(f.get("Desired Access"));
        int disposition = ProcmonDetail.disposition(f.get("Disposition"));
        // The volume is opened by name: an open by file ID is replayed as the open of the path it resolved to.
        int options = f.containsKey("Options") ? ProcmonDetail.options(f.get("Options"))
                & ~CreateOptions.FILE_OPEN_BY_FILE_ID : 0;
        int share = f.containsKey("ShareMode") ? ProcmonDetail.shareMode(f.get("ShareMode")) : 0;
        int attributes = f.containsKey("Attributes") ? ProcmonDetail.attributes(f.get("Attributes")) : 0;
        Overlapped ov = nt.ntCreateFile(ov(row), path, access, attributes, share, disposition, options, null, null);
        boolean recordedSuccess = NtStatus.fromProcmonText(row.result()).stream().anyMatch(NtStatus::ntSuccess)
                || row.result().equals("SUCCESS");
        String key = handleKey(row, path);
        issued(row, ov, null, false, () -> {
            FileObject fo = ov.fileObject();
            if (fo == null) {
                return;
            }
            if (recordedSuccess) {
                opened.computeIfAbsent(key, k -> new ArrayDeque<>()).push(fo);
            } else {
                // Windows refused this open but the emulator did not: the process holds no such handle.
                closeQuietly(fo);
            }
        });
    }

    private void close(ProcmonRow row, String path) {
        String key = handleKey(row, path);
        Deque<FileObject> stack = opened.get(key);
        FileObject fo = stack != null && !stack.isEmpty() ? stack.pop() : null;
        if (fo == null) {
            fo = inferred.remove(key);
        }
        if (fo == null) {
            fo = openInferred(row, path, key, 0);
            inferred.remove(key);
            if (fo == null) {
                return;
            }
        }
        issued(row, nt.ntClose(ov(row), fo), fo, false, null);
    }

    private void fsctl(ProcmonRow row, String path) {
        String control = ProcmonDetail.fields(row.detail()).getOrDefault("Control", "").trim();
        int code = controlCode(control);
        if (code == 0 || !ReferenceFileSystem.implementsFsControl(code)) {
            report.skip("FileSystemControl " + (control.isEmpty() ? "(no control code)" : control));
            return;
        }
        UnsafeBuffer in = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        int inLength = 0;
        int outLength = 0;
        if (code == FsControlCode.FSCTL_REQUEST_OPLOCK) {
            new RequestOplockInputBuffer().wrap(in, 0).set(oplockLevel,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            inLength = RequestOplockInputBuffer.ENCODED_LENGTH;
            outLength = RequestOplockOutputBuffer.ENCODED_LENGTH;
        }
        int finalIn = inLength;
        int finalOut = outLength;
        boolean oplockRequest = code == FsControlCode.FSCTL_REQUEST_OPLOCK
                || code == FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK || code == FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK
                || code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1 || code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2;
        withHandle(row, path, fo -> nt.ntFsControlFile(
                ov(row).outputBuffer(new UnsafeBuffer(new byte[64]), 0), fo, code, in, 0, finalIn, finalOut),
                oplockRequest);
    }

    /** "FSCTL_REQUEST_OPLOCK" or Process Monitor's "0x902eb (Device:0x9 Function:186 Method: 3)". */
    static int controlCode(String control) {
        OptionalInt named = FsControlCode.fromName(control);
        if (named.isPresent()) {
            return named.getAsInt();
        }
        if (control.startsWith("0x")) {
            int end = control.indexOf(' ');
            try {
                return (int) Long.parseLong(control.substring(2, end < 0 ? control.length() : end), 16);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private void readWrite(ProcmonRow row, String path) {
        if (row.detail().contains("Paging I/O")) {
            report.skip(row.operation() + " (paging I/O of the memory manager)");
            return;
        }
        Map<String, String> f = ProcmonDetail.fields(row.detail());
        long offset = ProcmonDetail.number(f.getOrDefault("Offset", ""));
        int length = (int) ProcmonDetail.number(f.getOrDefault("Length", ""));
        boolean read = row.operation().equals("ReadFile");
        withHandle(row, path, fo -> read ? nt.ntReadFile(ov(row), fo, null, 0, length, offset, 0)
                : nt.ntWriteFile(ov(row), fo, null, 0, length, offset, 0), false);
    }

    private void lock(ProcmonRow row, String path) {
        Map<String, String> f = ProcmonDetail.fields(row.detail());
        long offset = ProcmonDetail.number(f.getOrDefault("Offset", ""));
        long length = ProcmonDetail.number(f.getOrDefault("Length", ""));
        if (row.operation().equals("LockFile")) {
            boolean exclusive = f.getOrDefault("Exclusive", "False").trim().equals("True");
            boolean failImmediately = !f.getOrDefault("Fail Immediately", "True").trim().equals("False");
            withHandle(row, path, fo -> nt.ntLockFile(ov(row), fo, offset, length, 0, failImmediately,
                    exclusive), false);
        } else {
            withHandle(row, path, fo -> nt.ntUnlockFile(ov(row), fo, offset, length, 0), false);
        }
    }

    private void setInformation(ProcmonRow row, String path, int infoClass) {
        Map<String, String> f = ProcmonDetail.fields(row.detail());
        UnsafeBuffer b = new UnsafeBuffer(new byte[1024]);
        int length;
        switch (infoClass) {
            case FileInformationClass.FileEndOfFileInformation:
                b.putLong(0, ProcmonDetail.number(f.getOrDefault("EndOfFile", "")), LE);
                length = 8;
                break;
            case FileInformationClass.FileAllocationInformation:
                b.putLong(0, ProcmonDetail.number(f.getOrDefault("AllocationSize", "")), LE);
                length = 8;
                break;
            case FileInformationClass.FileValidDataLengthInformation:
                b.putLong(0, ProcmonDetail.number(f.getOrDefault("ValidDataLength", "")), LE);
                length = 8;
                break;
            case FileInformationClass.FilePositionInformation:
                b.putLong(0, ProcmonDetail.number(f.getOrDefault("CurrentByteOffset", "")), LE);
                length = 8;
                break;
            case FileInformationClass.FileDispositionInformation:
                b.putByte(0, (byte) (f.getOrDefault("Delete", "True").trim().equals("True") ? 1 : 0));
                length = 1;
                break;
            case FileInformationClass.FileBasicInformation:
                String attributes = f.getOrDefault("FileAttributes", "n/a");
                b.putInt(32, ProcmonDetail.attributes(attributes), LE);
                length = 40;
                break;
            default: {
                String target = f.get("FileName");
                String volumeTarget = target == null ? null : ReplayPaths.volumePath(target.trim());
                if (volumeTarget == null) {
                    report.skip(row.operation() + " (target not on drive C:)");
                    return;
                }
                byte[] name = volumeTarget.getBytes(StandardCharsets.UTF_16LE);
                b.putByte(0, (byte) (f.getOrDefault("ReplaceIfExists", "False").trim().equals("True") ? 1 : 0));
                b.putInt(16, name.length, LE);
                b.putBytes(20, name);
                length = Math.max(24, (20 + name.length + 7) & ~7);
                break;
            }
        }
        int finalLength = length;
        withHandle(row, path, fo -> nt.ntSetInformationFile(ov(row), fo, b, 0, finalLength, infoClass), false);
    }

    /** The buffer a caller passes: the structure's size, or a page for variable-length names and lists. */
    private static int queryLength(int infoClass) {
        switch (infoClass) {
            case FileInformationClass.FileNameInformation:
            case FileInformationClass.FileNormalizedNameInformation:
            case FileInformationClass.FileStreamInformation:
                return 4096;
            case FileInformationClass.FileAllInformation:
                return 104; // sizeof(FILE_ALL_INFORMATION): callers get the fixed part and STATUS_BUFFER_OVERFLOW
            case FileInformationClass.FileBasicInformation:
                return 40;
            case FileInformationClass.FileStandardInformation:
                return 24;
            case FileInformationClass.FileNetworkOpenInformation:
                return 56;
            case FileInformationClass.FileIdInformation:
                return 24;
            case FileInformationClass.FileCompressionInformation:
                return 16;
            default:
                return 8;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Handles
    // ---------------------------------------------------------------------------------------------

    private interface Request {
        Overlapped send(FileObject fo);
    }

    private void withHandle(ProcmonRow row, String path, Request request, boolean oplockRequest) {
        String key = handleKey(row, path);
        FileObject fo = openHandle(opened.get(key), needs(row));
        boolean isInferred = false;
        if (fo == null) {
            fo = inferred.get(key);
            isInferred = true;
            if (fo != null && oplockRequest && oplockHolders.contains(fo)) {
                // Two oplock requests that both lasted until their handle closed were made on two handles.
                fo = null;
            }
        }
        if (fo == null) {
            fo = openInferred(row, path, key, orphanAccess.getOrDefault(key, 0));
            if (fo == null) {
                return;
            }
        }
        Overlapped ov = request.send(fo);
        issued(row, ov, fo, oplockRequest, null);
        if (isInferred && oplockRequest && ov.isInFlight()) {
            oplockHolders.add(fo);
            long closedAt = ProcmonDetail.ticks(row.completionTime());
            if (closedAt >= 0 && (row.result().equals("OPLOCK HANDLE CLOSED") || row.result().equals("SUCCESS"))) {
                // The request completed when its handle was closed: that is when the capture's unseen close was.
                Pending close = new Pending(row, ov, fo, false, null);
                close.cancelAt = closedAt;
                closes.add(close);
                return;
            }
        }
        if (closeInferredAfter.contains(row.row()) && !oplockHolders.contains(fo)) {
            FileObject done = inferred.remove(key);
            if (done != null) {
                closeQuietly(done);
                settle();
            }
        }
    }

    /**
     * The process's most recent open handle to the path that has the access the row needs; the most
     * recent one when none has (the request then fails as it would on that handle).
     */
    private static FileObject openHandle(Deque<FileObject> stack, int needs) {
        if (stack == null || stack.isEmpty()) {
            return null;
        }
        for (FileObject fo : stack) {
            if ((fo.grantedAccess() & needs) == needs) {
                return fo;
            }
        }
        return stack.peek();
    }

    /**
     * Opens the handle a process held before the capture started. When that fails (the inferred volume
     * lacks the file), the row is replayed as failing with the open's status.
     */
    private FileObject openInferred(ProcmonRow row, String path, String key, int access) {
        Overlapped ov = nt.ntCreateFile(ov(row), path, access, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                CreateDisposition.FILE_OPEN, 0, null, null);
        settle();
        if (ov.isDone() && ov.fileObject() != null) {
            inferred.put(key, ov.fileObject());
            inferredHandles++;
            return ov.fileObject();
        }
        report.result(row, ov.isDone() ? NtStatus.procmonText(ov.status()) : "PENDING", false);
        return null;
    }

    private void closeQuietly(FileObject fo) {
        nt.ntClose(new Overlapped().attachment(trace == null ? null : new Trace.Tag("(replay)", "")), fo);
    }

    // ---------------------------------------------------------------------------------------------
    // Results, pending requests and cancels
    // ---------------------------------------------------------------------------------------------

    private void issued(ProcmonRow row, Overlapped ov, FileObject fo, boolean oplockRequest, Runnable onDone) {
        Pending p = new Pending(row, ov, fo, oplockRequest, onDone);
        pending.add(p);
        settle();
        if (!ov.isDone() && row.result().equals("CANCELLED")) {
            long at = ProcmonDetail.ticks(row.completionTime());
            p.cancelAt = at < 0 ? Long.MIN_VALUE : at;
            cancels.add(p);
        }
    }

    private Overlapped ov(ProcmonRow row) {
        Overlapped ov = new Overlapped();
        if (trace != null) {
            ov.attachment(new Trace.Tag("row " + row.row(), row.processName()));
        }
        return ov;
    }

    /** Waits for quiescence and records every request that completed. */
    private void settle() {
        machine.awaitQuiescence(STEP_TIMEOUT_MS);
        if (trace != null) {
            trace.drain().forEach(traceOut::println);
        }
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.overlapped.isDone()) {
                it.remove();
                report.result(p.row, NtStatus.procmonText(p.overlapped.status()), p.oplockRequest);
                if (p.onDone != null) {
                    p.onDone.run();
                }
            }
        }
        machine.ioManager().drainFailures().forEach(t -> report.malformed(-1, "emulator error: " + t));
    }

    /**
     * Issues the cancels, and the closes of handles opened before the capture, whose recorded time is at
     * or before {@code ticks}.
     */
    private void cancelUpTo(long ticks) {
        if (ticks < 0) {
            return;
        }
        closeUpTo(ticks);
        if (cancels.isEmpty()) {
            return;
        }
        cancels.sort((a, b) -> Long.compare(a.cancelAt, b.cancelAt));
        boolean any = false;
        for (Iterator<Pending> it = cancels.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.cancelAt > ticks) {
                break;
            }
            it.remove();
            if (p.overlapped.isInFlight()) {
                nt.cancelIoEx(p.fileObject, p.overlapped);
                any = true;
            }
        }
        if (any) {
            settle();
        }
    }

    private void closeUpTo(long ticks) {
        if (closes.isEmpty()) {
            return;
        }
        closes.sort((a, b) -> Long.compare(a.cancelAt, b.cancelAt));
        boolean any = false;
        for (Iterator<Pending> it = closes.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.cancelAt > ticks) {
                break;
            }
            it.remove();
            oplockHolders.remove(p.fileObject);
            inferred.values().remove(p.fileObject);
            closeQuietly(p.fileObject);
            any = true;
        }
        if (any) {
            settle();
        }
    }

    /** Requests still pending when the capture ends keep the status STATUS_PENDING. */
    private void finish() {
        settle();
        for (Pending p : pending) {
            report.result(p.row, p.overlapped.isDone() ? NtStatus.procmonText(p.overlapped.status()) : "", p.oplockRequest);
        }
        pending.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // Handles opened before the capture: the access their rows need
    // ---------------------------------------------------------------------------------------------

    /** One second, in 100 ns ticks: uses of an unseen handle further apart are different handles. */
    static final long ORPHAN_GAP_TICKS = 10_000_000L;

    /** What the capture tells of the handles processes held before it started. */
    static final class Orphans {
        /** Per process and path, the access the rows need that arrive while no open of theirs is shown. */
        final Map<String, Integer> access = new HashMap<>();
        /** The rows after which such a handle is no longer used: the replay closes it there. */
        final java.util.Set<Long> lastUse = new java.util.HashSet<>();
    }

    /**
     * Finds, by the recorded results, the rows that use a handle the capture never shows being opened.
     * Such a handle lives from its first to its last use, and uses more than {@link #ORPHAN_GAP_TICKS}
     * apart are taken as different handles: kernel components (an antivirus minifilter below Process
     * Monitor's altitude) open, use and close such handles briefly, and a handle kept open would keep
     * files from being deleted when the capture shows them gone.
     */
    static Orphans orphans(List<ProcmonRow> rows) {
        Orphans o = new Orphans();
        Map<String, Integer> open = new HashMap<>();
        Map<String, Long> last = new HashMap<>();
        Map<String, Long> lastTicks = new HashMap<>();
        for (ProcmonRow r : rows) {
            String path = ReplayPaths.volumePath(r.path());
            if (path == null) {
                continue;
            }
            String key = handleKey(r, path);
            String op = r.operation();
            if (op.equals("CreateFile")) {
                if (r.result().equals("SUCCESS") || r.result().equals("OPLOCK BREAK IN PROGRESS")) {
                    if (open.getOrDefault(key, 0) == 0) {
                        endSegment(o, last, key);
                    }
                    open.merge(key, 1, Integer::sum);
                }
                continue;
            }
            if (op.equals("CloseFile")) {
                if (open.getOrDefault(key, 0) == 0) {
                    last.remove(key); // the close itself ends the handle
                }
                open.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
                continue;
            }
            if (open.getOrDefault(key, 0) == 0) {
                long ticks = ProcmonDetail.ticks(r.timeOfDay());
                Long previous = lastTicks.put(key, ticks);
                if (previous != null && ticks >= 0 && previous >= 0 && ticks - previous > ORPHAN_GAP_TICKS) {
                    endSegment(o, last, key);
                }
                o.access.merge(key, needs(r), (a, b) -> a | b);
                last.put(key, r.row());
            }
        }
        for (String key : new java.util.ArrayList<>(last.keySet())) {
            endSegment(o, last, key);
        }
        return o;
    }

    private static void endSegment(Orphans o, Map<String, Long> last, String key) {
        Long row = last.remove(key);
        if (row != null) {
            o.lastUse.add(row);
        }
    }

    /** The access a row's request needs from its handle (NtReadFile: FILE_READ_DATA, ...). */
    private static int needs(ProcmonRow r) {
        switch (r.operation()) {
            case "ReadFile":
            case "LockFile":
            case "UnlockFileSingle":
                return AccessMask.FILE_READ_DATA;
            case "WriteFile":
            case "SetEndOfFileInformationFile":
            case "SetAllocationInformationFile":
            case "SetValidDataLengthInformationFile":
            case "FlushBuffersFile":
                return AccessMask.FILE_WRITE_DATA;
            case "SetBasicInformationFile":
                return AccessMask.FILE_WRITE_ATTRIBUTES;
            case "SetDispositionInformationFile":
            case "SetRenameInformationFile":
                return AccessMask.DELETE;
            case "QueryBasicInformationFile":
            case "QueryAllInformationFile":
            case "QueryNetworkOpenInformationFile":
            case "QueryAttributeTagFile":
                return AccessMask.FILE_READ_ATTRIBUTES;
            case "FileSystemControl": {
                int code = controlCode(ProcmonDetail.fields(r.detail()).getOrDefault("Control", "").trim());
                int required = FsControlCode.access(code);
                return ((required & FsControlCode.FILE_READ_ACCESS) != 0 ? AccessMask.FILE_READ_DATA : 0)
                        | ((required & FsControlCode.FILE_WRITE_ACCESS) != 0 ? AccessMask.FILE_WRITE_DATA : 0);
            }
            default:
                return 0;
        }
    }
}
