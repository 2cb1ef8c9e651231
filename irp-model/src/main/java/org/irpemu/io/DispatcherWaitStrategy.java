package org.irpemu.io;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How an idle dispatcher thread waits for work: the Disruptor wait strategies. Busy-spin gives the
 * lowest latency and burns a core per dispatcher; blocking costs the most latency and no CPU when idle.
 */
public enum DispatcherWaitStrategy {
    /** {@link BusySpinWaitStrategy}: spins on the sequence; lowest latency, one core per dispatcher. */
    BUSY_SPIN,
    /** {@link YieldingWaitStrategy}: spins, then {@link Thread#yield()}. */
    YIELDING,
    /** {@link SleepingWaitStrategy}: spins, yields, then parks for short periods. */
    SLEEPING,
    /** {@link BlockingWaitStrategy}: a lock and condition; no CPU while idle. */
    BLOCKING;

    WaitStrategy create() {
        switch (this) {
            case BUSY_SPIN: return new BusySpinWaitStrategy();
            case YIELDING: return new YieldingWaitStrategy();
            case SLEEPING: return new SleepingWaitStrategy();
            case BLOCKING: return new BlockingWaitStrategy();
            default: throw new AssertionError(this);
        }
    }
}
