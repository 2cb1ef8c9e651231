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
 * The cost of one write that breaks N shared oplocks, N from 1 to 10,000, so that its growth with N
 * shows: N handles (FILE_READ_DATA, share all) on one file hold Level 2 (FSCTL_REQUEST_OPLOCK_LEVEL_2),
 * Read or Read-Handle oplocks (FSCTL_REQUEST_OPLOCK, level R or RH); one IRP_MJ_WRITE of 512 bytes
 * through another handle breaks all of them to none (MS-FSA 2.1.4.12: Level 2 and R without
 * acknowledgment, RH with an acknowledgment the write does not wait for) and completes N oplock IRPs.
 * {@link #write} measures the write, from NtWriteFile to its completion.
 *
 * <p>Caveat: the holders are re-armed before every invocation in a {@code Level.Invocation} setup (RH
 * holders first acknowledge their break with level 0, then every holder asks again, then the setup
 * waits until the dispatcher is idle); it costs about as much per holder as the write and is outside
 * the measured time, but JMH times every invocation separately (tens of ns), runs far fewer invocations
 * per iteration for large N, and {@code -prof gc} divides the setup's allocation by the operation count
 * too. Compare the write's time across N, not its throughput with other benchmarks.
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SharedBreakBenchmark extends DisruptorBaselineBenchmark {
    static final String FILE = "\\bench\\shared.dat";
    static final int LENGTH = 512;

    /** N holders and one writer on one file, one busy-spinning dispatcher, no filters. */
    @State(Scope.Thread)
    public static class Holders {
        @Param({"1", "10", "100", "1000", "10000"})
        public int holders;

        /** {@code LEVEL_2}, {@code R} or {@code RH}. */
        @Param({"LEVEL_2", "R", "RH"})
        public String level;

        Machine machine;
        NtApi nt;
        FileObject[] handle;
        Overlapped[] oplock;
        Overlapped[] ack;
        FileObject writer;
        final Overlapped write = new Overlapped();
        final UnsafeBuffer data = new UnsafeBuffer(new byte[LENGTH]);
        final UnsafeBuffer request = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        final UnsafeBuffer acknowledge = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
        boolean level2;
        boolean rh;

        @Setup(Level.Trial)
        public void setUp() {
            level2 = level.equals("LEVEL_2");
            rh = level.equals("RH");
            if (!level2 && !rh && !level.equals("R")) {
                throw new IllegalArgumentException("level must be LEVEL_2, R or RH: " + level);
            }
            machine = BenchMachine.start(0, 4096, FILE);
            nt = machine.api();
            RequestOplockInputBuffer in = new RequestOplockInputBuffer();
            in.wrap(request, 0).set(rh ? OplockLevel.RH : OplockLevel.R,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            in.wrap(acknowledge, 0).set(OplockLevel.NONE, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK);
            handle = new FileObject[holders];
            oplock = new Overlapped[holders];
            ack = new Overlapped[holders];
            for (int i = 0; i < holders; i++) {
                handle[i] = open(AccessMask.FILE_READ_DATA);
                oplock[i] = new Overlapped()
                        .outputBuffer(new UnsafeBuffer(new byte[RequestOplockOutputBuffer.ENCODED_LENGTH]), 0);
                ack[i] = new Overlapped();
            }
            writer = open(AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA);
        }

        private FileObject open(int access) {
            Overlapped ov = new Overlapped();
            nt.ntCreateFile(ov, FILE, access, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS, CreateDisposition.FILE_OPEN,
                    0, null, null);
            Spin.expect(ov, NtStatus.STATUS_SUCCESS, "create");
            return ov.fileObject();
        }

        /** Every holder asks for its oplock again (RH holders acknowledge the last break first). */
        @Setup(Level.Invocation)
        public void rearm() {
            for (int i = 0; i < holders; i++) {
                Overlapped o = oplock[i];
                if (o.isInFlight()) {
                    throw new IllegalStateException("holder " + i + " was not broken by the write");
                }
                if (rh && o.isDone()) {
                    nt.ntFsControlFile(ack[i], handle[i], FsControlCode.FSCTL_REQUEST_OPLOCK, acknowledge, 0,
                            RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
                }
            }
            for (int i = 0; i < holders; i++) {
                if (rh && oplock[i].isDone()) {
                    Spin.expect(ack[i], NtStatus.STATUS_SUCCESS, "RH holder's acknowledgment at level 0");
                }
                if (level2) {
                    nt.ntFsControlFile(oplock[i], handle[i], FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2, null, 0, 0, 0);
                } else {
                    nt.ntFsControlFile(oplock[i], handle[i], FsControlCode.FSCTL_REQUEST_OPLOCK, request, 0,
                            RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
                }
            }
            machine.awaitQuiescence(60_000);
            for (int i = 0; i < holders; i++) {
                if (oplock[i].isDone()) {
                    throw new IllegalStateException("holder " + i + "'s oplock request completed with "
                            + NtStatus.describe(oplock[i].status()));
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            machine.close();
        }
    }


    /** One 512-byte write through the writer's handle, breaking every holder's oplock. */
    @Benchmark
    public int write(Holders h) {
        h.nt.ntWriteFile(h.write, h.writer, h.data, 0, LENGTH, 0, 0);
        return Spin.expect(h.write, NtStatus.STATUS_SUCCESS, "write");
    }
}
