package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
import static org.irpemu.flt.FltTestSupport.at;
import static org.irpemu.flt.FltTestSupport.line;
import static org.irpemu.flt.FltTestSupport.onlyFinding;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Instances from setup to teardown (/tmp/flt-notes.md section 3: InstanceSetupCallback,
 * InstanceQueryTeardownCallback, InstanceTeardownStart/CompleteCallback, FilterUnloadCallback; section 6:
 * FltDetachVolume, FltUnregisterFilter, draining).
 */
@Timeout(60)
class InstanceLifecycleTest {
    private static final int READ = AccessMask.FILE_READ_DATA;
    private static final FltInstanceQueryTeardownCallback AGREE = (objects, flags) -> NtStatus.STATUS_SUCCESS;

    /** A registration whose create callbacks log "pre NAME" / "post NAME" in {@code log}; detachable. */
    private static FltRegistration.Builder logging(String name, CallLog log) {
        return FltRegistration.builder(name).instanceQueryTeardown(AGREE).operation(IrpMajorFunction.IRP_MJ_CREATE,
                (data, objects, context) -> {
                    log.add(new CallLog.Call(false, name, objects.instance().altitude(), IrpMajorFunction.IRP_MJ_CREATE,
                            null, 0, data.iopb().targetFileObject().fileName()));
                    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                }, (data, objects, context, flags) -> {
                    log.add(new CallLog.Call(true, name, objects.instance().altitude(), IrpMajorFunction.IRP_MJ_CREATE,
                            context, data.ioStatus().status(), data.iopb().targetFileObject().fileName()));
                    return FLT_POSTOP_FINISHED_PROCESSING;
                });
    }

    private static void createAndCheck(TestMachine m, String path) {
        assertThat(m.awaitStatus(m.create(path, READ, CreateDisposition.FILE_OPEN_IF))).isEqualTo(NtStatus.STATUS_SUCCESS);
    }

    // ---------------------------------------------------------------------------------------------
    // InstanceSetupCallback
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("InstanceSetupCallback returning STATUS_FLT_DO_NOT_ATTACH: no instance, the filter sees nothing")
    void setupRefusesTheAttachment() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            List<String> setupCalls = new CopyOnWriteArrayList<>();
            FltFilter filter = m.flt.registerFilter(logging("Picky", log).instanceSetup(
                    (objects, flags, deviceType, fsType) -> {
                        setupCalls.add(objects.instance().altitude() + " " + objects.filter().name() + " " + flags
                                + " " + deviceType + " " + fsType);
                        return NtStatus.STATUS_FLT_DO_NOT_ATTACH;
                    }).build());
            m.flt.startFiltering(filter);

            assertThat(m.flt.attachVolumeAtAltitude(filter, "370000", "Picky Instance")).isNull();

            assertThat(setupCalls).containsExactly("370000 Picky "
                    + FltInstanceSetupCallback.FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT + " "
                    + FltInstanceSetupCallback.FILE_DEVICE_DISK_FILE_SYSTEM + " " + FltInstanceSetupCallback.FLT_FSTYPE_NTFS);
            assertThat(m.flt.instances()).isEmpty();
            createAndCheck(m, "x.txt");
            assertThat(log.calls()).isEmpty();
        }
    }

    @Test
    void setupAgreeingAttaches() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            FltInstance instance = m.attach(logging("Easy", log)
                    .instanceSetup((objects, flags, deviceType, fsType) -> NtStatus.STATUS_SUCCESS).build(), "370000");

            assertThat(instance).isNotNull();
            assertThat(instance.isAttached()).isTrue();
            assertThat(m.flt.instances()).containsExactly(instance);
            createAndCheck(m, "x.txt");
            assertThat(log.labels()).containsExactly("pre Easy", "post Easy");
        }
    }

    @Test
    @DisplayName("a refused setup tears the instance down: the instance context its setup set is deleted")
    void refusedSetupDeletesTheInstanceContextItSet() {
        try (TestMachine m = new TestMachine()) {
            AtomicInteger cleanups = new AtomicInteger();
            AtomicInteger setStatus = new AtomicInteger(-1);
            FltFilter filter = m.flt.registerFilter(FltRegistration.builder("Undecided")
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 8, (c, type) -> cleanups.incrementAndGet())
                    .instanceSetup((objects, flags, deviceType, fsType) -> {
                        Out<FltContext> ctx = new Out<>();
                        Flt.allocateContext(objects.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 8, ctx);
                        setStatus.set(Flt.setInstanceContext(objects.instance(),
                                FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx.get(), null));
                        Flt.releaseContext(ctx.get());
                        return NtStatus.STATUS_FLT_DO_NOT_ATTACH;
                    }).build());

            assertThat(m.flt.attachVolumeAtAltitude(filter, "370000", "Undecided Instance")).isNull();

            assertThat(setStatus).hasValue(NtStatus.STATUS_SUCCESS);
            assertThat(cleanups).as("the context went with the instance that never attached").hasValue(1);
        }
    }

    @Test
    void setupThatThrowsDoesNotAttach() {
        try (TestMachine m = new TestMachine(new FltVerifier(), fs -> { })) {
            AtomicInteger throwLine = new AtomicInteger();
            FltFilter filter = m.flt.registerFilter(FltRegistration.builder("Crashy")
                    .instanceSetup((objects, flags, deviceType, fsType) -> {
                        throwLine.set(line() + 1);
                        throw new IllegalStateException("setup crashed");
                    }).build());

            assertThat(m.flt.attachVolumeAtAltitude(filter, "370000", "Crashy Instance")).isNull();

            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_EXCEPTION);
            assertThat(f.filter()).isEqualTo("Crashy");
            assertThat(f.message()).contains("InstanceSetupCallback", "setup crashed");
            assertThat(f.callSite()).contains(at(getClass(), throwLine.get()));
            assertThat(m.flt.instances()).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // InstanceQueryTeardownCallback and FltDetachVolume
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("without an InstanceQueryTeardownCallback an instance cannot be detached by hand")
    void detachWithoutAQueryTeardownCallback() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            FltInstance instance = m.attach(new ScriptedFilter("Stuck", log).registration(IrpMajorFunction.IRP_MJ_CREATE),
                    "370000");
            assertThat(instance.filter().registration().instanceQueryTeardown()).isNull();

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);

            assertThat(instance.isAttached()).isTrue();
            createAndCheck(m, "x.txt");
            assertThat(log.labels()).containsExactly("pre Stuck", "post Stuck");
        }
    }

    @Test
    @DisplayName("an InstanceQueryTeardownCallback that refuses: its status is returned and the instance stays")
    void detachRefusedByTheQueryTeardownCallback() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            List<String> queries = new CopyOnWriteArrayList<>();
            AtomicInteger teardowns = new AtomicInteger();
            FltInstance instance = m.attach(logging("Refuser", log)
                    .instanceQueryTeardown((objects, flags) -> {
                        queries.add(objects.instance().name() + " " + flags);
                        return NtStatus.STATUS_ACCESS_DENIED;
                    })
                    .instanceTeardownStart((objects, reason) -> teardowns.incrementAndGet()).build(), "370000");

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);

            assertThat(queries).containsExactly("Refuser Instance 0");
            assertThat(teardowns).hasValue(0);
            assertThat(instance.isAttached()).isTrue();
            createAndCheck(m, "x.txt");
            assertThat(log.labels()).containsExactly("pre Refuser", "post Refuser");
        }
    }

    @Test
    void detachAgreedToRemovesTheInstance() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            FltInstance instance = m.attach(logging("Leaver", log).build(), "370000");

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(instance.isAttached()).isFalse();
            assertThat(m.flt.instances()).isEmpty();
            assertThat(m.flt.filters()).as("detaching does not unregister").contains(instance.filter());
            createAndCheck(m, "x.txt");
            assertThat(log.calls()).isEmpty();
        }
    }

    @Test
    @DisplayName("FltDetachVolume: STATUS_FLT_DELETING_OBJECT when the instance is already being torn down")
    void detachingTwice() {
        try (TestMachine m = new TestMachine()) {
            AtomicReference<FltInstance> self = new AtomicReference<>();
            AtomicInteger duringTeardown = new AtomicInteger();
            AtomicInteger queries = new AtomicInteger();
            FltInstance instance = m.attach(FltRegistration.builder("Twice")
                    .instanceQueryTeardown((objects, flags) -> {
                        queries.incrementAndGet();
                        return NtStatus.STATUS_SUCCESS;
                    })
                    .instanceTeardownStart((objects, reason) -> duringTeardown.set(m.flt.detachVolume(self.get())))
                    .build(), "370000");
            self.set(instance);

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(duringTeardown).hasValue(NtStatus.STATUS_FLT_DELETING_OBJECT);
            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_FLT_DELETING_OBJECT);
            assertThat(queries).as("asked once").hasValue(1);
        }
    }

    @Test
    @DisplayName("detaching from a dispatcher thread would wait for that thread: STATUS_CANT_WAIT, nothing torn down")
    void detachOnADispatcherThread() {
        try (TestMachine m = new TestMachine(new FltVerifier(), fs -> fs.createFile("\\d.bin", 10, 0))) {
            CallLog log = new CallLog();
            AtomicInteger queries = new AtomicInteger();
            AtomicInteger teardowns = new AtomicInteger();
            FltInstance subject = m.attach(logging("Subject", log).instanceQueryTeardown((objects, flags) -> {
                queries.incrementAndGet();
                return NtStatus.STATUS_SUCCESS;
            }).instanceTeardownStart((objects, reason) -> teardowns.incrementAndGet()).build(), "370000");
            AtomicInteger status = new AtomicInteger();
            AtomicInteger detachLine = new AtomicInteger();
            m.attach(FltRegistration.builder("Detacher").operation(IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> {
                        detachLine.set(line() + 1);
                        status.set(m.flt.detachVolume(subject));
                        return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                    }, null).build(), "385000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(m.read(fo, 5, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(status).hasValue(NtStatus.STATUS_CANT_WAIT);
            assertThat(queries).as("the filter is not asked about a detach that cannot happen").hasValue(0);
            assertThat(teardowns).hasValue(0);
            assertThat(subject.isAttached()).isTrue();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.BLOCKING_WAIT);
            assertThat(f.filter()).isEqualTo("Subject");
            assertThat(f.callSite()).contains(at(getClass(), detachLine.get()));
            // From the test thread it works.
            assertThat(m.flt.detachVolume(subject)).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Teardown: order, draining, no new callbacks
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("teardown: TeardownStart, drained post-operations, pended operations resumed, TeardownComplete last")
    void teardownOrder() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\a.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "a.txt");
            List<String> events = new CopyOnWriteArrayList<>();
            AtomicReference<FltCallbackData> pended = new AtomicReference<>();
            List<Integer> drainedDataFlags = new CopyOnWriteArrayList<>();
            List<Integer> topFlags = new CopyOnWriteArrayList<>();
            m.attach(FltRegistration.builder("Top").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK, (data, objects, context, flags) -> {
                        events.add("post Top " + data.iopb().targetFileObject().fileName() + " "
                                + NtStatus.symbol(data.ioStatus().status()));
                        topFlags.add(data.flags());
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "385000");
            FltInstance subject = m.attach(FltRegistration.builder("Subject").instanceQueryTeardown(AGREE)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        String name = data.iopb().targetFileObject().fileName();
                        if (name.equals("\\pend.txt")) {
                            pended.set(data);
                            return FLT_PREOP_PENDING;
                        }
                        context.set("ctx " + name);
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                    }, (data, objects, context, flags) -> {
                        events.add("post Subject " + context + " flags=" + flags);
                        drainedDataFlags.add(data.flags());
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    })
                    .instanceTeardownStart((objects, reason) -> {
                        events.add("TeardownStart reason=" + reason);
                        // TeardownStart must complete every operation the filter pended.
                        FltCallbackData data = pended.get();
                        data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                        Flt.completePendedPreOperation(data, FLT_PREOP_COMPLETE, null);
                    })
                    .instanceTeardownComplete((objects, reason) -> events.add("TeardownComplete reason=" + reason))
                    .build(), "370000");
            Overlapped waiting = m.create("a.txt", READ, CreateDisposition.FILE_OPEN); // waits below Subject
            Overlapped held = m.create("pend.txt", READ, CreateDisposition.FILE_CREATE); // pended by Subject
            m.quiesce();
            assertThat(waiting.isDone()).isFalse();
            assertThat(held.isDone()).isFalse();
            assertThat(events).isEmpty();

            assertThat(m.flt.detachVolume(subject)).isEqualTo(NtStatus.STATUS_SUCCESS);

            int manual = FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_MANUAL;
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).isEqualTo("TeardownStart reason=" + manual);
            assertThat(events.subList(1, 3)).containsExactlyInAnyOrder(
                    "post Subject ctx \\a.txt flags=" + FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING,
                    "post Top \\pend.txt STATUS_ACCESS_DENIED");
            assertThat(events.get(3)).isEqualTo("TeardownComplete reason=" + manual);
            assertThat(drainedDataFlags).singleElement().satisfies(flags -> {
                assertThat(flags & FltCallbackData.FLTFL_CALLBACK_DATA_DRAINING_IO).isNotZero();
                assertThat(flags & FltCallbackData.FLTFL_CALLBACK_DATA_POST_OPERATION).isNotZero();
            });
            assertThat(m.awaitStatus(held)).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);

            // The drained create completes when the holder acknowledges; Subject is not called again, Top is.
            holder.acknowledge();
            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(events).hasSize(5);
            assertThat(events.get(4)).isEqualTo("post Top \\a.txt STATUS_SUCCESS");
            assertThat(topFlags.get(1) & FltCallbackData.FLTFL_CALLBACK_DATA_DRAINING_IO).isZero();
        }
    }

    @Test
    @DisplayName("an operation TeardownStart resumes later (from its own worker) is drained before TeardownComplete")
    void operationResumedLateByTeardownStartIsDrainedBeforeTeardownComplete() throws Exception {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\a.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "a.txt");
            List<String> events = new CopyOnWriteArrayList<>();
            AtomicInteger creates = new AtomicInteger();
            AtomicReference<FltCallbackData> second = new AtomicReference<>();
            CountDownLatch firstDrained = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            FltInstance subject = m.attach(FltRegistration.builder("Subject").instanceQueryTeardown(AGREE)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        if (creates.incrementAndGet() == 1) {
                            context.set("first");
                            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                        }
                        second.set(data);
                        return FLT_PREOP_PENDING;
                    }, (data, objects, context, flags) -> {
                        events.add("post " + context + " flags=" + flags);
                        if ("first".equals(context)) {
                            firstDrained.countDown();
                        }
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    })
                    .instanceTeardownStart((objects, reason) -> {
                        // The filter's worker resumes the pended create once the first drain has begun.
                        Thread worker = new Thread(() -> {
                            try {
                                if (firstDrained.await(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                                    Flt.completePendedPreOperation(second.get(), FLT_PREOP_SUCCESS_WITH_CALLBACK,
                                            "second");
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        workers.add(worker);
                        worker.start();
                    })
                    .instanceTeardownComplete((objects, reason) -> events.add("TeardownComplete"))
                    .build(), "370000");
            Overlapped first = m.create("a.txt", READ, CreateDisposition.FILE_OPEN);
            Overlapped pendedCreate = m.create("a.txt", READ, CreateDisposition.FILE_OPEN);
            m.quiesce();
            assertThat(second.get()).isNotNull();

            assertThat(m.flt.detachVolume(subject)).isEqualTo(NtStatus.STATUS_SUCCESS);
            workers.get(0).join(TimeUnit.SECONDS.toMillis(TestMachine.TIMEOUT_SECONDS));

            String draining = " flags=" + FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING;
            assertThat(events).containsExactly("post first" + draining, "post second" + draining, "TeardownComplete");
            holder.acknowledge();
            assertThat(m.awaitStatus(first)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(pendedCreate)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(events).as("no callback after TeardownComplete").hasSize(3);
        }
    }

    @Test
    @DisplayName("after TeardownStart no new operation reaches the instance; its Flt routines refuse new work")
    void noNewCallbacksAfterTeardownStart() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            List<Object> seen = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(logging("Ending", log)
                    .context(FltContextType.FLT_INSTANCE_CONTEXT, 8, null)
                    .instanceTeardownStart((objects, reason) -> {
                        seen.add(objects.instance().isAttached());
                        // A new operation from here (not a dispatcher thread) passes the instance by.
                        seen.add(m.awaitStatus(m.create("during.txt", READ, CreateDisposition.FILE_CREATE)));
                        seen.add(Flt.queueGenericWorkItem(objects.instance(), (i, c) -> { }, null));
                        seen.add(Flt.allocateCallbackData(objects.instance(), null, new Out<>()));
                        Out<FltContext> ctx = new Out<>();
                        Flt.allocateContext(objects.filter(), FltContextType.FLT_INSTANCE_CONTEXT, 8, ctx);
                        seen.add(Flt.setInstanceContext(objects.instance(), FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                                ctx.get(), null));
                        Flt.releaseContext(ctx.get());
                    }).build(), "370000");
            createAndCheck(m, "before.txt");

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(seen).containsExactly(false, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_FLT_DELETING_OBJECT,
                    NtStatus.STATUS_FLT_DELETING_OBJECT, NtStatus.STATUS_FLT_DELETING_OBJECT);
            assertThat(m.fs.exists("during.txt")).isTrue();
            assertThat(log.calls()).extracting(CallLog.Call::observed).containsOnly("\\before.txt");
        }
    }

    @Test
    @DisplayName("a TeardownStart callback that throws: reported; the teardown goes on to TeardownComplete")
    void teardownStartThatThrows() {
        try (TestMachine m = new TestMachine(new FltVerifier(), fs -> { })) {
            AtomicInteger throwLine = new AtomicInteger();
            AtomicInteger completes = new AtomicInteger();
            FltInstance instance = m.attach(FltRegistration.builder("Crashy").instanceQueryTeardown(AGREE)
                    .instanceTeardownStart((objects, reason) -> {
                        throwLine.set(line() + 1);
                        throw new IllegalStateException("teardown crashed");
                    })
                    .instanceTeardownComplete((objects, reason) -> completes.incrementAndGet()).build(), "370000");

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(completes).hasValue(1);
            assertThat(instance.isAttached()).isFalse();
            FltVerifier.Finding f = onlyFinding(m, FltVerifier.Rule.CALLBACK_EXCEPTION);
            assertThat(f.filter()).isEqualTo("Crashy");
            assertThat(f.message()).contains("InstanceTeardownStart", "teardown crashed");
            assertThat(f.callSite()).contains(at(getClass(), throwLine.get()));
        }
    }

    @Test
    @DisplayName("teardown reasons: MANUAL for FltDetachVolume, FILTER_UNLOAD for FltUnregisterFilter")
    void teardownReasons() {
        try (TestMachine m = new TestMachine()) {
            List<String> reasons = new CopyOnWriteArrayList<>();
            AtomicInteger queries = new AtomicInteger();
            FltFilter filter = m.flt.registerFilter(FltRegistration.builder("Reasons")
                    .instanceQueryTeardown((objects, flags) -> {
                        queries.incrementAndGet();
                        return NtStatus.STATUS_SUCCESS;
                    })
                    .instanceTeardownStart((objects, reason) -> reasons.add("start " + objects.instance().name() + " "
                            + reason))
                    .instanceTeardownComplete((objects, reason) -> reasons.add("complete " + objects.instance().name()
                            + " " + reason)).build());
            m.flt.startFiltering(filter);
            FltInstance one = m.flt.attachVolumeAtAltitude(filter, "370000", "One");
            m.flt.attachVolumeAtAltitude(filter, "360000", "Two");
            m.flt.attachVolumeAtAltitude(filter, "350000", "Three");

            assertThat(m.flt.detachVolume(one)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.flt.unregisterFilter(filter);

            int manual = FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_MANUAL;
            int unload = FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD;
            assertThat(reasons).containsExactly("start One " + manual, "complete One " + manual,
                    "start Two " + unload, "complete Two " + unload, "start Three " + unload, "complete Three " + unload);
            assertThat(queries).as("an unload does not ask InstanceQueryTeardown").hasValue(1);
            assertThat(m.flt.instances()).isEmpty();
            assertThat(m.flt.filters()).doesNotContain(filter);
            assertThat(Flt.allocateContext(filter, FltContextType.FLT_INSTANCE_CONTEXT, 8, new Out<>()))
                    .isEqualTo(NtStatus.STATUS_FLT_DELETING_OBJECT);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FltUnloadFilter and FilterUnloadCallback
    // ---------------------------------------------------------------------------------------------

    @Test
    void unloadOfAFilterThatIsNotRegistered() {
        try (TestMachine m = new TestMachine()) {
            assertThat(m.flt.unloadFilter("Nobody", false)).isEqualTo(NtStatus.STATUS_FLT_FILTER_NOT_FOUND);
            assertThat(m.flt.unloadFilter("Nobody", true)).isEqualTo(NtStatus.STATUS_FLT_FILTER_NOT_FOUND);
        }
    }

    @Test
    @DisplayName("no FilterUnloadCallback: the filter cannot be unloaded, except by a mandatory unload")
    void unloadWithoutAFilterUnloadCallback() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            List<Integer> reasons = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(logging("Permanent", log)
                    .instanceTeardownStart((objects, reason) -> reasons.add(reason)).build(), "370000");

            assertThat(m.flt.unloadFilter("Permanent", false)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);
            assertThat(instance.isAttached()).isTrue();
            createAndCheck(m, "x.txt");
            assertThat(log.labels()).containsExactly("pre Permanent", "post Permanent");

            assertThat(m.flt.unloadFilter("permanent", true)).as("names compare without case")
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(reasons).containsExactly(FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD);
            assertThat(m.flt.filters()).isEmpty();
            assertThat(m.flt.unloadFilter("Permanent", true)).isEqualTo(NtStatus.STATUS_FLT_FILTER_NOT_FOUND);
        }
    }

    @Test
    @DisplayName("a FilterUnloadCallback that refuses: its status for a normal unload; a mandatory one goes ahead")
    void unloadRefusedByTheFilterUnloadCallback() {
        try (TestMachine m = new TestMachine()) {
            List<Integer> flags = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(FltRegistration.builder("Clingy").filterUnload(f -> {
                flags.add(f);
                return NtStatus.STATUS_FLT_DO_NOT_DETACH;
            }).build(), "370000");

            assertThat(m.flt.unloadFilter("Clingy", false)).isEqualTo(NtStatus.STATUS_FLT_DO_NOT_DETACH);
            assertThat(instance.isAttached()).isTrue();
            assertThat(m.flt.filters()).contains(instance.filter());

            assertThat(m.flt.unloadFilter("Clingy", true)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(flags).containsExactly(0, FltFilterUnloadCallback.FLTFL_FILTER_UNLOAD_MANDATORY);
            assertThat(instance.isAttached()).isFalse();
            assertThat(m.flt.filters()).isEmpty();
        }
    }

    @Test
    @DisplayName("the FilterUnloadCallback unregisters the filter itself (FltUnregisterFilter) and returns STATUS_SUCCESS")
    void unloadCallbackThatUnregisters() {
        try (TestMachine m = new TestMachine()) {
            AtomicReference<FltFilter> self = new AtomicReference<>();
            List<Integer> reasons = new CopyOnWriteArrayList<>();
            FltInstance instance = m.attach(FltRegistration.builder("Tidy").filterUnload(f -> {
                m.flt.unregisterFilter(self.get());
                return NtStatus.STATUS_SUCCESS;
            }).instanceTeardownStart((objects, reason) -> reasons.add(reason)).build(), "370000");
            self.set(instance.filter());

            assertThat(m.flt.unloadFilter("Tidy", false)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(reasons).containsExactly(FltInstanceTeardownCallback.FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
            assertThat(instance.isAttached()).isFalse();
            assertThat(m.flt.unloadFilter("Tidy", false)).isEqualTo(NtStatus.STATUS_FLT_FILTER_NOT_FOUND);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Altitudes
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("altitude order stays right after instances are detached and attached again")
    void altitudeOrderAfterDetachAndAttach() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(logging("A", log).build(), "300000");
            FltInstance b = m.attach(logging("B", log).build(), "200000");
            m.attach(logging("C", log).build(), "100000");
            createAndCheck(m, "1.txt");
            assertThat(log.labels()).containsExactly("pre A", "pre B", "pre C", "post C", "post B", "post A");
            log.clear();

            assertThat(m.flt.detachVolume(b)).isEqualTo(NtStatus.STATUS_SUCCESS);
            createAndCheck(m, "2.txt");
            assertThat(log.labels()).containsExactly("pre A", "pre C", "post C", "post A");
            log.clear();

            m.attach(logging("D", log).build(), "250000.5");
            FltInstance b2 = m.flt.attachVolumeAtAltitude(b.filter(), "150000", "B again");
            assertThat(b2).isNotNull().isNotSameAs(b);
            FltInstance b3 = m.flt.attachVolumeAtAltitude(b.filter(), "200000", "B at its old altitude");
            assertThat(b3).isNotNull();
            createAndCheck(m, "3.txt");
            assertThat(log.labels()).containsExactly("pre A", "pre D", "pre B", "pre B", "pre C",
                    "post C", "post B", "post B", "post D", "post A");
            assertThat(log.calls()).filteredOn(c -> !c.post()).extracting(CallLog.Call::instanceAltitude)
                    .containsExactly("300000", "250000.5", "200000", "150000", "100000");
            assertThat(m.flt.instances()).extracting(FltInstance::altitude)
                    .containsExactly("300000", "250000.5", "200000", "150000", "100000");
        }
    }
}
