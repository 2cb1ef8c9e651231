package org.irpemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {
    @Test
    void intendedStartsFollowTheRateWhateverTheClientsDo() {
        OpenLoopSchedule s = new OpenLoopSchedule(1_000, 4, 500_000_000L, 1_000_000_000L);
        assertThat(s.intervalNanos()).isEqualTo(250_000_000.0);
        assertThat(s.intendedStart(0)).isEqualTo(1_000);
        assertThat(s.intendedStart(3)).isEqualTo(1_000 + 750_000_000L);
        assertThat(s.warmupCount()).isEqualTo(2);
        assertThat(s.measuredCount()).isEqualTo(4);
        assertThat(s.measureStartNanos()).isEqualTo(s.intendedStart(2));
        assertThat(s.isMeasured(1)).isFalse();
        assertThat(s.isMeasured(2)).isTrue();
    }

    @Test
    void claimsEveryOperationOnceThenStops() {
        long now = System.nanoTime();
        OpenLoopSchedule s = new OpenLoopSchedule(now, 1_000_000, 0, 10_000);
        for (long i = 0; i < s.measuredCount(); i++) {
            assertThat(s.claim()).isEqualTo(i);
        }
        assertThat(s.claim()).isEqualTo(-1);
    }

    @Test
    void backlogCountsDueOperationsNobodyClaimed() {
        long start = System.nanoTime();
        OpenLoopSchedule s = new OpenLoopSchedule(start, 1_000, 0, 1_000_000_000L);
        assertThat(s.backlog(start - 1)).isZero();
        assertThat(s.backlog(start + 9_500_000)).isEqualTo(10);
        assertThat(s.claim()).isZero();
        assertThat(s.claim()).isEqualTo(1);
        assertThat(s.backlog(start + 9_500_000)).isEqualTo(8);
        assertThat(s.backlog(start + 5_000_000_000L)).isEqualTo(998);
    }

    @Test
    void aWarmUpThatFellBehindIsDroppedWhenTheMeasuredPartIsDue() {
        // 1,000 warm-up operations due in the first second, which is already over.
        OpenLoopSchedule s = new OpenLoopSchedule(System.nanoTime() - 2_000_000_000L, 1_000, 1_000_000_000L,
                10_000_000_000L);
        assertThat(s.claim()).isEqualTo(s.warmupCount());
        assertThat(s.claim()).isEqualTo(s.warmupCount() + 1);
    }

    @Test
    void aWarmUpOnTimeIsRunWhole() {
        OpenLoopSchedule s = new OpenLoopSchedule(System.nanoTime(), 1_000, 60_000_000_000L, 1_000_000_000L);
        assertThat(s.claim()).isZero();
        assertThat(s.claim()).isEqualTo(1);
    }

    @Test
    void aStoppedScheduleHandsOutNothing() {
        OpenLoopSchedule s = new OpenLoopSchedule(System.nanoTime(), 1_000, 0, 1_000_000_000L);
        s.stop();
        assertThat(s.claim()).isEqualTo(-1);
    }
}
