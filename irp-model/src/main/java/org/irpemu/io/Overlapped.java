package org.irpemu.io;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.MutableDirectBuffer;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;
import org.irpemu.status.NtStatus;

/**
 * The caller's side of one asynchronous request, in the role of Win32's {@code OVERLAPPED} plus the
 * {@code IO_STATUS_BLOCK}: it receives the final status and information, the output buffer's bytes and,
 * for a create, the new handle's file object. Wait on it ({@link #await()}), poll it ({@link #isDone()})
 * or give it a {@link CompletionHandler} (a completion port).
 *
 * <p>Reusable: a caller may keep one per outstanding request and submit it again once it is done. It
 * must not be resubmitted while a request is in flight ({@link IllegalStateException}).
 *
 * <p>Memory model: the dispatcher thread writes the results and then the volatile state; a caller that
 * has seen {@link #isDone()} true sees the results.
 */
public final class Overlapped {
    /** Receives completions on the dispatcher thread; must not block (see {@link IoManager}). */
    @FunctionalInterface
    public interface CompletionHandler {
        void completed(Overlapped overlapped);
    }

    static final int IDLE = 0;
    static final int IN_FLIGHT = 1;
    static final int DONE = 2;

    static final int KIND_IRP = 0;
    static final int KIND_CLOSE = 1;

    private volatile int state = IDLE;
    private volatile Thread waiter;

    private int status;
    private long information;
    private FileObject fileObject;
    private MutableDirectBuffer outputBuffer;
    private int outputOffset;
    private CompletionHandler handler;
    private Object attachment;
    private long submitNanos;
    private long completeNanos;

    // Written by the caller at submission.
    long generation;
    int kind;
    volatile int dispatcher;
    int requestOutputLength;
    int closeStatus;

    // Owned by the dispatcher thread while the request is in flight.
    Irp irp;
    long boundGeneration;

    /**
     * Sets where METHOD_BUFFERED output (FSCTL output, query-information data) is copied at completion.
     *
     * @param buffer the caller's buffer, or {@code null} to discard output
     * @param offset where the output starts in {@code buffer}
     * @return this
     */
    public Overlapped outputBuffer(MutableDirectBuffer buffer, int offset) {
        this.outputBuffer = buffer;
        this.outputOffset = offset;
        return this;
    }

    /** @return the caller's output buffer, or {@code null} */
    public MutableDirectBuffer outputBuffer() {
        return outputBuffer;
    }

    /** @return the offset of the output in {@link #outputBuffer()} */
    public int outputOffset() {
        return outputOffset;
    }

    /** Sets the handler called on the dispatcher thread when the request completes (or {@code null}). */
    public Overlapped completionHandler(CompletionHandler handler) {
        this.handler = handler;
        return this;
    }

    /** Attaches an arbitrary caller object (for example a trace label). */
    public Overlapped attachment(Object attachment) {
        this.attachment = attachment;
        return this;
    }

    /** @return the caller's attachment */
    public Object attachment() {
        return attachment;
    }

    /** @return whether the request has completed */
    public boolean isDone() {
        return state == DONE;
    }

    /** @return whether a request is in flight */
    public boolean isInFlight() {
        return state == IN_FLIGHT;
    }

    /**
     * @return the final {@code IoStatus.Status}; STATUS_PENDING while the request is in flight
     */
    public int status() {
        return state == DONE ? status : NtStatus.STATUS_PENDING;
    }

    /** @return the final {@code IoStatus.Information} (valid once done) */
    public long information() {
        return information;
    }

    /** @return for a successful create, the new handle's file object; otherwise {@code null} */
    public FileObject fileObject() {
        return fileObject;
    }

    /** @return {@link System#nanoTime()} when the request was published */
    public long submitNanos() {
        return submitNanos;
    }

    /** @return {@link System#nanoTime()} when the dispatcher completed the request (if timing was on) */
    public long completeNanos() {
        return completeNanos;
    }

    /**
     * Waits until the request completes.
     *
     * @return the final status
     * @throws IllegalStateException when nothing was submitted
     */
    public int await() {
        if (state == IDLE) {
            throw new IllegalStateException("nothing submitted");
        }
        for (int spins = 0; state != DONE; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                waiter = Thread.currentThread();
                if (state != DONE) {
                    LockSupport.park(this);
                }
                waiter = null;
            }
        }
        return status;
    }

    /**
     * Waits at most {@code timeout} for the request to complete.
     *
     * @return whether it completed
     */
    public boolean await(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (state != DONE) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            waiter = Thread.currentThread();
            if (state != DONE) {
                LockSupport.parkNanos(this, Math.min(left, 1_000_000L));
            }
            waiter = null;
        }
        return true;
    }

    /** Called by the submitting thread before the request is published. */
    void begin(int kind, int dispatcher, int requestOutputLength, boolean timed) {
        if (state == IN_FLIGHT) {
            throw new IllegalStateException("this Overlapped already has a request in flight");
        }
        this.kind = kind;
        this.dispatcher = dispatcher;
        this.requestOutputLength = requestOutputLength;
        this.generation++;
        this.status = NtStatus.STATUS_PENDING;
        this.information = 0;
        this.fileObject = null;
        this.submitNanos = timed ? System.nanoTime() : 0L;
        this.completeNanos = 0L;
        this.state = IN_FLIGHT;
    }

    /** Completes a request that never reached a driver (rejected by the I/O manager itself). */
    void completeImmediately(int status, long information) {
        complete(status, information, null, false);
    }

    /** Called on the dispatcher thread: publishes the results, then wakes the waiter or runs the handler. */
    void complete(int status, long information, FileObject fileObject, boolean timed) {
        this.status = status;
        this.information = information;
        this.fileObject = fileObject;
        this.irp = null;
        if (timed) {
            this.completeNanos = System.nanoTime();
        }
        this.state = DONE;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        CompletionHandler h = handler;
        if (h != null) {
            h.completed(this);
        }
    }

    @Override
    public String toString() {
        return "Overlapped{" + (state == DONE ? NtStatus.describe(status) + ", info=" + information
                : state == IN_FLIGHT ? "pending" : "idle") + '}';
    }
}
