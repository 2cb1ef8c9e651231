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
 * What one IRP costs through the whole stack (NtApi, ring, dispatcher, Filter Manager frame with 0, 1 or
 * 3 PassThrough minifilters, reference file system, completion), one request type per benchmark, each a
 * synchronous round trip from the JMH thread to a busy-spinning dispatcher; against the bare Disruptor hop
 * and ping-pong of the same run (a request and its completion are one ping-pong's two hops).
 * <ul>
 * <li>{@link #create}: IRP_MJ_CREATE, FILE_OPEN of an existing 4 KiB file for FILE_READ_DATA, share all
 *     (the handle is closed after each invocation, outside the measured time);
 * <li>{@link #fsctl}: IRP_MJ_FILE_SYSTEM_CONTROL, FSCTL_OPLOCK_BREAK_NOTIFY with no break in progress
 *     (FsRtlOplockFsctrl completes it at once with STATUS_SUCCESS);
 * <li>{@link #read} and {@link #write}: IRP_MJ_READ / IRP_MJ_WRITE of 4 KiB at offset 0, preallocated buffer;
 * <li>{@link #close}: NtClose, that is IRP_MJ_CLEANUP then IRP_MJ_CLOSE (the handle is opened before each
 *     invocation, outside the measured time).
 * </ul>
 * {@code fsctl}, {@code read} and {@code write} run without per-invocation fixtures: their
 * {@code gc.alloc.rate.norm} under {@code -prof gc} is the stack's own allocation per IRP. For
 * {@code create} and {@code close} it also counts the fixture's close or create ({@code Level.Invocation}).
 */
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class DispatchCostBenchmark extends DisruptorBaselineBenchmark {
    static final String FILE = "\\bench\\dispatch.dat";
    static final int LENGTH = 4096;

    /**
     * The machine, a handle open for reading and writing, and the requests' Overlapped and buffers. The
     * states with per-invocation fixtures extend it: JMH would give a fixture that takes this state as an
     * argument an instance of its own, with a machine of its own.
     */
    @State(Scope.Thread)
    public static class MachineState {
        @Param({"0", "1", "3"})
        public int filters;

        Machine machine;
        NtApi nt;
        FileObject handle;
        final Overlapped request = new Overlapped();
        final UnsafeBuffer data = new UnsafeBuffer(new byte[LENGTH]);

        @Setup(Level.Trial)
        public void startMachine() {
            machine = BenchMachine.start(filters, LENGTH, FILE);
            nt = machine.api();
            Overlapped open = new Overlapped();
            nt.ntCreateFile(open, FILE, AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, 0,
                    ShareAccessFlags.FILE_SHARE_VALID_FLAGS, CreateDisposition.FILE_OPEN, 0, null, null);
            Spin.expect(open, NtStatus.STATUS_SUCCESS, "create");
            handle = open.fileObject();
        }

        @TearDown(Level.Trial)
        public void stopMachine() {
            Overlapped close = new Overlapped();
            nt.ntClose(close, handle);
            Spin.await(close);
            machine.close();
        }
    }

    /** For {@link #create}: closes the handle each invocation created. */
    @State(Scope.Thread)
    public static class Created extends MachineState {
        final Overlapped open = new Overlapped();
        final Overlapped close = new Overlapped();

        @TearDown(Level.Invocation)
        public void closeIt() {
            nt.ntClose(close, open.fileObject());
            Spin.expect(close, NtStatus.STATUS_SUCCESS, "close");
        }
    }

    /** For {@link #close}: opens the handle each invocation closes. */
    @State(Scope.Thread)
    public static class Opened extends MachineState {
        final Overlapped open = new Overlapped();
        final Overlapped close = new Overlapped();

        @Setup(Level.Invocation)
        public void openIt() {
            nt.ntCreateFile(open, FILE, AccessMask.FILE_READ_DATA, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                    CreateDisposition.FILE_OPEN, 0, null, null);
            Spin.expect(open, NtStatus.STATUS_SUCCESS, "create");
        }
    }


    /** IRP_MJ_CREATE (FILE_OPEN, FILE_READ_DATA, share all). */
    @Benchmark
    public int create(Created c) {
        c.nt.ntCreateFile(c.open, FILE, AccessMask.FILE_READ_DATA, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                CreateDisposition.FILE_OPEN, 0, null, null);
        return Spin.expect(c.open, NtStatus.STATUS_SUCCESS, "create");
    }

    /** IRP_MJ_FILE_SYSTEM_CONTROL: FSCTL_OPLOCK_BREAK_NOTIFY, no break in progress. */
    @Benchmark
    public int fsctl(MachineState m) {
        m.nt.ntFsControlFile(m.request, m.handle, FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY, null, 0, 0, 0);
        return Spin.expect(m.request, NtStatus.STATUS_SUCCESS, "FSCTL_OPLOCK_BREAK_NOTIFY");
    }

    /** IRP_MJ_READ, 4 KiB at offset 0. */
    @Benchmark
    public int read(MachineState m) {
        m.nt.ntReadFile(m.request, m.handle, m.data, 0, LENGTH, 0, 0);
        return Spin.expect(m.request, NtStatus.STATUS_SUCCESS, "read");
    }

    /** IRP_MJ_WRITE, 4 KiB at offset 0. */
    @Benchmark
    public int write(MachineState m) {
        m.nt.ntWriteFile(m.request, m.handle, m.data, 0, LENGTH, 0, 0);
        return Spin.expect(m.request, NtStatus.STATUS_SUCCESS, "write");
    }

    /** NtClose: IRP_MJ_CLEANUP and IRP_MJ_CLOSE. */
    @Benchmark
    public int close(Opened o) {
        o.nt.ntClose(o.close, o.open.fileObject());
        return Spin.expect(o.close, NtStatus.STATUS_SUCCESS, "close");
    }
}
