package org.irpemu.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.irpemu.emulator.Machine;
import org.irpemu.io.NtApi;

/**
 * Runs {@code irpemu bench}: measures the bare Disruptor baseline, starts a machine (dispatchers, wait
 * strategy, PassThrough filters from the options; IRP timing on), gives each client thread a file and a
 * cycle of the workload, runs the open-loop schedule (warm-up, then the measured part), prints progress
 * once a second, and returns what was measured.
 *
 * <p>Threads: the caller of {@link #run} reports progress; {@code clients} threads issue requests and
 * wait for them; the machine's dispatchers never wait for a client. On a machine with as many cores as
 * clients plus dispatchers, busy-spinning is the low-latency setting.
 */
public final class LoadGenerator {
    /** Time between progress lines, ns. */
    static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;
    /** Time the clients are given to start and arm before operation 0 is due, ns. */
    static final long START_DELAY_NANOS = 20_000_000L;

    private LoadGenerator() {
    }

    /**
     * @param options validated options
     * @param progress where to print one line per second, or {@code null} for none
     * @return the measurements
     * @throws IllegalArgumentException when the options do not validate
     * @throws BenchException when a request fails or hangs, or a driver throws on a dispatcher thread
     */
    public static BenchResult run(BenchOptions options, PrintStream progress) {
        String problem = options.validate();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        Histogram baseline = BaselinePingPong.measure(options.waitStrategy(), options.baselineNanos());

        Machine.Builder builder = Machine.builder().dispatchers(options.dispatchers())
                .waitStrategy(options.waitStrategy()).timing(true).recycleFileObjects(true);
        PassThroughStack.attach(builder, options.filters());
        try (Machine machine = builder.build()) {
            NtApi nt = machine.api();
            Workload workload = options.workload();
            BreakCycle[] cycles = new BreakCycle[options.clients()];
            for (int c = 0; c < cycles.length; c++) {
                String path = workload.createFile(machine.fileSystem(), machine.ioManager(), c);
                cycles[c] = workload.newCycle(nt, path, options);
            }
            Metrics measured = new Metrics();
            Metrics warmup = new Metrics();
            OpenLoopSchedule schedule = new OpenLoopSchedule(System.nanoTime() + START_DELAY_NANOS, options.rate(),
                    options.warmupNanos(), options.durationNanos());
            ClientLoop[] loops = new ClientLoop[cycles.length];
            Thread[] threads = new Thread[cycles.length];
            for (int c = 0; c < cycles.length; c++) {
                loops[c] = new ClientLoop(cycles[c], schedule, measured, warmup);
                threads[c] = new Thread(loops[c], "bench-client-" + c);
                threads[c].setDaemon(true);
                threads[c].start();
            }
            ProgressReporter reporter = new ProgressReporter(progress, workload.cliName(), schedule, measured);
            reporter.started(options.rate(), options.warmupNanos(), options.durationNanos());
            long nextTick = schedule.measureStartNanos() + PROGRESS_INTERVAL_NANOS;
            // CPU is counted over the measured part only: warm-up runs the JIT compiler hard.
            sleepUntil(schedule.measureStartNanos());
            long cpuStart = ProcessCpuClock.nanos();
            long dispatcherCpuStart = machine.ioManager().dispatcherCpuNanos();
            for (Thread t : threads) {
                while (t.isAlive()) {
                    long left = nextTick - System.nanoTime();
                    if (left <= 0) {
                        reporter.tick(System.nanoTime());
                        nextTick += PROGRESS_INTERVAL_NANOS;
                        continue;
                    }
                    join(t, left);
                }
            }
            long cpuWallNanos = System.nanoTime() - schedule.measureStartNanos();
            long cpuEnd = ProcessCpuClock.nanos();
            long dispatcherCpuEnd = machine.ioManager().dispatcherCpuNanos();
            long cpuNanos = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart;
            long dispatcherCpuNanos = dispatcherCpuStart < 0 || dispatcherCpuEnd < 0 ? -1
                    : dispatcherCpuEnd - dispatcherCpuStart;
            List<Throwable> driverFailures = machine.ioManager().drainFailures();
            if (!driverFailures.isEmpty()) {
                Throwable f = driverFailures.get(0);
                throw new BenchException("a driver failed on a dispatcher thread: " + f);
            }
            long operations = 0;
            long late = 0;
            long maxLag = 0;
            long last = schedule.measureStartNanos();
            for (ClientLoop l : loops) {
                Throwable f = l.failure();
                if (f instanceof BenchException) {
                    throw (BenchException) f;
                }
                if (f != null) {
                    throw new BenchException("a client failed: " + f);
                }
                operations += l.operations;
                late += l.lateStarts;
                maxLag = Math.max(maxLag, l.maxStartLagNanos);
                if (l.operations > 0 && l.lastCompletionNanos - last > 0) {
                    last = l.lastCompletionNanos;
                }
            }
            measured.breakNotify.sampleInterval();
            measured.roundTrip.sampleInterval();
            measured.operation.sampleInterval();
            return new BenchResult(options, schedule.measuredCount(), operations, last - schedule.measureStartNanos(),
                    late, maxLag, machine.ioManager().irpsAllocated(), measured.breakNotify.total(),
                    measured.roundTrip.total(), measured.operation.total(), baseline,
                    new CpuUse(cpuWallNanos, cpuNanos, dispatcherCpuNanos, operations));
        }
    }

    private static void sleepUntil(long deadlineNanos) {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted");
            }
        }
    }

    private static void join(Thread t, long nanos) {
        try {
            t.join(Math.max(1, nanos / 1_000_000L), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }
}
