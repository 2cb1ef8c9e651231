package org.irpemu.bench;

import java.util.concurrent.TimeUnit;
import org.irpemu.io.Overlapped;
import org.irpemu.status.NtStatus;

/**
 * How a client thread waits for its requests: it spins briefly (the dispatcher usually answers within
 * microseconds), yields a few times (on a busy machine the dispatcher may be waiting for this core), then
 * parks until the {@link Overlapped} completes, with a deadline so that a hang ends
 * the run instead of freezing it. Clients wait on their own threads; nothing here runs on, or blocks, a
 * dispatcher thread. No method allocates unless it throws.
 */
final class Completions {
    /** How long a request may take before the run fails: 10 s, in ns. */
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** About 100 us of spinning: a round trip through an idle stack takes a few us. */
    private static final int SPINS = 2_000;
    /** Then yield, so that a dispatcher sharing this core (a busy machine) gets to run. */
    private static final int YIELDS = 50;

    private Completions() {
    }

    /**
     * Waits for the request of {@code ov}.
     *
     * @param what names the request in the failure message (a constant: no string is built unless it fails)
     * @return the final status
     * @throws BenchException when it does not complete within {@link #TIMEOUT_NANOS}
     */
    static int await(Overlapped ov, String workload, String what) {
        for (int i = 0; i < SPINS; i++) {
            if (ov.isDone()) {
                return ov.status();
            }
            Thread.onSpinWait();
        }
        for (int i = 0; i < YIELDS; i++) {
            if (ov.isDone()) {
                return ov.status();
            }
            Thread.yield();
        }
        if (!ov.await(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            throw new BenchException(workload + ": " + what + " did not complete within 10 s (the emulator hung)");
        }
        return ov.status();
    }

    /**
     * Waits for the request of {@code ov} and checks its status.
     *
     * @throws BenchException when it completes with another status or not at all
     */
    static void expect(Overlapped ov, int status, String workload, String what) {
        int actual = await(ov, workload, what);
        if (actual != status) {
            throw new BenchException(workload + ": " + what + " completed with " + NtStatus.describe(actual)
                    + ", expected " + NtStatus.symbol(status));
        }
    }

    /** Throws when a request that must still be pending (a granted oplock) has completed. */
    static void expectPending(Overlapped ov, String workload, String what) {
        if (ov.isDone()) {
            throw new BenchException(workload + ": " + what + " completed with " + NtStatus.describe(ov.status())
                    + " while it should be pending");
        }
    }
}
