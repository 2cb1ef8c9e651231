package org.irpemu.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH state of the baseline every benchmark class also measures in the same run: a bare LMAX Disruptor
 * ring with its own busy-spinning consumer thread ({@link DisruptorHop}).
 */
@State(Scope.Thread)
public class Baseline {
    DisruptorHop hop;

    @Setup(Level.Trial)
    public void setUp() {
        hop = new DisruptorHop(new BusySpinWaitStrategy());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hop.close();
    }
}
