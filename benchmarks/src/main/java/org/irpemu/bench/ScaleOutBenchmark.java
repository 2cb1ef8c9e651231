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
 * IRPs per second through 3 PassThrough minifilters on 1 or 2 dispatcher threads: one file per
 * dispatcher (streams belong to dispatchers by a stable hash of the name, so the names are chosen to land
 * one on each), and the JMH thread keeps {@value #BATCH} reads in flight, dealt over the files in turn.
 * Each dispatcher completes its own requests in order, so the batch is done when the last request of
 * every file is. The wait strategy is a parameter: with more spinning threads than cores (two
 * dispatchers and the JMH thread on a two-core machine) busy-spinning starves whoever is descheduled.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ScaleOutBenchmark {
    static final int BATCH = 256;
    static final int LENGTH = 64;
    static final int FILTERS = 3;

    /** The machine, one open file per dispatcher, and a batch of preallocated requests. */
    @State(Scope.Thread)
    public static class MachineState {
        @Param({"1", "2"})
        public int dispatchers;

        /** How idle dispatchers wait (DispatcherWaitStrategy). */
        @Param({"YIELDING", "BUSY_SPIN"})
        public String waitStrategy;

        Machine machine;
        NtApi nt;
        FileObject[] handles;
        final Overlapped[] requests = new Overlapped[BATCH];
        final UnsafeBuffer[] buffers = new UnsafeBuffer[BATCH];

        @Setup(Level.Trial)
        public void startMachine() {
            machine = PassThroughStack.attach(Machine.builder().dispatchers(dispatchers)
                    .waitStrategy(DispatcherWaitStrategy.valueOf(waitStrategy)).recycleFileObjects(true), FILTERS)
                    .build();
            nt = machine.api();
            handles = new FileObject[dispatchers];
            for (int d = 0; d < dispatchers; d++) {
                String path = "\\bench\\scale-" + d + ".dat";
                for (int k = 0; machine.ioManager().dispatcherForName(path) != d; k++) {
                    path = "\\bench\\scale-" + d + "-" + k + ".dat";
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
    }

    /** {@value #BATCH} reads in flight over one file per dispatcher; the score is reads (IRPs) per second. */
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
        int status = 0;
        for (int f = 0; f < files; f++) {
            status = Spin.expect(requests[BATCH - 1 - f], NtStatus.STATUS_SUCCESS, "read");
        }
        return status;
    }
}
