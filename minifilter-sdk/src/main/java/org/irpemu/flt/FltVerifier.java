package org.irpemu.flt;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockObserver;
import org.irpemu.fsrtl.OplockRule;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;

/**
 * The minifilter verifier, in the spirit of Driver Verifier's File System Filter Verification: it watches
 * the Filter Manager frame of one volume and reports every rule a minifilter breaks that would crash or
 * hang Windows. Each {@link Finding} names its {@link Rule}, the filter, and the call site (the filter's
 * own code where the breach happened, or the callback that returned the bad value).
 *
 * <p>On in tests and training ({@code Machine.builder().verifier(...)}, the JUnit extension, scenario
 * runs), off in benchmarks: without a verifier the frame makes none of these checks and recycles its
 * callback data; with one, callback data is never reused, so that a stale reference is caught.
 *
 * <p>Each rule has a {@link Policy}: {@code FAIL} (the default) records the finding as a failure — tests
 * and runs fail; {@code WARN} records and prints it; {@code IGNORE} drops it. The frame's reaction to
 * the breach does not depend on the policy: where Windows would bug-check or hang, the emulator keeps
 * going in the safest way the rule's javadoc states (the operation fails with STATUS_UNSUCCESSFUL, a second
 * completion is ignored, ...), so that one bug does not hide the next.
 *
 * <p>Thread-safe: findings may arrive from any dispatcher thread and from the verifier's watchdog.
 */
public final class FltVerifier implements OplockObserver, AutoCloseable {
    /** The rules, each with what it catches and where the rule comes from. */
    public enum Rule {
        /** A pre-operation callback returned a status the WDK does not allow for the operation. */
        ILLEGAL_PREOP_STATUS("PFLT_PRE_OPERATION_CALLBACK return values; FltCompletePendedPreOperation",
                "the operation fails with STATUS_UNSUCCESSFUL"),
        /** A post-operation callback returned something other than FINISHED_PROCESSING or MORE_PROCESSING_REQUIRED. */
        ILLEGAL_POSTOP_STATUS("PFLT_POST_OPERATION_CALLBACK return values",
                "treated as FLT_POSTOP_FINISHED_PROCESSING"),
        /** SUCCESS_WITH_CALLBACK or SYNCHRONIZE returned without a post-operation callback (bug check 0xF5, 0x66). */
        NO_POST_OPERATION("Bug check 0xF5 FLTMGR_FILE_SYSTEM, parameter 0x66",
                "treated as FLT_PREOP_SUCCESS_NO_CALLBACK"),
        /** A completion context was returned with a status that forbids one. */
        COMPLETION_CONTEXT_NOT_ALLOWED("PFLT_PRE_OPERATION_CALLBACK (CompletionContext); FltCompletePendedPreOperation",
                "the context is dropped"),
        /** FLT_PREOP_COMPLETE with STATUS_PENDING or STATUS_FLT_DISALLOW_FAST_IO, or a failure status for cleanup or close. */
        ILLEGAL_COMPLETION_STATUS("Completing an I/O operation in a preoperation callback routine",
                "STATUS_PENDING and STATUS_FLT_DISALLOW_FAST_IO become STATUS_UNSUCCESSFUL; cleanup and close complete"
                        + " with STATUS_SUCCESS"),
        /** Callback data completed or resumed twice, or used by a Flt routine after its operation ended. */
        CALLBACK_DATA_REUSED("FltCompletePendedPreOperation / FltCompletePendedPostOperation; FLT_CALLBACK_DATA",
                "the call is ignored"),
        /** An operation pended by a filter and never resumed by the end of its instance's teardown. */
        PENDED_NEVER_RESUMED("PFLT_INSTANCE_TEARDOWN_CALLBACK: TeardownStart must complete every pended operation",
                "the operation completes with STATUS_CANCELLED so that its caller does not hang (one pended in its"
                        + " post-operation callback, which the file system completed already, is resumed)"),
        /** A post-operation callback returned MORE_PROCESSING_REQUIRED while its instance drained. */
        MORE_PROCESSING_WHILE_DRAINING("PFLT_POST_OPERATION_CALLBACK: FLTFL_POST_OPERATION_DRAINING",
                "treated as FLT_POSTOP_FINISHED_PROCESSING"),
        /** Parameters of the callback data changed without FltSetCallbackDataDirty. */
        PARAMETERS_CHANGED_NOT_DIRTY("FltSetCallbackDataDirty; Filter Verifier: consistent changes to callback data",
                "the changed parameters are passed on"),
        /** A context still referenced when its filter or instance went away. */
        CONTEXT_LEAK("FltReleaseContext; Filter Verifier: leaked references at unload", "reported only"),
        /** FltReleaseContext more often than the context was referenced (bug check 0xF5, 0x6D). */
        CONTEXT_OVER_RELEASE("Bug check 0xF5 FLTMGR_FILE_SYSTEM, parameter 0x6D", "the release is ignored"),
        /** A context used after it was freed (bug check 0xF5, 0x6E). */
        CONTEXT_USE_AFTER_FREE("Bug check 0xF5 FLTMGR_FILE_SYSTEM, parameter 0x6E", "the call fails"),
        /** A call that would block a dispatcher thread (a wait with no completion routine, synchronous I/O that pends). */
        BLOCKING_WAIT("FltCheckOplock (WaitCompletionRoutine NULL blocks); FltCreateFile and friends are synchronous",
                "the operation fails with STATUS_UNSUCCESSFUL, synchronous I/O returns STATUS_CANT_WAIT"),
        /** A callback threw an exception. */
        CALLBACK_EXCEPTION("An exception in a callback is a crash in C",
                "a pre-operation fails with STATUS_UNSUCCESSFUL, a post-operation goes on"),
        /** A break that needs an acknowledgment was not acknowledged in time. */
        OPLOCK_BREAK_NOT_ACKNOWLEDGED("Breaking oplocks: the operation waits for the acknowledgment with no timeout",
                "reported once per break; the break stays under way"),
        /** Filter-initiated I/O or an oplock request of a filter still outstanding when its instance went away. */
        GENERATED_IO_OUTSTANDING("PFLT_INSTANCE_TEARDOWN_CALLBACK: TeardownComplete waits for filter-initiated I/O",
                "reported; teardown goes on");

        private final String source;
        private final String emulatorReaction;

        Rule(String source, String emulatorReaction) {
            this.source = source;
            this.emulatorReaction = emulatorReaction;
        }

        /** @return the WDK page or bug check the rule comes from */
        public String source() {
            return source;
        }

        /** @return what the emulator does after the breach, whatever the policy */
        public String emulatorReaction() {
            return emulatorReaction;
        }
    }

    /** What a finding of a rule does. */
    public enum Policy {
        /** Recorded as a failure: {@link #assertNoFailures()} throws, tests and runs fail. */
        FAIL,
        /** Recorded and printed; does not fail anything. */
        WARN,
        /** Dropped. */
        IGNORE
    }

    /** One breach of one rule. */
    public static final class Finding {
        private final Rule rule;
        private final Policy policy;
        private final String filter;
        private final String callSite;
        private final String message;

        Finding(Rule rule, Policy policy, String filter, String callSite, String message) {
            this.rule = rule;
            this.policy = policy;
            this.filter = filter;
            this.callSite = callSite;
            this.message = message;
        }

        public Rule rule() {
            return rule;
        }

        public Policy policy() {
            return policy;
        }

        /** @return the filter's name, or {@code null} when no filter is to blame */
        public String filter() {
            return filter;
        }

        /** @return where: {@code Class.method(File.java:line)} of the filter's code, or the callback's name */
        public String callSite() {
            return callSite;
        }

        public String message() {
            return message;
        }

        @Override
        public String toString() {
            return "FLT VERIFIER " + policy + " " + rule + (filter != null ? " filter " + filter : "")
                    + (callSite != null ? " at " + callSite : "") + ": " + message;
        }
    }

    private final Map<Rule, Policy> policies = new EnumMap<>(Rule.class);
    private final List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
    private volatile Consumer<Finding> listener;
    private volatile PrintStream warnings = System.err;
    private volatile long breakAcknowledgmentTimeoutMillis = 30_000;
    private volatile long teardownTimeoutMillis = 5_000;

    /** A verifier with every rule on {@link Policy#FAIL}. */
    public FltVerifier() {
        for (Rule r : Rule.values()) {
            policies.put(r, Policy.FAIL);
        }
    }

    /** Sets the policy of one rule. */
    public synchronized FltVerifier policy(Rule rule, Policy policy) {
        policies.put(rule, policy);
        return this;
    }

    /** @return the policy of a rule */
    public synchronized Policy policy(Rule rule) {
        return policies.get(rule);
    }

    /**
     * @param millis how long a break that needs an acknowledgment may stay unacknowledged before
     *     {@link Rule#OPLOCK_BREAK_NOT_ACKNOWLEDGED} (default 30,000 ms; Windows waits forever)
     */
    public FltVerifier breakAcknowledgmentTimeout(long millis) {
        this.breakAcknowledgmentTimeoutMillis = millis;
        return this;
    }

    /** @return the acknowledgment timeout, ms */
    public long breakAcknowledgmentTimeoutMillis() {
        return breakAcknowledgmentTimeoutMillis;
    }

    /**
     * @param millis how long an instance's teardown waits for pended operations and filter-initiated I/O
     *     before {@link Rule#PENDED_NEVER_RESUMED} (default 5,000 ms; Windows waits forever)
     */
    public FltVerifier teardownTimeout(long millis) {
        this.teardownTimeoutMillis = millis;
        return this;
    }

    /** @return the teardown timeout, ms */
    public long teardownTimeoutMillis() {
        return teardownTimeoutMillis;
    }

    /** Receives every finding that is not ignored, as it happens (on the thread that found it). */
    public FltVerifier listener(Consumer<Finding> listener) {
        this.listener = listener;
        return this;
    }

    /** Where {@link Policy#WARN} findings are printed (default standard error; {@code null}: nowhere). */
    public FltVerifier warnings(PrintStream out) {
        this.warnings = out;
        return this;
    }

    /** @return every finding not ignored, in order */
    public List<Finding> findings() {
        synchronized (findings) {
            return new ArrayList<>(findings);
        }
    }

    /** @return the findings whose policy is {@link Policy#FAIL} */
    public List<Finding> failures() {
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings()) {
            if (f.policy == Policy.FAIL) {
                out.add(f);
            }
        }
        return out;
    }

    /** Forgets every finding. */
    public void clear() {
        findings.clear();
    }

    /**
     * @throws AssertionError listing the failures, when there are any
     */
    public void assertNoFailures() {
        List<Finding> failures = failures();
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder(failures.size() + " minifilter verifier failure(s):");
            for (Finding f : failures) {
                b.append("\n  ").append(f);
            }
            throw new AssertionError(b.toString());
        }
    }

    /**
     * Records a breach.
     *
     * @param filter the filter to blame, or {@code null}
     * @param callSite where, or {@code null} to take it from the current stack (the first frame outside
     *     irpemu's kernel packages)
     */
    void report(Rule rule, FltFilter filter, String callSite, String message) {
        Policy p = policy(rule);
        if (p == Policy.IGNORE) {
            return;
        }
        Finding f = new Finding(rule, p, filter == null ? null : filter.name(),
                callSite != null ? callSite : callerOutsideKernel(), message);
        findings.add(f);
        Consumer<Finding> l = listener;
        if (l != null) {
            l.accept(f);
        }
        PrintStream w = warnings;
        if (p == Policy.WARN && w != null) {
            w.println(f);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Breaks owed: OPLOCK_BREAK_NOT_ACKNOWLEDGED
    // ---------------------------------------------------------------------------------------------

    /** A holder that was sent a break needing an acknowledgment. */
    private static final class Owed {
        final Oplock oplock;
        final FileObject open;
        final long sinceNanos;
        final String detail;

        Owed(Oplock oplock, FileObject open, long sinceNanos, String detail) {
            this.oplock = oplock;
            this.open = open;
            this.sinceNanos = sinceNanos;
            this.detail = detail;
        }
    }

    private final Map<FileObject, Owed> owed = new ConcurrentHashMap<>();
    private volatile FilterManager frame;
    private ScheduledExecutorService watchdog;

    /** Called by the Filter Manager the verifier is installed in: its I/O system runs the checks. */
    void frame(FilterManager frame) {
        this.frame = frame;
    }

    /**
     * Watches the oplocks of the volume (the file system's and the minifilters'): a break that needs an
     * acknowledgment starts the clock of {@link Rule#OPLOCK_BREAK_NOT_ACKNOWLEDGED}; the acknowledgment (or
     * the holder's close) stops it. Install it as the file system's oplock observer (beside a trace).
     */
    @Override
    public void onEvent(Kind kind, Oplock oplock, FileObject open, Irp irp, String detail, OplockRule rule) {
        if (open == null) {
            return;
        }
        if (kind == Kind.BREAK && detail != null && detail.contains("ack required")) {
            owed.putIfAbsent(open, new Owed(oplock, open, System.nanoTime(), detail));
            startWatchdog();
        } else if (kind == Kind.ACKNOWLEDGED) {
            owed.remove(open);
        }
    }

    private synchronized void startWatchdog() {
        if (watchdog != null) {
            return;
        }
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "irpemu-verifier-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(1000, breakAcknowledgmentTimeoutMillis / 4));
        watchdog.scheduleWithFixedDelay(this::checkOverdueBreaks, period, period, TimeUnit.MILLISECONDS);
    }

    /** On the watchdog thread: each overdue holder is checked on its own dispatcher thread. */
    private void checkOverdueBreaks() {
        FilterManager f = frame;
        IoSystem io = f == null ? null : f.ioSystem();
        long now = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(breakAcknowledgmentTimeoutMillis);
        for (Owed o : owed.values()) {
            if (now - o.sinceNanos < limit) {
                continue;
            }
            if (io == null) {
                checkOwed(o);
            } else {
                io.queueWorkItem(o.open.dispatcher(), context -> checkOwed(o), null);
            }
        }
    }

    private void checkOwed(Owed o) {
        if (owed.get(o.open) != o) {
            return;
        }
        owed.remove(o.open);
        if (!o.oplock.owesAcknowledgment(o.open)) {
            return;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - o.sinceNanos);
        StringBuilder waiting = new StringBuilder();
        for (Irp w : o.oplock.waitingOperations()) {
            IoStackLocation sl = Io.getCurrentIrpStackLocation(w);
            waiting.append(waiting.length() == 0 ? "" : "; ").append(IrpMajorFunction.name(sl.majorFunction()))
                    .append(' ').append(sl.fileObject() == null ? "?" : sl.fileObject().fileName())
                    .append(" by handle #").append(sl.fileObject() == null ? 0 : sl.fileObject().id());
        }
        FltFileObjectExtension ext = FltFileObjectExtension.of(o.open);
        FltFilter filter = ext != null && ext.openedBy != null ? ext.openedBy.filter() : null;
        report(Rule.OPLOCK_BREAK_NOT_ACKNOWLEDGED, filter, "handle #" + o.open.id() + " " + o.open.fileName(),
                "the break (" + o.detail + ") has not been acknowledged for " + ms + " ms; waiting: "
                        + (waiting.length() == 0 ? "nothing" : waiting));
    }

    /** Stops the watchdog thread. */
    @Override
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            watchdog = null;
        }
    }

    /** @return the first stack frame in a filter's code: not the kernel (irp-model, fsrtl, the SDK) nor the JDK */
    static String callerOutsideKernel() {
        return siteOf(new Throwable());
    }

    /**
     * @return where a filter's code threw (or called the routine that threw) {@code t}: the first frame of
     *     its stack trace outside the kernel, or {@code null}
     */
    static String siteOf(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (!isKernel(e.getClassName())) {
                return e.toString();
            }
        }
        return null;
    }

    private static final Map<String, Boolean> KERNEL = new java.util.concurrent.ConcurrentHashMap<>();

    /** Kernel code: the JDK, and classes loaded from the SDK's, irp-model's or fsrtl's own jar or directory. */
    private static boolean isKernel(String className) {
        if (className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")) {
            return true;
        }
        return KERNEL.computeIfAbsent(className, c -> {
            if (c.startsWith("org.irpemu.flt.samples.")) {
                return false;
            }
            try {
                java.security.CodeSource where = Class.forName(c, false, FltVerifier.class.getClassLoader())
                        .getProtectionDomain().getCodeSource();
                return where != null && (sameSource(where, FltVerifier.class)
                        || sameSource(where, org.irpemu.irp.Irp.class)
                        || sameSource(where, org.irpemu.fsrtl.FsRtl.class));
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        });
    }

    private static boolean sameSource(java.security.CodeSource where, Class<?> kernelClass) {
        java.security.CodeSource k = kernelClass.getProtectionDomain().getCodeSource();
        return k != null && java.util.Objects.equals(k.getLocation(), where.getLocation());
    }
}
