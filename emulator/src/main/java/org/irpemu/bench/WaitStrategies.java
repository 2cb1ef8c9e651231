package org.irpemu.bench;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import java.util.Locale;
import org.irpemu.io.DispatcherWaitStrategy;

/**
 * The dispatcher wait strategies {@code irpemu bench} offers, by their command-line names
 * ({@code busy-spin}, {@code yielding}, {@code blocking}), and the matching Disruptor strategy for the
 * baseline ring, so that the baseline waits the way the dispatchers do.
 */
public final class WaitStrategies {
    /** The names accepted by {@link #parse}, in help order. */
    public static final String NAMES = "busy-spin, yielding, blocking";

    private WaitStrategies() {
    }

    /** @return the strategy of a command-line name (case-insensitive), or {@code null} when unknown */
    public static DispatcherWaitStrategy parse(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "busy-spin": return DispatcherWaitStrategy.BUSY_SPIN;
            case "yielding": return DispatcherWaitStrategy.YIELDING;
            case "blocking": return DispatcherWaitStrategy.BLOCKING;
            default: return null;
        }
    }

    /** @return the command-line name of a strategy ({@code SLEEPING} is {@code sleeping}) */
    public static String name(DispatcherWaitStrategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return a new Disruptor wait strategy that behaves like the dispatchers' */
    public static WaitStrategy forBaseline(DispatcherWaitStrategy strategy) {
        switch (strategy) {
            case BUSY_SPIN: return new BusySpinWaitStrategy();
            case YIELDING: return new YieldingWaitStrategy();
            case SLEEPING: return new com.lmax.disruptor.SleepingWaitStrategy();
            case BLOCKING: return new BlockingWaitStrategy();
            default: throw new AssertionError(strategy);
        }
    }
}
