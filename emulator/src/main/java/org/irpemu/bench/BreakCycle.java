package org.irpemu.bench;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * One client's side of a workload: the handles, {@link Overlapped}s and buffers of one repeated cycle,
 * all allocated once. A cycle has three parts:
 * <ol>
 * <li>{@link #arm()}: the holder takes its oplock (and whatever else precedes the conflict), before the
 *     operation's intended start when the client keeps up with the schedule;
 * <li>{@link #run}: at the intended start, the conflicting request is issued; the holder reacts to the
 *     break on this client thread (never on a dispatcher); the cycle ends with the stream as it was
 *     before {@code arm()};
 * <li>{@link #tearDown()} once at the end, for handles that live across cycles.
 * </ol>
 * Times come from {@link Overlapped#completeNanos()}, the dispatcher's completion time (the machine
 * runs with timing on), so that a client thread's wake-up after the last completion is not counted.
 *
 * <p>Every step checks its status; an unexpected one ends the run with a {@link BenchException}.
 * Besides the {@code FILE_OBJECT} that {@code NtCreateFile} creates, a cycle allocates nothing.
 */
abstract class BreakCycle {
    static final int SHARE_ALL = org.irpemu.irp.ShareAccessFlags.FILE_SHARE_VALID_FLAGS;

    final String workload;
    final NtApi nt;
    final String path;

    BreakCycle(String workload, NtApi nt, String path) {
        this.workload = workload;
        this.nt = nt;
        this.path = path;
    }

    /** Opens what lives across cycles; called once on the client thread before the first {@link #arm()}. */
    void setUp() {
    }

    /** Takes the oplock(s) the next {@link #run} breaks. */
    abstract void arm();

    /**
     * Issues the conflicting request, lets the holder react, waits for everything, records the latencies
     * from {@code intendedStartNanos} into {@code metrics}.
     *
     * @param intendedStartNanos the operation's start on the schedule, {@link System#nanoTime()} scale
     */
    abstract void run(long intendedStartNanos, Metrics metrics);

    /** Closes what {@link #setUp()} opened. */
    void tearDown() {
    }

    /** {@code NtCreateFile} with FILE_OPEN on this cycle's file, waited for; it must succeed. */
    final FileObject open(Overlapped ov, int access, int share, int options, String what) {
        nt.ntCreateFile(ov, path, access, 0, share, CreateDisposition.FILE_OPEN, options, null, null);
        Completions.expect(ov, NtStatus.STATUS_SUCCESS, workload, what);
        return ov.fileObject();
    }

    /** Issues {@code NtCreateFile} with FILE_OPEN on this cycle's file without waiting. */
    final void issueOpen(Overlapped ov, int access, int share, int options) {
        nt.ntCreateFile(ov, path, access, 0, share, CreateDisposition.FILE_OPEN, options, null, null);
    }

    /** {@code NtClose}, waited for; it must succeed. */
    final void close(Overlapped ov, FileObject file, String what) {
        nt.ntClose(ov, file);
        Completions.expect(ov, NtStatus.STATUS_SUCCESS, workload, what);
    }

    /** @return a REQUEST_OPLOCK_INPUT_BUFFER with the level and flags, in its own buffer */
    static UnsafeBuffer requestOplockInput(int level, int flags) {
        UnsafeBuffer b = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        new RequestOplockInputBuffer().wrap(b, 0).set(level, flags);
        return b;
    }

    /** @return a buffer for a REQUEST_OPLOCK_OUTPUT_BUFFER */
    static UnsafeBuffer requestOplockOutput() {
        return new UnsafeBuffer(new byte[RequestOplockOutputBuffer.ENCODED_LENGTH]);
    }

    /**
     * Checks the REQUEST_OPLOCK_OUTPUT_BUFFER of a break (MS-FSA 2.1.5.17.3: OriginalOplockLevel,
     * NewOplockLevel, REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED).
     */
    final void expectBreak(MutableDirectBuffer output, int original, int newLevel, boolean ackRequired, String what) {
        int o = output.getInt(RequestOplockOutputBuffer.ORIGINAL_OPLOCK_LEVEL_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = output.getInt(RequestOplockOutputBuffer.NEW_OPLOCK_LEVEL_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        int f = output.getInt(RequestOplockOutputBuffer.FLAGS_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
        boolean ack = (f & RequestOplockOutputBuffer.REQUEST_OPLOCK_OUTPUT_FLAG_ACK_REQUIRED) != 0;
        if (o != original || n != newLevel || ack != ackRequired) {
            throw new BenchException(workload + ": " + what + " broke " + org.irpemu.irp.OplockLevel.format(o)
                    + " -> " + org.irpemu.irp.OplockLevel.format(n) + (ack ? " with" : " without")
                    + " acknowledgment, expected " + org.irpemu.irp.OplockLevel.format(original) + " -> "
                    + org.irpemu.irp.OplockLevel.format(newLevel));
        }
    }

    /** Checks the Information of a legacy oplock's break (FILE_OPLOCK_BROKEN_TO_*). */
    final void expectInformation(Overlapped ov, long information, String what) {
        if (ov.information() != information) {
            throw new BenchException(workload + ": " + what + " completed with information " + ov.information()
                    + ", expected " + information);
        }
    }
}
