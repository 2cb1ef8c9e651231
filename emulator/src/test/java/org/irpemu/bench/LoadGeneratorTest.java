package org.irpemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.HdrHistogram.Histogram;
import org.irpemu.io.DispatcherWaitStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Every workload runs its cycle through the whole stack and records what the reports promise. */
class LoadGeneratorTest {
    private static BenchOptions shortRun(Workload w) {
        return new BenchOptions().workload(w).rate(1_000).durationNanos(200_000_000L).warmupNanos(50_000_000L)
                .waitStrategy(DispatcherWaitStrategy.YIELDING).readers(3);
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void everyWorkloadBreaksAnOplockInEveryOperation(Workload w) {
        BenchResult r = LoadGenerator.run(shortRun(w), null);
        assertThat(r.operations()).isPositive();
        assertThat(r.operations() + r.missed()).isEqualTo(r.scheduled());
        assertThat(r.roundTrip().getTotalCount()).isEqualTo(r.operations());
        assertThat(r.operation().getTotalCount()).isEqualTo(r.operations());
        long holders = w == Workload.READERS ? 3 : 1;
        assertThat(r.breakNotify().getTotalCount()).isEqualTo(holders * r.operations());
        assertThat(r.baseline().getTotalCount()).isPositive();
        // Each break reaches its holder before the request that caused it completes, which is before the
        // cycle ends: the distributions are ordered the same way.
        assertThat(r.breakNotify().getValueAtPercentile(50)).isLessThanOrEqualTo(r.roundTrip().getValueAtPercentile(50));
        assertThat(r.roundTrip().getValueAtPercentile(50)).isLessThanOrEqualTo(r.operation().getValueAtPercentile(50));
        assertThat(r.breakNotify().getMaxValue()).isLessThanOrEqualTo(r.roundTrip().getMaxValue());
        assertThat(r.throughput()).isPositive();
    }

    @Test
    void clientsSpreadOverDispatchersAndFiltersStayInTheStack() {
        BenchResult r = LoadGenerator.run(shortRun(Workload.CONFLICT).clients(3).dispatchers(2).filters(3), null);
        assertThat(r.operations()).isPositive();
        assertThat(r.breakNotify().getTotalCount()).isEqualTo(r.operations());
    }

    @Test
    void aSpinningDispatcherCostsMoreCpuThanABlockingOne() {
        // An idle busy-spinning dispatcher keeps its core busy; a blocking one sleeps between requests.
        BenchResult spin = LoadGenerator.run(shortRun(Workload.CONFLICT).waitStrategy(DispatcherWaitStrategy.BUSY_SPIN), null);
        BenchResult block = LoadGenerator.run(shortRun(Workload.CONFLICT).waitStrategy(DispatcherWaitStrategy.BLOCKING), null);
        assertThat(spin.cpu().processNanos()).isPositive();
        assertThat(spin.cpu().dispatcherNanos()).isPositive().isLessThanOrEqualTo(spin.cpu().processNanos());
        assertThat(block.cpu().dispatcherNanos()).isPositive();
        assertThat(spin.cpu().dispatcherCores()).isGreaterThan(block.cpu().dispatcherCores());
        assertThat(spin.cpu().dispatcherNanosPerOperation())
                .isEqualTo(spin.cpu().dispatcherNanos() / spin.operations());
    }

    @Test
    void refusesOptionsThatDoNotValidate() {
        assertThatThrownBy(() -> LoadGenerator.run(new BenchOptions().rate(0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
    }

    @Test
    void percentilesAreReadFromTheHistogram() {
        Histogram h = LatencyRecorder.newHistogram();
        for (int v = 1; v <= 1000; v++) {
            h.recordValue(v * 1000L);
        }
        long[] p = Percentiles.of(h);
        assertThat(p).hasSize(6).isSorted();
        assertThat(p[0]).isBetween(499_000L, 501_000L);
        assertThat(p[5]).isEqualTo(h.getMaxValue());
        assertThat(Percentiles.of(LatencyRecorder.newHistogram())).containsOnly(0L);
    }
}
