package org.irpemu.bench;

import org.irpemu.io.Overlapped;
import org.irpemu.status.NtStatus;

/**
 * How the benchmarks wait for a request: the JMH thread spins on {@link Overlapped#isDone()} (it has a
 * core of its own; parking would measure the scheduler's wake-up instead of irpemu). A request that has
 * not completed after 10 s fails the benchmark instead of hanging it. Allocates nothing unless it throws.
 */
final class Spin {
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private Spin() {
    }

    /** @return the final status of the request of {@code ov} */
    static int await(Overlapped ov) {
        int spins = 0;
        long deadline = 0;
        while (!ov.isDone()) {
            Thread.onSpinWait();
            if ((++spins & 0xFFFF) == 0) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + TIMEOUT_NANOS;
                } else if (now - deadline > 0) {
                    throw new IllegalStateException("a request did not complete within 10 s: " + ov);
                }
            }
        }
        return ov.status();
    }

    /** Waits and checks the status. */
    static int expect(Overlapped ov, int status, String what) {
        int actual = await(ov);
        if (actual != status) {
            throw new IllegalStateException(what + " completed with " + NtStatus.describe(actual) + ", expected "
                    + NtStatus.symbol(status));
        }
        return actual;
    }
}
