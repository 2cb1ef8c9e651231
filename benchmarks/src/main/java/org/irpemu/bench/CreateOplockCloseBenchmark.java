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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NtCreateFile, FSCTL_REQUEST_OPLOCK (Read-Handle), NtClose through the whole stack — I/O manager ring,
 * Filter Manager frame, reference file system, oplock package — against a bare Disruptor hop measured in
 * the same run. Dispatchers busy-spin; each operation is one client thread's synchronous round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class CreateOplockCloseBenchmark extends DisruptorBaselineBenchmark {
    /** A machine with one busy-spinning dispatcher and one file. */
    @State(Scope.Thread)
    public static class MachineState {
        Machine machine;
        NtApi nt;
        final Overlapped create = new Overlapped();
        final Overlapped oplock = new Overlapped();
        final Overlapped close = new Overlapped();
        final UnsafeBuffer input = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);

        @Setup(Level.Trial)
        public void setUp() {
            machine = Machine.builder().waitStrategy(DispatcherWaitStrategy.BUSY_SPIN).recycleFileObjects(true).build();
            machine.fileSystem().createFile("\\bench\\file.txt", 4096, 0);
            nt = machine.api();
            new RequestOplockInputBuffer().wrap(input, 0).set(OplockLevel.RH,
                    RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
            oplock.outputBuffer(new UnsafeBuffer(new byte[RequestOplockOutputBuffer.ENCODED_LENGTH]), 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            machine.close();
        }
    }


    /** Open, take a Read-Handle oplock, close: the oplock request completes with STATUS_OPLOCK_HANDLE_CLOSED. */
    @Benchmark
    public int createOplockClose(MachineState m) {
        NtApi nt = m.nt;
        Overlapped create = m.create;
        Overlapped oplock = m.oplock;
        Overlapped close = m.close;
        UnsafeBuffer input = m.input;
        nt.ntCreateFile(create, "\\bench\\file.txt", AccessMask.FILE_READ_DATA | AccessMask.FILE_READ_ATTRIBUTES,
                0, ShareAccessFlags.FILE_SHARE_VALID_FLAGS, CreateDisposition.FILE_OPEN, 0, null, null);
        create.await();
        FileObject fo = create.fileObject();
        nt.ntFsControlFile(oplock, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, input, 0,
                RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        nt.ntClose(close, fo);
        close.await();
        int status = oplock.await();
        if (status != NtStatus.STATUS_OPLOCK_HANDLE_CLOSED) {
            throw new IllegalStateException("oplock request completed with " + NtStatus.describe(status));
        }
        return status;
    }
}
