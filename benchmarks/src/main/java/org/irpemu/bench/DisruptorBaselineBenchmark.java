package org.irpemu.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * The baseline every benchmark class measures in its own run, inherited as JMH benchmarks with the
 * subclass's modes and iterations: {@link #disruptorHop} and {@link #disruptorPingPong} on a bare LMAX
 * Disruptor ring ({@link Baseline}).
 */
public abstract class DisruptorBaselineBenchmark {
    /** Baseline: one bare Disruptor publish-and-consume hop. */
    @Benchmark
    public long disruptorHop(Baseline h) {
        return h.hop.hop();
    }

    /** Baseline: a bare Disruptor ping-pong (two hops). */
    @Benchmark
    public long disruptorPingPong(Baseline h) {
        return h.hop.pingPong();
    }
}
