package org.irpemu.io;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.Sequencer;
import com.lmax.disruptor.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpCompletionSink;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IoWorkItemRoutine;
import org.irpemu.status.NtStatus;

/**
 * One dispatcher thread: consumes the ring slots routed to it, sends their IRPs down the device stack,
 * runs work items posted to its inbox, and performs the final completion of the IRPs it owns. All
 * stream state reached from here is confined to this thread.
 */
final class Dispatcher implements Runnable, IrpCompletionSink {
    private final IoManager io;
    private final int index;
    private final RingBuffer<IoRequestEvent> ring;
    private final SequenceBarrier barrier;
    final Sequence sequence = new Sequence(Sequencer.INITIAL_CURSOR_VALUE);
    private final IrpPool pool;
    /** Work items posted to this thread: a bounded array (no allocation), then an unbounded overflow. */
    private final ManyToOneConcurrentArrayQueue<WorkItem> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final ManyToOneConcurrentLinkedQueue<WorkItem> overflow = new ManyToOneConcurrentLinkedQueue<>();
    /** Work items done with, for reuse by any posting thread. */
    private final ManyToManyConcurrentArrayQueue<WorkItem> spare = new ManyToManyConcurrentArrayQueue<>(INBOX_CAPACITY);
    final AtomicLong offered = new AtomicLong();
    final AtomicLong done = new AtomicLong();
    private Irp dispatching;
    private long outstanding;
    private Irp[] cancelScratch = new Irp[16];
    volatile Thread thread;

    /** Work items a dispatcher holds without allocating; beyond it they spill into a linked overflow queue. */
    static final int INBOX_CAPACITY = 1 << 14;

    private static final class WorkItem {
        IoWorkItemRoutine routine;
        Object context;
    }

    Dispatcher(IoManager io, int index, RingBuffer<IoRequestEvent> ring, int poolSize) {
        this.io = io;
        this.index = index;
        this.ring = ring;
        this.barrier = ring.newBarrier();
        this.pool = new IrpPool(poolSize);
    }

    int index() {
        return index;
    }

    /** Queues a work item from any thread and wakes the dispatcher. */
    void post(IoWorkItemRoutine routine, Object context) {
        offered.incrementAndGet();
        WorkItem w = spare.poll();
        if (w == null) {
            w = new WorkItem();
        }
        w.routine = routine;
        w.context = context;
        if (!inbox.offer(w)) {
            overflow.offer(w); // only past INBOX_CAPACITY waiting items; they run after the array's
        }
        barrier.alert();
    }

    void halt() {
        barrier.alert();
    }

    /** @return IRPs that left their ring slot and have not completed (read from any thread: approximate) */
    long outstanding() {
        return outstanding;
    }

    long irpsAllocated() {
        return pool.allocated();
    }

    @Override
    public void run() {
        long next = sequence.get() + 1;
        while (true) {
            try {
                long available = barrier.waitFor(next);
                for (; next <= available; next++) {
                    IoRequestEvent event = ring.get(next);
                    if (event.dispatcher == index) {
                        process(event);
                    }
                }
                sequence.set(available);
                drainInbox();
            } catch (AlertException e) {
                barrier.clearAlert();
                if (!io.isRunning()) {
                    finishQueuedWork(next);
                    return;
                }
                drainInbox();
            } catch (TimeoutException e) {
                // Not used by the wait strategies we create.
            } catch (InterruptedException e) {
                if (!io.isRunning()) {
                    return;
                }
            }
        }
    }

    /** At shutdown: everything already published and every queued work item still runs. */
    private void finishQueuedWork(long next) {
        long cursor = ring.getCursor();
        long available = next - 1;
        for (long s = next; s <= cursor && ring.isAvailable(s); s++) {
            available = s;
        }
        for (long s = next; s <= available; s++) {
            IoRequestEvent event = ring.get(s);
            if (event.dispatcher == index) {
                process(event);
            }
        }
        sequence.set(available);
        drainInbox();
    }

    private void drainInbox() {
        WorkItem item;
        while ((item = inbox.poll()) != null || (item = overflow.poll()) != null) {
            IoWorkItemRoutine routine = item.routine;
            Object context = item.context;
            item.routine = null;
            item.context = null;
            spare.offer(item);
            try {
                routine.run(context);
            } catch (RuntimeException | Error e) {
                io.reportFailure(e);
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void process(IoRequestEvent event) {
        try {
            switch (event.type) {
                case IoRequestEvent.SUBMIT:
                    submit(event);
                    break;
                case IoRequestEvent.CANCEL:
                    cancel(event.overlapped, event.generation);
                    break;
                case IoRequestEvent.CANCEL_FILE:
                    cancelFile(event.fileObject);
                    break;
                default:
                    throw new IllegalStateException("ring slot type " + event.type);
            }
        } catch (RuntimeException | Error e) {
            io.reportFailure(e);
        } finally {
            event.clearReferences();
        }
    }

    private void submit(IoRequestEvent event) {
        Irp irp = event.irp;
        Overlapped ov = event.overlapped;
        ov.irp = irp;
        ov.boundGeneration = event.generation;
        FileObject fo = irp.stackLocation(irp.stackCount() - 1).fileObject();
        if (fo != null && topMajor(irp) != IrpMajorFunction.IRP_MJ_CREATE) {
            link(fo, irp);
        }
        IoEventListener listener = io.listener();
        if (listener != null) {
            listener.irpDispatched(irp, ov);
        }
        Irp previous = dispatching;
        dispatching = irp;
        try {
            Io.callDriver(event.device, irp);
        } finally {
            dispatching = previous;
        }
        if (!irp.isCompleted()) {
            // The IRP stays pending with a driver: it leaves the slot, which gets a spare.
            Irp spare = pool.take();
            spare.recycle();
            event.irp = spare;
            outstanding++;
        } else {
            // Done with it here, while its memory is in this core's cache: the submitter writes little.
            irp.recycle();
        }
    }

    private static int topMajor(Irp irp) {
        return irp.stackLocation(irp.stackCount() - 1).majorFunction();
    }

    @Override
    public void irpCompleted(Irp irp) {
        Overlapped ov = (Overlapped) irp.originator();
        IoStackLocation top = irp.stackLocation(irp.stackCount() - 1);
        int major = top.majorFunction();
        FileObject fo = top.fileObject();
        IoEventListener listener = io.listener();
        if (major != IrpMajorFunction.IRP_MJ_CREATE && fo != null) {
            unlink(fo, irp);
        }
        if (ov.kind == Overlapped.KIND_CLOSE && major == IrpMajorFunction.IRP_MJ_CLEANUP) {
            // NtClose: cleanup is done, the last reference goes: IRP_MJ_CLOSE in the same IRP object.
            ov.closeStatus = irp.ioStatus().status();
            if (listener != null) {
                listener.irpCompleted(irp, ov);
            }
            irp.initialize(fo.deviceObject().topOfStack().stackSize(), -irp.serial(), ov, io);
            Io.getNextIrpStackLocation(irp).majorFunction(IrpMajorFunction.IRP_MJ_CLOSE).fileObject(fo);
            link(fo, irp);
            if (listener != null) {
                listener.irpDispatched(irp, ov);
            }
            Io.callDriver(fo.deviceObject().topOfStack(), irp);
            return;
        }
        int status = irp.ioStatus().status();
        long information = irp.ioStatus().information();
        FileObject result = null;
        if (major == IrpMajorFunction.IRP_MJ_CREATE) {
            if (NtStatus.ntSuccess(status)) {
                fo.setFlag(FileObject.FO_HANDLE_CREATED);
                result = fo;
            }
        } else if ((major == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL
                || major == IrpMajorFunction.IRP_MJ_QUERY_INFORMATION)
                && !NtStatus.ntError(status) && ov.outputBuffer() != null) {
            int n = (int) Math.min(Math.min(information, ov.requestOutputLength), irp.systemBuffer().capacity());
            if (n > 0) {
                ov.outputBuffer().putBytes(ov.outputOffset(), irp.systemBuffer(), 0, n);
            }
        }
        if (major == IrpMajorFunction.IRP_MJ_CLOSE && ov.kind == Overlapped.KIND_CLOSE) {
            status = ov.closeStatus;
            information = 0;
        }
        if (listener != null) {
            listener.irpCompleted(irp, ov);
        }
        if (irp != dispatching) {
            outstanding--;
            pool.give(irp);
        }
        ov.complete(status, information, result, io.isTiming());
        if (major == IrpMajorFunction.IRP_MJ_CLOSE && ov.kind == Overlapped.KIND_CLOSE) {
            io.fileObjectClosed(fo);
        }
    }

    private void cancel(Overlapped ov, long generation) {
        Irp irp = ov.irp;
        boolean live = irp != null && ov.boundGeneration == generation && !irp.isCompleted();
        IoEventListener listener = io.listener();
        if (listener != null) {
            listener.cancelRequested(ov, live ? irp : null);
        }
        if (live) {
            Io.cancelIrp(irp);
        }
    }

    private void cancelFile(FileObject fo) {
        int n = 0;
        for (Irp i = fo.ioListHead; i != null; i = i.ioListNext) {
            if (n == cancelScratch.length) {
                cancelScratch = java.util.Arrays.copyOf(cancelScratch, n * 2);
            }
            cancelScratch[n++] = i;
        }
        for (int k = 0; k < n; k++) {
            Irp irp = cancelScratch[k];
            cancelScratch[k] = null;
            if (!irp.isCompleted()) {
                IoEventListener listener = io.listener();
                if (listener != null) {
                    listener.cancelRequested((Overlapped) irp.originator(), irp);
                }
                Io.cancelIrp(irp);
            }
        }
    }

    private static void link(FileObject fo, Irp irp) {
        irp.ioListPrev = null;
        irp.ioListNext = fo.ioListHead;
        if (fo.ioListHead != null) {
            fo.ioListHead.ioListPrev = irp;
        }
        fo.ioListHead = irp;
    }

    private static void unlink(FileObject fo, Irp irp) {
        if (irp.ioListPrev != null) {
            irp.ioListPrev.ioListNext = irp.ioListNext;
        } else if (fo.ioListHead == irp) {
            fo.ioListHead = irp.ioListNext;
        }
        if (irp.ioListNext != null) {
            irp.ioListNext.ioListPrev = irp.ioListPrev;
        }
        irp.ioListNext = irp.ioListPrev = null;
    }
}
