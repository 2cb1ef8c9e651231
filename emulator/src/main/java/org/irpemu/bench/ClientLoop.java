package org.irpemu.bench;

/**
 * One caller thread of a run: claims the next operation of the shared {@link OpenLoopSchedule}, arms its
 * cycle, waits for the intended start, runs the cycle and records into the measured or the warm-up
 * {@link Metrics}; until the schedule is exhausted. Its counters are read by the run's owner after
 * {@link Thread#join()}.
 */
final class ClientLoop implements Runnable {
    private final BreakCycle cycle;
    private final OpenLoopSchedule schedule;
    private final Metrics measured;
    private final Metrics warmup;
    private final long lateThresholdNanos;
    private volatile Throwable failure;

    long operations;
    long lateStarts;
    long maxStartLagNanos;
    long lastCompletionNanos;

    ClientLoop(BreakCycle cycle, OpenLoopSchedule schedule, Metrics measured, Metrics warmup) {
        this.cycle = cycle;
        this.schedule = schedule;
        this.measured = measured;
        this.warmup = warmup;
        this.lateThresholdNanos = Math.max(1, (long) schedule.intervalNanos());
    }

    /** @return what ended this client early, or {@code null} */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            cycle.setUp();
            loop();
            // Only after a clean run: after a failure the machine is closed anyway, and closing
            // handles of a hung stream would only add timeouts.
            cycle.tearDown();
        } catch (Throwable t) {
            failure = t;
            schedule.stop();
        }
    }

    private void loop() {
        for (long i = schedule.claim(); i >= 0; i = schedule.claim()) {
            long intended = schedule.intendedStart(i);
            cycle.arm();
            OpenLoopSchedule.awaitStart(intended);
            boolean counted = schedule.isMeasured(i);
            if (counted) {
                long lag = System.nanoTime() - intended;
                if (lag > lateThresholdNanos) {
                    lateStarts++;
                }
                if (lag > maxStartLagNanos) {
                    maxStartLagNanos = lag;
                }
            }
            cycle.run(intended, counted ? measured : warmup);
            if (counted) {
                operations++;
                lastCompletionNanos = System.nanoTime();
            }
        }
    }
}
