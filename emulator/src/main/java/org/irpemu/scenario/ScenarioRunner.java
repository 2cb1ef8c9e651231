package org.irpemu.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.emulator.FilterCatalog;
import org.irpemu.emulator.Machine;
import org.irpemu.flt.FltVerifier;
import org.irpemu.emulator.Trace;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * Runs {@code .scenario} files ({@code scenario-format.md}): each file on a fresh machine, each step
 * issued as a user-mode caller would, followed by a wait for quiescence before its expectation is
 * checked. Prints the trace (unless quiet), {@code PASS name} or {@code FAIL name} with the failing
 * lines, and finally {@code N passed, M failed}.
 *
 * <p>Exit status of {@link #run}: 0 when every file passed, 1 when an expectation failed, 2 when a file
 * could not be read or parsed (nothing of that file runs).
 */
public final class ScenarioRunner {
    /** How long a step may take to become quiescent before the file fails as hung, ms. */
    static final long STEP_TIMEOUT_MS = 10_000;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Options of a run. */
    public static final class Options {
        boolean quiet;
        boolean explain;
        final List<String> attach = new ArrayList<>();
        int dispatchers = 1;

        /** Print only PASS/FAIL lines and the summary. */
        public Options quiet(boolean quiet) {
            this.quiet = quiet;
            return this;
        }

        /** Follow every oplock decision with the rule that caused it. */
        public Options explain(boolean explain) {
            this.explain = explain;
            return this;
        }

        /**
         * Runs every scenario on this many dispatcher threads (streams are spread over them by name), to
         * check that results do not depend on the threading.
         *
         * @param dispatchers 1 to 64
         * @throws IllegalArgumentException outside that range
         */
        public Options dispatchers(int dispatchers) {
            if (dispatchers < 1 || dispatchers > 64) {
                throw new IllegalArgumentException("dispatchers must be 1 to 64: " + dispatchers);
            }
            this.dispatchers = dispatchers;
            return this;
        }

        /** Attaches a filter from the catalog to every scenario: {@code NAME} or {@code NAME@ALTITUDE}. */
        public Options attach(String filterSpec) {
            attach.add(filterSpec);
            return this;
        }
    }

    /** The outcome of one file. */
    public static final class FileResult {
        private final String name;
        private final boolean parsed;
        private final List<String> failures;
        private final List<String> output;

        FileResult(String name, boolean parsed, List<String> failures, List<String> output) {
            this.name = name;
            this.parsed = parsed;
            this.failures = failures;
            this.output = output;
        }

        /** @return the file's name as given */
        public String name() {
            return name;
        }

        /** @return whether the file parsed (when false, {@link #failures()} holds the parse error) */
        public boolean parsed() {
            return parsed;
        }

        /** @return whether it parsed and every expectation held */
        public boolean passed() {
            return parsed && failures.isEmpty();
        }

        /** @return {@code file:line: what went wrong}, one per failure */
        public List<String> failures() {
            return failures;
        }

        /** @return the trace and verdict lines as printed */
        public List<String> output() {
            return output;
        }
    }

    private final Options options;

    public ScenarioRunner(Options options) {
        this.options = options;
    }

    /**
     * Runs files and directories (recursively, {@code .scenario} files in name order).
     *
     * @return the exit status: 0, 1 or 2
     */
    public int run(List<Path> inputs, PrintStream out) {
        int passed = 0;
        int failed = 0;
        boolean parseError = false;
        boolean failure = false;
        for (Path input : inputs) {
            List<Path> files;
            try {
                files = expand(input);
            } catch (IOException e) {
                out.println(input + ": cannot read: " + e.getMessage());
                parseError = true;
                failed++;
                continue;
            }
            for (Path file : files) {
                FileResult r = runFile(file);
                r.output().forEach(out::println);
                if (r.passed()) {
                    passed++;
                } else {
                    failed++;
                    parseError |= !r.parsed();
                    failure |= r.parsed();
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        return parseError ? 2 : failure ? 1 : 0;
    }

    /** @return the {@code .scenario} files of a file or directory, in name order */
    public static List<Path> expand(Path input) throws IOException {
        if (!Files.exists(input)) {
            throw new IOException("no such file or directory");
        }
        if (Files.isDirectory(input)) {
            try (Stream<Path> s = Files.walk(input)) {
                return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".scenario"))
                        .sorted().collect(Collectors.toList());
            }
        }
        return List.of(input);
    }

    /** Parses and runs one file. */
    public FileResult runFile(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            String msg = name + ": cannot read: " + e.getMessage();
            return new FileResult(name, false, List.of(msg), List.of("FAIL " + name, "  " + msg));
        }
        return runText(name, text);
    }

    /** Parses and runs scenario text under a name. */
    public FileResult runText(String name, String text) {
        List<String> output = new ArrayList<>();
        List<Step> steps;
        try {
            steps = ScenarioParser.parse(name, text);
        } catch (ScenarioParseException e) {
            output.add("FAIL " + name);
            output.add("  " + e.getMessage());
            return new FileResult(name, false, List.of(e.getMessage()), output);
        }
        List<String> failures = new ArrayList<>();
        Trace trace = new Trace(options.explain);
        trace.enabled(!options.quiet);
        // The minifilter verifier watches every run; warnings go to the output, not to standard error.
        FltVerifier verifier = new FltVerifier().warnings(null);
        Machine.Builder builder = Machine.builder().trace(trace).dispatchers(options.dispatchers).verifier(verifier);
        try {
            attachFilters(builder, steps, name);
        } catch (ScenarioParseException e) {
            output.add("FAIL " + name);
            output.add("  " + e.getMessage());
            return new FileResult(name, false, List.of(e.getMessage()), output);
        }
        if (!options.quiet) {
            output.add("=== " + name);
        }
        try (Machine machine = builder.build()) {
            new Execution(name, machine, trace, output, failures).run(steps);
        }
        output.add((failures.isEmpty() ? "PASS " : "FAIL ") + name);
        failures.forEach(f -> output.add("  " + f));
        return new FileResult(name, true, failures, output);
    }

    private void attachFilters(Machine.Builder builder, List<Step> steps, String name) {
        List<String> specs = new ArrayList<>(options.attach);
        List<Integer> lines = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            lines.add(0);
        }
        for (Step s : steps) {
            if (s instanceof Step.Attach) {
                Step.Attach a = (Step.Attach) s;
                specs.add(a.altitude == null ? a.filter : a.filter + "@" + a.altitude);
                lines.add(a.line);
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i);
            int at = spec.indexOf('@');
            String filter = at < 0 ? spec : spec.substring(0, at);
            FilterCatalog.Entry entry = FilterCatalog.find(filter);
            String where = lines.get(i) == 0 ? "--attach" : name + ":" + lines.get(i);
            if (entry == null) {
                throw new ScenarioParseException(where + ": unknown filter '" + filter + "' (see irpemu filters)");
            }
            String altitude = at < 0 ? entry.defaultAltitude() : spec.substring(at + 1);
            builder.attach(entry.newRegistration(), altitude);
        }
    }

    /** The state of one running file. */
    private static final class Execution {
        private final String file;
        private final Machine machine;
        private final NtApi nt;
        private final Trace trace;
        private final List<String> output;
        private final List<String> failures;
        private final Map<String, FileObject> handles = new HashMap<>();
        private final Map<String, Issued> issued = new HashMap<>();
        private final List<Issued> unfinished = new ArrayList<>();

        /** A request a step sent. */
        private static final class Issued {
            final Step step;
            final Overlapped overlapped;
            final UnsafeBuffer output;
            final FileObject fileObject;

            Issued(Step step, Overlapped overlapped, UnsafeBuffer output, FileObject fileObject) {
                this.step = step;
                this.overlapped = overlapped;
                this.output = output;
                this.fileObject = fileObject;
            }
        }

        Execution(String file, Machine machine, Trace trace, List<String> output, List<String> failures) {
            this.file = file;
            this.machine = machine;
            this.nt = machine.api();
            this.trace = trace;
            this.output = output;
            this.failures = failures;
        }

        void run(List<Step> steps) {
            for (Step step : steps) {
                if (step instanceof Step.Attach) {
                    continue;
                }
                try {
                    execute(step);
                } catch (IllegalStateException e) {
                    failures.add(file + ":" + step.line + ": " + e.getMessage());
                    flushTrace();
                    return;
                }
                for (Throwable t : machine.ioManager().drainFailures()) {
                    failures.add(file + ":" + step.line + ": emulator error: " + t);
                }
                collectFindings(Integer.toString(step.line));
            }
            if (!machine.filterManager().filters().isEmpty()) {
                // The end of the run unloads the filters: teardown and leak checks run under the verifier.
                machine.unregisterAllFilters();
                flushTrace();
                collectFindings("end");
            }
        }

        private int findingsSeen;

        /** New verifier findings: failures fail the file, warnings are printed. */
        private void collectFindings(String where) {
            FltVerifier v = machine.verifier();
            if (v == null) {
                return;
            }
            List<FltVerifier.Finding> all = v.findings();
            for (int i = findingsSeen; i < all.size(); i++) {
                FltVerifier.Finding f = all.get(i);
                String line = file + ":" + where + ": " + f;
                if (f.policy() == FltVerifier.Policy.FAIL) {
                    failures.add(line);
                } else {
                    output.add("  " + line);
                }
            }
            findingsSeen = all.size();
        }

        private void fail(Step step, String message) {
            failures.add(file + ":" + step.line + ": " + step.text + ": " + message);
        }

        private void execute(Step step) {
            if (step instanceof Step.Cancel) {
                Step.Cancel c = (Step.Cancel) step;
                Issued target = issued.get(c.target);
                if (target == null) {
                    fail(step, "step '" + c.target + "' sent no request");
                } else if (!target.overlapped.isInFlight()) {
                    fail(step, "step '" + c.target + "' already completed with "
                            + NtStatus.symbol(target.overlapped.status()) + "; nothing to cancel");
                } else {
                    nt.cancelIoEx(target.fileObject, target.overlapped);
                    settle();
                }
                return;
            }
            if (step instanceof Step.Expect) {
                Step.Expect e = (Step.Expect) step;
                Issued target = issued.get(e.target);
                if (target == null) {
                    fail(step, "step '" + e.target + "' sent no request");
                } else {
                    check(step, target, e.expectation);
                }
                return;
            }
            String handle = step.handle();
            FileObject fo = null;
            if (!(step instanceof Step.Create)) {
                fo = handles.get(handle);
                if (fo == null) {
                    fail(step, "handle '" + handle + "' is not open");
                    return;
                }
            }
            String tag = step.label != null ? step.label : "@" + step.line;
            Overlapped ov = new Overlapped().attachment(new Trace.Tag(tag, handle == null ? "" : handle));
            UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
            ov.outputBuffer(out, 0);
            send(step, fo, ov);
            Issued i = new Issued(step, ov, out, fo);
            if (step.label != null) {
                issued.put(step.label, i);
            }
            unfinished.add(i);
            settle();
            if (ov.isInFlight()) {
                trace.pending(ov, verb(step));
                flushTrace();
            }
            if (step.inline != null) {
                check(step, i, step.inline);
            }
        }

        private static String verb(Step step) {
            String t = step.text;
            if (step.label != null) {
                t = t.substring(t.indexOf(':') + 1).trim();
            }
            int space = t.indexOf(' ');
            return space < 0 ? t : t.substring(0, space);
        }

        /** Waits for quiescence, then binds completed creates and unbinds completed closes. */
        private void settle() {
            machine.awaitQuiescence(STEP_TIMEOUT_MS);
            for (Iterator<Issued> it = unfinished.iterator(); it.hasNext(); ) {
                Issued i = it.next();
                if (!i.overlapped.isDone()) {
                    continue;
                }
                it.remove();
                if (i.step instanceof Step.Create && i.overlapped.fileObject() != null) {
                    String h = i.step.handle();
                    handles.put(h, i.overlapped.fileObject());
                    trace.nameHandle(i.overlapped.fileObject(), h);
                } else if (i.step instanceof Step.HandleOp && ((Step.HandleOp) i.step).kind == Step.HandleOp.CLOSE) {
                    handles.remove(i.step.handle(), i.fileObject);
                }
            }
            flushTrace();
        }

        private void flushTrace() {
            output.addAll(trace.drain());
        }

        private void send(Step step, FileObject fo, Overlapped ov) {
            if (step instanceof Step.Create) {
                Step.Create c = (Step.Create) step;
                nt.ntCreateFile(ov, c.path, c.access, c.attributes, c.share, c.disposition, c.options, c.key,
                        c.parentKey);
            } else if (step instanceof Step.Fsctl) {
                sendFsctl((Step.Fsctl) step, fo, ov);
            } else if (step instanceof Step.Query) {
                Step.Query q = (Step.Query) step;
                ov.outputBuffer(new UnsafeBuffer(new byte[queryLength(q.infoClass)]), 0);
                nt.ntQueryInformationFile(ov, fo, queryLength(q.infoClass), q.infoClass);
            } else if (step instanceof Step.SetInfo) {
                sendSetInfo((Step.SetInfo) step, fo, ov);
            } else {
                Step.HandleOp op = (Step.HandleOp) step;
                switch (op.kind) {
                    case Step.HandleOp.READ:
                        nt.ntReadFile(ov, fo, null, 0, (int) op.length, op.offset, 0);
                        break;
                    case Step.HandleOp.WRITE:
                        nt.ntWriteFile(ov, fo, null, 0, (int) op.length, op.offset, 0);
                        break;
                    case Step.HandleOp.LOCK:
                        nt.ntLockFile(ov, fo, op.offset, op.length, 0, !op.wait, !op.shared);
                        break;
                    case Step.HandleOp.UNLOCK:
                        nt.ntUnlockFile(ov, fo, op.offset, op.length, 0);
                        break;
                    case Step.HandleOp.FLUSH:
                        nt.ntFlushBuffersFile(ov, fo);
                        break;
                    case Step.HandleOp.SET_SECURITY:
                        nt.ntSetSecurityObject(ov, fo);
                        break;
                    default:
                        nt.ntClose(ov, fo);
                        break;
                }
            }
        }

        private static int queryLength(int infoClass) {
            switch (infoClass) {
                case FileInformationClass.FileNameInformation:
                case FileInformationClass.FileNormalizedNameInformation:
                case FileInformationClass.FileAllInformation:
                case FileInformationClass.FileStreamInformation:
                    return 4096;
                default:
                    return 128;
            }
        }

        private void sendFsctl(Step.Fsctl f, FileObject fo, Overlapped ov) {
            UnsafeBuffer in = new UnsafeBuffer(new byte[64]);
            int inLength = 0;
            int outLength = 0;
            if (f.code == FsControlCode.FSCTL_REQUEST_OPLOCK) {
                new RequestOplockInputBuffer().wrap(in, 0).structureVersion(f.version)
                        .structureLength(RequestOplockInputBuffer.ENCODED_LENGTH).requestedOplockLevel(f.level)
                        .flags(f.flags);
                inLength = RequestOplockInputBuffer.ENCODED_LENGTH;
                outLength = RequestOplockOutputBuffer.ENCODED_LENGTH;
            } else if (f.code == FsControlCode.FSCTL_SET_ZERO_DATA) {
                in.putLong(0, f.offset, LE);
                in.putLong(8, f.offset + f.length, LE);
                inLength = 16;
            }
            if (f.inputLength != null) {
                inLength = f.inputLength;
            }
            if (f.outputLength != null) {
                outLength = f.outputLength;
            }
            nt.ntFsControlFile(ov, fo, f.code, in, 0, Math.min(inLength, in.capacity()), outLength);
        }

        private void sendSetInfo(Step.SetInfo s, FileObject fo, Overlapped ov) {
            UnsafeBuffer b = new UnsafeBuffer(new byte[1024]);
            int length;
            switch (s.infoClass) {
                case FileInformationClass.FileDispositionInformation:
                    b.putByte(0, (byte) (s.flag ? 1 : 0));
                    length = 1;
                    break;
                case FileInformationClass.FileBasicInformation:
                    b.putInt(32, (int) s.number, LE);
                    length = 40;
                    break;
                case FileInformationClass.FileRenameInformation:
                case FileInformationClass.FileLinkInformation:
                    String target = s.path.startsWith("\\") ? s.path : "\\" + s.path;
                    byte[] name = target.getBytes(StandardCharsets.UTF_16LE);
                    b.putByte(0, (byte) (s.replace ? 1 : 0));
                    b.putInt(16, name.length, LE);
                    b.putBytes(20, name);
                    length = Math.max(24, (20 + name.length + 7) & ~7);
                    break;
                default:
                    b.putLong(0, s.number, LE);
                    length = 8;
                    break;
            }
            nt.ntSetInformationFile(ov, fo, b, 0, length, s.infoClass);
        }

        private void check(Step step, Issued target, Step.Expectation e) {
            Overlapped ov = target.overlapped;
            if (e.pending) {
                if (!ov.isInFlight()) {
                    fail(step, "expected pending, but it completed with " + NtStatus.symbol(ov.status()));
                }
                return;
            }
            if (ov.isInFlight()) {
                // A request not completed when the emulator is quiescent has the status STATUS_PENDING.
                if (e.status != NtStatus.STATUS_PENDING) {
                    fail(step, "expected " + NtStatus.symbol(e.status) + ", but it is still pending");
                }
                return;
            }
            List<String> wrong = new ArrayList<>();
            if (ov.status() != e.status) {
                wrong.add("status " + NtStatus.symbol(ov.status()) + " (expected " + NtStatus.symbol(e.status) + ")");
            }
            if (e.information != null && ov.information() != e.information) {
                wrong.add("info " + ov.information() + " (expected " + e.information + ")");
            }
            RequestOplockOutputBuffer out = new RequestOplockOutputBuffer().wrap(target.output, 0);
            if (e.originalLevel != null && out.originalOplockLevel() != e.originalLevel) {
                wrong.add("original " + OplockLevel.format(out.originalOplockLevel()) + " (expected "
                        + OplockLevel.format(e.originalLevel) + ")");
            }
            if (e.newLevel != null && out.newOplockLevel() != e.newLevel) {
                wrong.add("new " + OplockLevel.format(out.newOplockLevel()) + " (expected "
                        + OplockLevel.format(e.newLevel) + ")");
            }
            if (e.outFlags != null && out.flags() != e.outFlags) {
                wrong.add("outflags " + outFlags(out.flags()) + " (expected " + outFlags(e.outFlags) + ")");
            }
            if (!wrong.isEmpty()) {
                fail(step, String.join(", ", wrong));
            }
        }

        private static String outFlags(int flags) {
            return flags == 0 ? "NONE"
                    : RequestOplockOutputBuffer.formatFlags(flags).replace("REQUEST_OPLOCK_OUTPUT_FLAG_", "");
        }
    }
}
