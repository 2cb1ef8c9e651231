package org.irpemu.bench;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

/**
 * The baseline every irpemu benchmark is compared with: a bare LMAX Disruptor ring with one consumer
 * thread. {@link #hop()} publishes one event and waits until the consumer has processed it (one hop);
 * {@link #pingPong()} publishes one event and waits for the consumer's reply, which it publishes into a
 * second ring that the caller reads (two hops). Only one consumer thread runs, so that on a two-core
 * machine the caller and the consumer each have a core.
 */
public final class DisruptorHop implements AutoCloseable {
    /** A ring slot: a value copied in by the producer. */
    static final class Slot {
        long value;
    }

    private final RingBuffer<Slot> ping;
    private final RingBuffer<Slot> pong;
    private final BatchEventProcessor<Slot> consumer;
    private final com.lmax.disruptor.Sequence pongRead = new com.lmax.disruptor.Sequence(-1);
    private final Thread consumerThread;

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

    /** Publishes one event and spins until the consumer has processed it (the reply is drained unread). */
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

    /** Publishes one event and spins until the consumer's reply arrives through the second ring. */
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

    private void drainReply() {
        long want = pongRead.get() + 1;
        while (pong.getCursor() < want) {
            Thread.onSpinWait();
        }
        pongRead.set(want);
    }

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
