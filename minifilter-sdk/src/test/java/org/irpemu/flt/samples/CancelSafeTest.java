package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.samples.VirtualFileScripts.ALL;
import static org.irpemu.flt.samples.VirtualFileScripts.READ;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CancelSafe sample: creates of *.csq files wait in a cancel-safe callback data queue (FltCbdq*) and
 * resume in arrival order; a create cancelled while queued completes once with STATUS_CANCELLED through
 * CompleteCanceledIo and is never resumed (FltCbdqInitialize, FltCbdqRemoveNextIo: "only returns ops not
 * yet cancelled"); InstanceTeardownStart disables and drains the queue. Every test runs under the
 * minifilter verifier.
 */
@Timeout(120)
class CancelSafeTest {
    /** A machine with CancelSafe (resuming only on releaseAll unless {@code delayMillis} &gt; 0) and a monitor below. */
    private static TestMachine machine(int dispatchers, CancelSafe cs, ActivityMonitor below) {
        TestMachine m = new TestMachine(dispatchers, fs -> fs.createFile("\\plain.txt", 10, 0));
        m.verify();
        if (below != null) {
            m.attach(below.registration(), "100000");
        }
        return m;
    }

    private static FltInstance attach(TestMachine m, CancelSafe cs) {
        return m.attach(cs.registration(), CancelSafe.DEFAULT_ALTITUDE);
    }

    /** The file names of the creates the monitor below saw, in the order it saw them. */
    private static List<String> createsSeenBelow(ActivityMonitor monitor) {
        List<String> out = new ArrayList<>();
        for (ActivityMonitor.Record r : monitor.records()) {
            if (!r.isPost() && r.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
                out.add(r.fileName());
            }
        }
        return out;
    }

    private static Overlapped create(TestMachine m, String path) {
        return m.create(path, READ, ALL, CreateDisposition.FILE_OPEN_IF, 0, null);
    }

    private static void closeAll(TestMachine m, List<Overlapped> creates) {
        for (Overlapped ov : creates) {
            if (ov.isDone() && NtStatus.ntSuccess(ov.status())) {
                assertThat(m.awaitStatus(m.close(ov.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
        }
    }

    @Test
    void queuedCreatesResumeInArrivalOrderOnReleaseAll() {
        CancelSafe cs = new CancelSafe(".csq", 0);
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(1, cs, below)) {
            attach(m, cs);
            List<Overlapped> creates = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                names.add("\\q" + i + ".CSQ");
                creates.add(create(m, names.get(i)));
                m.quiesce();
            }
            Overlapped plain = create(m, "\\plain.txt");
            assertThat(m.awaitStatus(plain)).as("other files are not queued").isEqualTo(NtStatus.STATUS_SUCCESS);
            for (Overlapped ov : creates) {
                assertThat(ov.isDone()).isFalse();
            }
            assertThat(cs.queueLength()).isEqualTo(6);
            assertThat(cs.queued()).isEqualTo(6);
            assertThat(createsSeenBelow(below)).containsExactly("\\plain.txt");

            cs.releaseAll();
            for (Overlapped ov : creates) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
                assertThat(ov.information()).isEqualTo(CreateDisposition.FILE_CREATED);
            }
            assertThat(cs.resumed()).isEqualTo(6);
            assertThat(cs.cancelled()).isZero();
            assertThat(cs.queueLength()).isZero();
            List<String> expected = new ArrayList<>(List.of("\\plain.txt"));
            expected.addAll(names);
            assertThat(createsSeenBelow(below)).containsExactlyElementsOf(expected);
            closeAll(m, creates);
            assertThat(m.awaitStatus(m.close(plain.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void queuedCreatesResumeByThemselvesAfterTheDelay(int dispatchers) {
        CancelSafe cs = new CancelSafe(".csq", 20);
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(dispatchers, cs, below)) {
            attach(m, cs);
            List<Overlapped> creates = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                creates.add(create(m, "\\d" + i + ".csq"));
            }
            for (Overlapped ov : creates) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            assertThat(cs.queued()).isEqualTo(5);
            assertThat(cs.resumed()).isEqualTo(5);
            assertThat(cs.queueLength()).isZero();
            closeAll(m, creates);
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void aCancelledQueuedCreateCompletesOnceWithStatusCancelledAndIsNeverResumed(int dispatchers) {
        CancelSafe cs = new CancelSafe(".csq", 0);
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(dispatchers, cs, below)) {
            attach(m, cs);
            AtomicInteger completions = new AtomicInteger();
            Overlapped first = create(m, "\\first.csq");
            Overlapped victim = m.nt.ntCreateFile(new Overlapped().completionHandler(o -> completions.incrementAndGet()),
                    "\\victim.csq", READ, 0, ALL, CreateDisposition.FILE_CREATE, 0, null, null);
            Overlapped last = create(m, "\\last.csq");
            m.quiesce();
            assertThat(cs.queueLength()).isEqualTo(3);

            assertThat(m.nt.cancelIoEx(null, victim)).isTrue();
            assertThat(m.awaitStatus(victim)).isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(cs.cancelled()).isEqualTo(1);
            assertThat(cs.queueLength()).isEqualTo(2);
            assertThat(first.isDone()).isFalse();
            assertThat(last.isDone()).isFalse();
            // A second cancel finds nothing in flight.
            assertThat(m.nt.cancelIoEx(null, victim)).isFalse();

            cs.releaseAll();
            assertThat(m.awaitStatus(first)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(last)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(cs.resumed()).isEqualTo(2);
            assertThat(completions.get()).as("the cancelled create completed exactly once").isEqualTo(1);
            assertThat(victim.status()).isEqualTo(NtStatus.STATUS_CANCELLED);
            assertThat(m.fs.exists("\\victim.csq")).as("the cancelled create never reached the file system").isFalse();
            assertThat(createsSeenBelow(below)).doesNotContain("\\victim.csq");
            closeAll(m, List.of(first, last));
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void aCancelRacingAReleaseNeverCompletesACreateTwiceAndNeverLosesOne(int dispatchers) throws Exception {
        CancelSafe cs = new CancelSafe(".csq", 0);
        int rounds = 150;
        int perRound = 4;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (TestMachine m = machine(dispatchers, cs, null)) {
            attach(m, cs);
            AtomicInteger completions = new AtomicInteger();
            List<Overlapped> all = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Overlapped> batch = new ArrayList<>();
                for (int i = 0; i < perRound; i++) {
                    Overlapped ov = new Overlapped().completionHandler(o -> completions.incrementAndGet());
                    batch.add(m.nt.ntCreateFile(ov, "\\r" + round + "-" + i + ".csq", READ, 0, ALL,
                            CreateDisposition.FILE_OPEN_IF, 0, null, null));
                }
                all.addAll(batch);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> racers = new ArrayList<>();
                // Two threads cancel (half of the creates each, from opposite ends), one releases.
                racers.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perRound; i += 2) {
                        m.nt.cancelIoEx(null, batch.get(i));
                    }
                    return null;
                }));
                racers.add(pool.submit(() -> {
                    go.await();
                    for (int i = perRound - 1; i >= 0; i -= 2) {
                        m.nt.cancelIoEx(null, batch.get(i));
                    }
                    return null;
                }));
                racers.add(pool.submit(() -> {
                    go.await();
                    cs.releaseAll();
                    return null;
                }));
                go.countDown();
                for (Future<?> f : racers) {
                    f.get(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
                cs.releaseAll(); // whatever neither took
                for (Overlapped ov : batch) {
                    assertThat(m.awaitStatus(ov)).isIn(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_CANCELLED);
                }
            }
            m.quiesce();
            int total = rounds * perRound;
            assertThat(completions.get()).as("every create completed exactly once").isEqualTo(total);
            long succeeded = all.stream().filter(o -> o.status() == NtStatus.STATUS_SUCCESS).count();
            long cancelled = all.stream().filter(o -> o.status() == NtStatus.STATUS_CANCELLED).count();
            assertThat(succeeded + cancelled).isEqualTo(total);
            assertThat(cs.queued()).isEqualTo(total);
            assertThat(cs.resumed()).isEqualTo(succeeded);
            assertThat(cs.cancelled()).isEqualTo(cancelled);
            assertThat(cs.queueLength()).isZero();
            closeAll(m, all);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void detachingTheInstanceDrainsTheQueueAndLaterCreatesAreNotQueued(int dispatchers) {
        CancelSafe cs = new CancelSafe(".csq", 0);
        ActivityMonitor below = new ActivityMonitor();
        try (TestMachine m = machine(dispatchers, cs, below)) {
            FltInstance instance = attach(m, cs);
            List<Overlapped> creates = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                creates.add(create(m, "\\t" + i + ".csq"));
            }
            m.quiesce();
            assertThat(cs.queueLength()).isEqualTo(4);

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            for (Overlapped ov : creates) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            assertThat(cs.resumed()).isEqualTo(4);
            assertThat(cs.queueLength()).isZero();

            Overlapped later = create(m, "\\later.csq");
            assertThat(m.awaitStatus(later)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(cs.queued()).isEqualTo(4);
            creates.add(later);
            closeAll(m, creates);
        }
    }

    @ParameterizedTest(name = "delay {0} ms")
    @ValueSource(ints = {0, 5})
    void aFilterDetachedAndAttachedAgainQueuesAndResumesAsBefore(int delayMillis) {
        CancelSafe cs = new CancelSafe(".csq", delayMillis);
        try (TestMachine m = machine(1, cs, null)) {
            FltInstance first = attach(m, cs);
            Overlapped before = create(m, "\\before.csq");
            m.quiesce();
            assertThat(m.flt.detachVolume(first)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(before)).isEqualTo(NtStatus.STATUS_SUCCESS);

            FltInstance second = m.flt.attachVolumeAtAltitude(first.filter(), CancelSafe.DEFAULT_ALTITUDE,
                    "CancelSafe Instance 2");
            assertThat(second).isNotNull();
            Overlapped after = create(m, "\\after.csq");
            m.quiesce();
            assertThat(cs.queued()).isEqualTo(2);
            if (delayMillis == 0) {
                assertThat(after.isDone()).isFalse();
                assertThat(cs.queueLength()).isEqualTo(1);
                cs.releaseAll();
            }
            assertThat(m.awaitStatus(after)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(cs.resumed()).isEqualTo(2);
            closeAll(m, List.of(before, after));
        }
    }

    @Test
    void aCreateCancelledWhileAFilterAboveHeldItCompletesCancelledWhenQueued() {
        // FltCbdqInsertIo: an operation already cancelled when it is inserted goes to CompleteCanceledIo.
        CancelSafe cs = new CancelSafe(".csq", 0);
        try (TestMachine m = machine(1, cs, null)) {
            attach(m, cs);
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(FltRegistration.builder("Holder").operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, ctx) -> {
                if (held.compareAndSet(null, data)) {
                    return FltPreopCallbackStatus.FLT_PREOP_PENDING;
                }
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
            }, null).build(), "380000");
            Overlapped ov = create(m, "\\held.csq");
            m.quiesce();
            assertThat(held.get()).isNotNull();
            assertThat(m.nt.cancelIoEx(null, ov)).isTrue();
            m.quiesce();
            assertThat(ov.isDone()).as("no cancel routine while the filter above holds it").isFalse();

            Flt.completePendedPreOperation(held.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);
            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_CANCELLED);
            m.quiesce();
            assertThat(cs.cancelled()).isEqualTo(1);
            assertThat(cs.queueLength()).isZero();
            assertThat(m.fs.exists("\\held.csq")).isFalse();
        }
    }
}
