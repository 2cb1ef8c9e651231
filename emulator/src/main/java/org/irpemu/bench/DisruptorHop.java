package org.irpemu.bench;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.WaitStrategy;

/**
 * The baseline every irpemu measurement is compared with: a bare LMAX Disruptor ring with one consumer
 * thread. {@link #hop()} publishes one event and waits until the consumer has processed it (one hop);
 * {@link #pingPong()} publishes one event and waits for the consumer's reply, which it publishes into a
 * second ring that the caller reads (two hops, the shape of a request and its completion through the
 * I/O manager). Only one consumer thread runs, so that on a two-core machine the caller and the consumer
 * each have a core.
 *
 * <p>Used by the JMH benchmarks (module {@code benchmarks}) and by {@code irpemu bench}; one caller
 * thread at a time. Neither method allocates.
 */
public final class DisruptorHop implements AutoCloseable {
    /** A ring slot: a value copied in by the producer. */
    static final class Slot {
        long value;
    }

    private final RingBuffer<Slot> ping;
    private final RingBuffer<Slot> pong;
    private final BatchEventProcessor<Slot> consumer;
    private final Sequence pongRead = new Sequence(-1);
    private final Thread consumerThread;

    /**
     * Starts the consumer thread.
     *
     * @param waitStrategy how the consumer waits for the caller's events (the caller always spins for
     *     the reply)
     */
    public DisruptorHop(WaitStrategy waitStrategy) {
        ping = RingBuffer.createMultiProducer(Slot::new, 1024, waitStrategy);
        pong = RingBuffer.createSingleProducer(Slot::new, 1024, new BusySpinWaitStrategy());
        EventHandler<Slot> echo = (slot, sequence, endOfBatch) -> {
            long s = pong.next();
            pong.get(s).value = slot.value;
            pong.publish(s);
        };
        consumer = new BatchEventProcessorBuilder().build(ping, ping.newBarrier(), echo);
        ping.addGatingSequences(consumer.getSequence());
        pong.addGatingSequences(pongRead);
        consumerThread = new Thread(consumer, "baseline-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
    }

    /**
     * Publishes one event and spins until the consumer has processed it (the reply is drained unread).
     *
     * @return the sequence of the event
     */
    public long hop() {
        long s = ping.next();
        ping.get(s).value = s;
        ping.publish(s);
        while (consumer.getSequence().get() < s) {
            Thread.onSpinWait();
        }
        drainReply();
        return s;
    }

    /**
     * Publishes one event and spins until the consumer's reply arrives through the second ring.
     *
     * @return the value echoed by the consumer
     */
    public long pingPong() {
        long s = ping.next();
        ping.get(s).value = s;
        ping.publish(s);
        long want = pongRead.get() + 1;
        while (pong.getCursor() < want) {
            Thread.onSpinWait();
        }
        long value = pong.get(want).value;
        pongRead.set(want);
        return value;
    }

    /**
     * Publishes {@code n} events one by one (a claim and a publish each, as the I/O manager submits
     * requests), then spins until the consumer has processed the last; the replies are drained unread.
     * The bare ring's throughput, to compare with IRPs per second kept in flight the same way.
     *
     * @param n events, 1 to 1024 (the ring's size)
     * @return the sequence of the last event
     * @throws IllegalArgumentException when {@code n} is out of range
     */
    public long hops(int n) {
        if (n < 1 || n > 1024) {
            throw new IllegalArgumentException("n " + n);
        }
        long s = -1;
        for (int i = 0; i < n; i++) {
            s = ping.next();
            ping.get(s).value = s;
            ping.publish(s);
        }
        while (consumer.getSequence().get() < s) {
            Thread.onSpinWait();
        }
        // The consumer publishes each reply before its sequence passes the event.
        pongRead.set(pong.getCursor());
        return s;
    }

    private void drainReply() {
        long want = pongRead.get() + 1;
        while (pong.getCursor() < want) {
            Thread.onSpinWait();
        }
        pongRead.set(want);
    }

    /** Stops the consumer thread (waits up to 1 s for it). */
    @Override
    public void close() {
        consumer.halt();
        try {
            consumerThread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
