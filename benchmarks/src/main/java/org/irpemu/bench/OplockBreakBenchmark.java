package org.irpemu.bench;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.emulator.Machine;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The oplock break round trip through the whole stack (I/O manager ring, Filter Manager frame with 0, 1
 * or 3 PassThrough minifilters, reference file system, oplock package), against the bare Disruptor hop
 * and ping-pong measured in the same run.
 *
 * <p>The cycle: handle A (FILE_READ_DATA|FILE_WRITE_DATA) holds a Read-Write-Handle oplock
 * (FSCTL_REQUEST_OPLOCK, REQUEST_OPLOCK_INPUT_FLAG_REQUEST, level RWH); handle B's NtCreateFile
 * (FILE_READ_DATA, share all) breaks it to Read-Handle (MS-FSA 2.1.4.12: acknowledgment required) and
 * waits; A acknowledges with FSCTL_REQUEST_OPLOCK, REQUEST_OPLOCK_INPUT_FLAG_ACK, level RH (the
 * acknowledgment IRP becomes A's RH oplock and stays pending, conformance 04 and
 * examples/scenarios/ack/05); B's create completes; B and A close (A's RH oplock completes with
 * STATUS_OPLOCK_HANDLE_CLOSED).
 * <ul>
 * <li>{@link #roundTrip}: from B's create issued to B's create completed, A's acknowledgment included;
 * <li>{@link #breakNotify}: from B's create issued to A's oplock IRP completed;
 * <li>{@link #fullCycle}: the whole cycle, opens and closes included, with no per-invocation fixture.
 * </ul>
 * {@code roundTrip} and {@code breakNotify} arm A (open, RWH request, spin until it is granted)
 * in a {@code Level.Invocation} setup and finish the cycle in a {@code Level.Invocation} tear-down, outside
 * the measured time. JMH's caveat applies: each invocation is timed on its own (two {@code nanoTime}
 * calls, some tens of ns, small beside a round trip of microseconds), and {@code -prof gc} divides the
 * allocation of the fixtures too by the operation count: for allocation per operation read
 * {@code fullCycle} and {@link DispatchCostBenchmark}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OplockBreak -prof gc}.
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class OplockBreakBenchmark extends DisruptorBaselineBenchmark {
    static final String FILE = "\\bench\\break.docx";

    /**
     * The machine (one busy-spinning dispatcher, {@code filters} PassThrough instances, one file) and one
     * cycle's requests, all preallocated. One state object per benchmark: JMH gives a state that another
     * state's fixture takes as an argument its own instance, so fixtures and benchmark share nothing else.
     */
    @State(Scope.Thread)
    public static class Cycle {
        @Param({"0", "1", "3"})
        public int filters;

        Machine machine;
        NtApi nt;
        final UnsafeBuffer requestRwh = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        final UnsafeBuffer ackRh = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        final Overlapped openA = new Overlapped();
        final Overlapped oplockA = new Overlapped()
                .outputBuffer(new UnsafeBuffer(new byte[RequestOplockOutputBuffer.ENCODED_LENGTH]), 0);
        final Overlapped ackA = new Overlapped()
                .outputBuffer(new UnsafeBuffer(new byte[RequestOplockOutputBuffer.ENCODED_LENGTH]), 0);
        final Overlapped openB = new Overlapped();
        final Overlapped closeA = new Overlapped();
        final Overlapped closeB = new Overlapped();
        final Overlapped fence = new Overlapped();
        FileObject a;

        @Setup(Level.Trial)
        public void startMachine() {
            machine = BenchMachine.start(filters, 4096, FILE);
            nt = machine.api();
            RequestOplockInputBuffer in = new RequestOplockInputBuffer();
            in.wrap(requestRwh, 0).set(OplockLevel.RWH, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            in.wrap(ackRh, 0).set(OplockLevel.RH, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK);
        }

        @TearDown(Level.Trial)
        public void stopMachine() {
            machine.close();
        }

        /** Opens A and takes RWH. */
        void arm() {
            nt.ntCreateFile(openA, FILE, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, 0,
                    ShareAccessFlags.FILE_SHARE_VALID_FLAGS, CreateDisposition.FILE_OPEN, 0, null, null);
            Spin.expect(openA, NtStatus.STATUS_SUCCESS, "A's create");
            a = openA.fileObject();
            nt.ntFsControlFile(oplockA, a, FsControlCode.FSCTL_REQUEST_OPLOCK, requestRwh, 0,
                    RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        }

        /**
         * Waits, spinning, until the dispatcher has processed A's oplock request: a request sent after it
         * (FSCTL_OPLOCK_BREAK_NOTIFY, which completes at once with no break under way) has completed, and one
         * dispatcher processes in order. Spinning, not sleeping: a sleeping thread would measure its own
         * wake-up (cold caches, a descheduled core) instead of the emulator.
         */
        void fence() {
            nt.ntFsControlFile(fence, a, FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY, null, 0, 0, 0);
            Spin.expect(fence, NtStatus.STATUS_SUCCESS, "the fence after A's oplock request");
            if (oplockA.isDone()) {
                throw new IllegalStateException("A's RWH oplock request was not granted: " + oplockA);
            }
        }

        /** Issues B's create: the break. */
        void conflict() {
            nt.ntCreateFile(openB, FILE, AccessMask.FILE_READ_DATA, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                    CreateDisposition.FILE_OPEN, 0, null, null);
        }

        /** A acknowledges at RH. */
        void acknowledge() {
            nt.ntFsControlFile(ackA, a, FsControlCode.FSCTL_REQUEST_OPLOCK, ackRh, 0,
                    RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        }

        /** Closes B and A; A's RH oplock completes with STATUS_OPLOCK_HANDLE_CLOSED. */
        void close() {
            nt.ntClose(closeB, openB.fileObject());
            Spin.expect(closeB, NtStatus.STATUS_SUCCESS, "B's close");
            nt.ntClose(closeA, a);
            Spin.expect(closeA, NtStatus.STATUS_SUCCESS, "A's close");
            Spin.expect(ackA, NtStatus.STATUS_OPLOCK_HANDLE_CLOSED, "A's RH oplock (the acknowledgment)");
        }
    }

    /** For {@link #roundTrip}: A armed before each invocation (its grant processed); B and A closed after it. */
    @State(Scope.Thread)
    public static class ArmedForRoundTrip extends Cycle {
        @Setup(Level.Invocation)
        public void armHolder() {
            arm();
            fence();
        }

        @TearDown(Level.Invocation)
        public void finish() {
            close();
        }
    }

    /** For {@link #breakNotify}: A armed before each invocation; acknowledged, B awaited, both closed after it. */
    @State(Scope.Thread)
    public static class ArmedForNotify extends Cycle {
        @Setup(Level.Invocation)
        public void armHolder() {
            arm();
            fence();
        }

        @TearDown(Level.Invocation)
        public void finish() {
            acknowledge();
            Spin.expect(openB, NtStatus.STATUS_SUCCESS, "B's create");
            close();
        }
    }


    /** B's create issued → B's create completed, A's acknowledgment at RH in between. */
    @Benchmark
    public int roundTrip(ArmedForRoundTrip c) {
        c.conflict();
        Spin.expect(c.oplockA, NtStatus.STATUS_SUCCESS, "A's RWH oplock");
        c.acknowledge();
        return Spin.expect(c.openB, NtStatus.STATUS_SUCCESS, "B's create");
    }

    /** B's create issued → A's oplock IRP completed (the break notification reaches the holder). */
    @Benchmark
    public int breakNotify(ArmedForNotify c) {
        c.conflict();
        return Spin.expect(c.oplockA, NtStatus.STATUS_SUCCESS, "A's RWH oplock");
    }

    /** The whole cycle, A's create to A's close: 8 IRPs (2 creates, 2 FSCTLs, 2 cleanups, 2 closes). */
    @Benchmark
    public int fullCycle(Cycle c) {
        c.arm();
        c.conflict();
        Spin.expect(c.oplockA, NtStatus.STATUS_SUCCESS, "A's RWH oplock");
        c.acknowledge();
        Spin.expect(c.openB, NtStatus.STATUS_SUCCESS, "B's create");
        c.close();
        return c.ackA.status();
    }
}
