package org.irpemu.bench;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.emulator.Machine;
import org.irpemu.io.DispatcherWaitStrategy;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IRPs per second through the whole stack with 0, 1 or 3 PassThrough minifilters, on 1 dispatcher thread
 * or more: the JMH thread keeps {@value #BATCH} requests in flight (it publishes a batch, dealt in turn
 * over one open file per dispatcher, then waits for the last request of each file: a dispatcher completes
 * its requests in order, and an Overlapped cannot be given a new request while its last one is in flight,
 * so a slip fails the run), so the figure is the dispatchers' throughput, not a round trip's latency. Each
 * request is an IRP_MJ_READ of {@value #LENGTH} bytes, or an FSCTL_OPLOCK_BREAK_NOTIFY with no break under
 * way (the cheapest IRP the file system completes). Streams belong to dispatchers by a stable hash of the
 * name, so the file names are chosen to land one on each dispatcher. The baseline of the same run is a
 * bare Disruptor ring fed the same way ({@link #disruptorHops}) and one hop at a time
 * ({@link #disruptorHop}).
 *
 * <p>Scale-out: {@code -p dispatchers=1,2}. With more spinning threads than cores (two dispatchers and
 * the JMH thread on a two-core machine) busy-spinning starves whoever is descheduled: compare with
 * {@code -p waitStrategy=YIELDING}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ThroughputBenchmark extends DisruptorBaselineBenchmark {
    static final int BATCH = 256;
    static final int LENGTH = 64;

    /** The machine, one open file per dispatcher, and a batch of preallocated requests and buffers. */
    @State(Scope.Thread)
    public static class MachineState {
        @Param({"0", "1", "3"})
        public int filters;

        /** Dispatcher threads, one file on each. */
        @Param({"1"})
        public int dispatchers;

        /** How the idle dispatcher waits (DispatcherWaitStrategy). */
        @Param({"BUSY_SPIN"})
        public String waitStrategy;

        Machine machine;
        NtApi nt;
        FileObject[] handles;
        final Overlapped[] requests = new Overlapped[BATCH];
        final UnsafeBuffer[] buffers = new UnsafeBuffer[BATCH];

        @Setup(Level.Trial)
        public void startMachine() {
            machine = PassThroughStack.attach(Machine.builder().dispatchers(dispatchers)
                    .waitStrategy(DispatcherWaitStrategy.valueOf(waitStrategy)).recycleFileObjects(true), filters)
                    .build();
            nt = machine.api();
            handles = new FileObject[dispatchers];
            for (int d = 0; d < dispatchers; d++) {
                String path = "\\bench\\throughput-" + d + ".dat";
                for (int k = 0; machine.ioManager().dispatcherForName(path) != d; k++) {
                    path = "\\bench\\throughput-" + d + "-" + k + ".dat";
                }
                machine.fileSystem().createFile(path, 4096, 0);
                Overlapped open = new Overlapped();
                nt.ntCreateFile(open, path, AccessMask.FILE_READ_DATA, 0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                        CreateDisposition.FILE_OPEN, 0, null, null);
                Spin.expect(open, NtStatus.STATUS_SUCCESS, "create");
                handles[d] = open.fileObject();
            }
            for (int i = 0; i < BATCH; i++) {
                requests[i] = new Overlapped();
                buffers[i] = new UnsafeBuffer(new byte[LENGTH]);
            }
        }

        @TearDown(Level.Trial)
        public void stopMachine() {
            for (FileObject h : handles) {
                Overlapped close = new Overlapped();
                nt.ntClose(close, h);
                Spin.await(close);
            }
            machine.close();
        }

        /** Waits for the last request of every file of the batch. */
        int awaitBatch(String what) {
            int status = 0;
            for (int f = 0; f < handles.length; f++) {
                status = Spin.expect(requests[BATCH - 1 - f], NtStatus.STATUS_SUCCESS, what);
            }
            return status;
        }
    }

    /** {@value #BATCH} reads in flight; the score is reads (IRPs) per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int reads(MachineState m) {
        NtApi nt = m.nt;
        FileObject[] handles = m.handles;
        int files = handles.length;
        Overlapped[] requests = m.requests;
        UnsafeBuffer[] buffers = m.buffers;
        for (int i = 0; i < BATCH; i++) {
            nt.ntReadFile(requests[i], handles[i % files], buffers[i], 0, LENGTH, 0, 0);
        }
        return m.awaitBatch("read");
    }

    /** {@value #BATCH} FSCTL_OPLOCK_BREAK_NOTIFY requests in flight; the score is IRPs per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int breakNotifies(MachineState m) {
        NtApi nt = m.nt;
        FileObject[] handles = m.handles;
        int files = handles.length;
        Overlapped[] requests = m.requests;
        for (int i = 0; i < BATCH; i++) {
            nt.ntFsControlFile(requests[i], handles[i % files], FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY, null, 0, 0, 0);
        }
        return m.awaitBatch("FSCTL_OPLOCK_BREAK_NOTIFY");
    }

    /** Baseline: {@value #BATCH} events through a bare Disruptor ring the same way; the score is events per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long disruptorHops(Baseline h) {
        return h.hop.hops(BATCH);
    }
}
