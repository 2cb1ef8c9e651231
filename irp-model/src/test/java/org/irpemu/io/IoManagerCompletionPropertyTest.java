package org.irpemu.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.irpemu.irp.FileObject;

/**
 * jqwik: random sequences of creates, pending reads, completions (work items on the dispatcher) and
 * cancellations (CancelIoEx of one request or of a whole handle) against the I/O manager and
 * {@link TestDriver}; every Overlapped must complete exactly once.
 */
class IoManagerCompletionPropertyTest {
    // ntstatus.h / wdm.h values, typed in.
    private static final int STATUS_SUCCESS = 0x00000000;
    private static final int STATUS_ACCESS_DENIED = 0xC0000022;
    private static final int STATUS_CANCELLED = 0xC0000120;
    private static final int FILE_OPEN_IF = 3;
    private static final int FILE_READ_DATA = 0x1;
    private static final int FILE_WRITE_DATA = 0x2;
    private static final int FILE_SHARE_ALL = 0x7;
    private static final long TIMEOUT_SECONDS = 10;

    enum Op { CREATE, READ, COMPLETE, CANCEL, CANCEL_FILE }

    record Step(Op op, int pick) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.of(Op.class), Arbitraries.integers().between(0, 1_000))
                .as(Step::new).list().ofMaxSize(40);
    }

    /**
     * Whatever the order of creates, pending reads, completions and cancellations (duplicates
     * included), every Overlapped completes exactly once and no IRP is left outstanding.
     */
    @Property(tries = 150)
    void everyOverlappedCompletesExactlyOnce(@ForAll("steps") List<Step> steps) {
        TestDriver fs = new TestDriver(true);
        try (IoManager io = IoManager.builder().ringSize(64).irpPoolSize(4).start()) {
            NtApi api = io.api(fs.volume);
            Map<Overlapped, AtomicInteger> completions = new ConcurrentHashMap<>();
            Map<Overlapped, FileObject> readFile = new ConcurrentHashMap<>();
            List<Overlapped> all = new ArrayList<>();
            List<Overlapped> reads = new ArrayList<>();
            List<FileObject> handles = new ArrayList<>();
            Overlapped.CompletionHandler counter = ov -> completions.get(ov).incrementAndGet();

            for (Step step : steps) {
                switch (step.op()) {
                    case CREATE: {
                        Overlapped ov = tracked(new Overlapped(), counter, completions, all);
                        // One create in three has no read access, so its reads are refused up front.
                        int access = step.pick() % 3 == 0 ? FILE_WRITE_DATA : FILE_READ_DATA;
                        api.ntCreateFile(ov, "\\f" + step.pick() % 5, access, 0, FILE_SHARE_ALL, FILE_OPEN_IF, 0,
                                null, null);
                        assertThat(ov.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                        handles.add(ov.fileObject());
                        break;
                    }
                    case READ: {
                        if (handles.isEmpty()) {
                            break;
                        }
                        FileObject file = handles.get(step.pick() % handles.size());
                        Overlapped ov = tracked(new Overlapped(), counter, completions, all);
                        readFile.put(ov, file);
                        reads.add(ov);
                        api.ntReadFile(ov, file, null, 0, 8, 0, 0);
                        break;
                    }
                    case COMPLETE:
                        if (!reads.isEmpty()) {
                            io.queueWorkItem(0, fs::completeReadOf, reads.get(step.pick() % reads.size()));
                        }
                        break;
                    case CANCEL:
                        if (!reads.isEmpty()) {
                            Overlapped target = reads.get(step.pick() % reads.size());
                            api.cancelIoEx(readFile.get(target), target);
                        }
                        break;
                    case CANCEL_FILE:
                        if (!handles.isEmpty()) {
                            api.cancelIoEx(handles.get(step.pick() % handles.size()), null);
                        }
                        break;
                    default:
                        throw new AssertionError(step);
                }
            }

            // Finish what is still pending: alternately complete and cancel.
            quiesce(io);
            int i = 0;
            for (Overlapped ov : reads) {
                if (!ov.isDone()) {
                    if (i++ % 2 == 0) {
                        io.queueWorkItem(0, fs::completeReadOf, ov);
                    } else {
                        api.cancelIoEx(readFile.get(ov), ov);
                    }
                }
            }
            quiesce(io);

            for (Overlapped ov : all) {
                assertThat(ov.isDone()).as("%s is done", ov).isTrue();
                assertThat(completions.get(ov)).as("completions of %s", ov).hasValue(1);
            }
            for (Overlapped ov : reads) {
                assertThat(ov.status()).isIn(STATUS_SUCCESS, STATUS_CANCELLED, STATUS_ACCESS_DENIED);
            }
            assertThat(fs.pendingReads).isEmpty();
            assertThat(io.outstandingIrps()).isZero();
            assertThat(io.drainFailures()).isEmpty();
        }
    }

    private static Overlapped tracked(Overlapped ov, Overlapped.CompletionHandler counter,
            Map<Overlapped, AtomicInteger> completions, List<Overlapped> all) {
        completions.put(ov, new AtomicInteger());
        all.add(ov);
        return ov.completionHandler(counter);
    }

    private static void quiesce(IoManager io) {
        assertThat(io.awaitQuiescence(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("quiescent").isTrue();
    }
}
