package org.irpemu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lmax.disruptor.YieldingWaitStrategy;
import org.junit.jupiter.api.Test;

/** The baseline ring: each call returns only after the consumer has seen its events, and never wedges. */
class DisruptorHopTest {
    @Test
    void hopsPingPongsAndBatchesKeepTheSequenceAndNeverFillTheReplyRing() {
        try (DisruptorHop hop = new DisruptorHop(new YieldingWaitStrategy())) {
            assertThat(hop.hop()).isZero();
            assertThat(hop.pingPong()).as("the echoed value is the event's sequence").isEqualTo(1);
            // More events than the reply ring holds: a batch that left its replies unread would wedge the
            // consumer on the next one.
            long last = 1;
            for (int i = 0; i < 5; i++) {
                last = hop.hops(1024);
            }
            assertThat(last).isEqualTo(1 + 5 * 1024);
            assertThat(hop.pingPong()).isEqualTo(last + 1);
            assertThat(hop.hop()).isEqualTo(last + 2);
        }
    }

    @Test
    void refusesABatchLargerThanTheRing() {
        try (DisruptorHop hop = new DisruptorHop(new YieldingWaitStrategy())) {
            assertThatThrownBy(() -> hop.hops(1025)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> hop.hops(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
