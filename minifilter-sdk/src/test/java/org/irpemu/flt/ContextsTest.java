package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltContextType.FLT_INSTANCE_CONTEXT;
import static org.irpemu.flt.FltContextType.FLT_SET_CONTEXT_KEEP_IF_EXISTS;
import static org.irpemu.flt.FltContextType.FLT_SET_CONTEXT_REPLACE_IF_EXISTS;
import static org.irpemu.flt.FltContextType.FLT_STREAMHANDLE_CONTEXT;
import static org.irpemu.flt.FltContextType.FLT_STREAM_CONTEXT;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Minifilter contexts and their reference counts, as the WDK's "Referencing / Releasing / Setting / Deleting
 * contexts" pages and the FltAllocateContext, FltSetXxxContext, FltGetXxxContext, FltDeleteXxxContext pages
 * describe them (/tmp/flt-notes.md section 4): the allocation holds one reference, the object a context is
 * set on holds one, each successful get adds one; the cleanup callback runs once, when the last goes.
 */
@Timeout(60)
class ContextsTest {
    private static final int READ = AccessMask.FILE_READ_DATA;

    /** Counts cleanup callbacks per context. */
    private static final class Cleanups {
        final Map<FltContext, AtomicInteger> counts = new ConcurrentHashMap<>();
        final List<String> types = new CopyOnWriteArrayList<>();

        FltContextCleanupCallback callback() {
            return (context, type) -> {
                counts.computeIfAbsent(context, c -> new AtomicInteger()).incrementAndGet();
                types.add(FltContextType.name(type));
            };
        }

        int of(FltContext c) {
            AtomicInteger n = counts.get(c);
            return n == null ? 0 : n.get();
        }

        int total() {
            return counts.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private static FltRegistration.Builder contexts(String name, Cleanups cleanups) {
        return FltRegistration.builder(name)
                .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                .context(FLT_INSTANCE_CONTEXT, 16, cleanups.callback())
                .context(FLT_STREAM_CONTEXT, FltContextRegistration.FLT_VARIABLE_SIZED_CONTEXTS, cleanups.callback())
                .context(FLT_STREAMHANDLE_CONTEXT, 8, cleanups.callback());
    }

    private static FltContext allocate(FltInstance instance, int type, int size) {
        Out<FltContext> out = new Out<>();
        assertThat(Flt.allocateContext(instance.filter(), type, size, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
        return out.get();
    }

    private static FltContext getInstanceContext(FltInstance instance) {
        Out<FltContext> out = new Out<>();
        assertThat(Flt.getInstanceContext(instance, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
        return out.get();
    }

    // ---------------------------------------------------------------------------------------------
    // FltAllocateContext
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("FltAllocateContext: registered type and size, 1..65535 bytes")
    void allocation() {
        try (TestMachine m = new TestMachine()) {
            FltInstance instance = m.attach(FltRegistration.builder("Alloc")
                    .context(FLT_INSTANCE_CONTEXT, 16, null)
                    .context(FLT_INSTANCE_CONTEXT, 32, null)
                    .context(FLT_STREAM_CONTEXT, FltContextRegistration.FLT_VARIABLE_SIZED_CONTEXTS, null).build(),
                    "370000");
            FltFilter filter = instance.filter();
            Out<FltContext> out = new Out<>();

            assertThat(Flt.allocateContext(filter, FLT_STREAMHANDLE_CONTEXT, 8, out))
                    .as("type not registered").isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND);
            assertThat(Flt.allocateContext(filter, FLT_INSTANCE_CONTEXT, 17, out))
                    .as("a fixed-size registration takes only its size")
                    .isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND);
            assertThat(Flt.allocateContext(filter, FLT_STREAM_CONTEXT, 0, out)).isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.allocateContext(filter, FLT_STREAM_CONTEXT, 0x10000, out))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.allocateContext(filter, 0x0080, 8, out)).as("not a context type")
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(out.get()).as("nothing returned on failure").isNull();

            for (int size : new int[] {16, 32}) {
                assertThat(Flt.allocateContext(filter, FLT_INSTANCE_CONTEXT, size, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
                assertThat(out.get().buffer().capacity()).isEqualTo(size);
                assertThat(out.get().contextType()).isEqualTo(FLT_INSTANCE_CONTEXT);
                assertThat(out.get().filter()).isSameAs(filter);
                Flt.releaseContext(out.get());
            }
            for (int size : new int[] {1, 0xFFFF}) {
                assertThat(Flt.allocateContext(filter, FLT_STREAM_CONTEXT, size, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
                assertThat(out.get().buffer().capacity()).isEqualTo(size);
                Flt.releaseContext(out.get());
            }
        }
    }

    @Test
    @DisplayName("a context never set is freed (cleanup callback) when its allocation reference is released")
    void contextNeverSetIsFreedAtItsLastRelease() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext c = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            Flt.referenceContext(c);

            Flt.releaseContext(c);
            assertThat(cleanups.of(c)).isZero();
            Flt.releaseContext(c);

            assertThat(cleanups.of(c)).isEqualTo(1);
            assertThat(cleanups.types).containsExactly("FLT_INSTANCE_CONTEXT");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Instance contexts: set, get, delete
    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("set, get, delete an instance context; the cleanup callback runs exactly once, at the last release")
    void instanceContextSetGetDelete() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            assertThat(Flt.getInstanceContext(instance, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            FltContext c = allocate(instance, FLT_INSTANCE_CONTEXT, 16);

            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            Flt.releaseContext(c); // the allocation reference; the instance holds its own
            assertThat(cleanups.of(c)).isZero();

            FltContext got = getInstanceContext(instance);
            assertThat(got).isSameAs(c);
            Flt.referenceContext(got);
            Flt.releaseContext(got);
            Flt.releaseContext(got);
            assertThat(cleanups.of(c)).isZero();

            FltContext held = getInstanceContext(instance);
            Out<FltContext> old = new Out<>();
            assertThat(Flt.deleteInstanceContext(instance, old)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(old.get()).as("the instance's reference passes to the caller").isSameAs(c);
            assertThat(Flt.getInstanceContext(instance, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            assertThat(Flt.deleteInstanceContext(instance, null)).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            Flt.releaseContext(old.get());
            assertThat(cleanups.of(c)).as("still referenced by the get").isZero();
            Flt.releaseContext(held);

            assertThat(cleanups.of(c)).isEqualTo(1);
            assertThat(cleanups.total()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("FltDeleteInstanceContext without OldContext drops the instance's reference itself")
    void deleteWithoutOldContext() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext c = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null);
            Flt.releaseContext(c);

            assertThat(Flt.deleteInstanceContext(instance, null)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(cleanups.of(c)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("FltDeleteContext: removed from its object, freed when the caller releases its own reference")
    void deleteContextWhileHoldingAReference() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext c = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null);

            Flt.deleteContext(c);

            assertThat(Flt.getInstanceContext(instance, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            assertThat(cleanups.of(c)).as("the caller's reference stays valid").isZero();
            Flt.deleteContext(c); // no longer set anywhere: nothing to drop
            assertThat(cleanups.of(c)).isZero();
            Flt.releaseContext(c);
            assertThat(cleanups.of(c)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("KEEP_IF_EXISTS: STATUS_FLT_CONTEXT_ALREADY_DEFINED, the existing context returned referenced")
    void keepIfExists() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext first = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, first, null);
            Flt.releaseContext(first);
            FltContext second = allocate(instance, FLT_INSTANCE_CONTEXT, 16);

            Out<FltContext> old = new Out<>();
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, second, old))
                    .isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALREADY_DEFINED);
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, second, null))
                    .isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALREADY_DEFINED);

            assertThat(old.get()).isSameAs(first);
            // The new context was not referenced: releasing its allocation reference frees it.
            Flt.releaseContext(second);
            assertThat(cleanups.of(second)).isEqualTo(1);
            // The returned one was referenced: releasing it leaves the instance's reference.
            Flt.releaseContext(old.get());
            assertThat(cleanups.of(first)).isZero();
            assertThat(getInstanceContext(instance)).isSameAs(first);
        }
    }

    @Test
    @DisplayName("REPLACE_IF_EXISTS: the old context is deleted and returned (referenced) in OldContext")
    void replaceIfExists() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext first = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, first, null))
                    .as("inserts when none exists").isEqualTo(NtStatus.STATUS_SUCCESS);
            Flt.releaseContext(first);
            FltContext second = allocate(instance, FLT_INSTANCE_CONTEXT, 16);

            Out<FltContext> old = new Out<>();
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, second, old))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            Flt.releaseContext(second);

            assertThat(old.get()).isSameAs(first);
            FltContext current = getInstanceContext(instance);
            assertThat(current).isSameAs(second);
            Flt.releaseContext(current);
            assertThat(cleanups.of(first)).as("the caller holds the replaced one").isZero();
            Flt.releaseContext(old.get());
            assertThat(cleanups.of(first)).isEqualTo(1);

            // Without OldContext the replaced context is released by the Filter Manager.
            FltContext third = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, third, null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            Flt.releaseContext(third);
            assertThat(cleanups.of(second)).isEqualTo(1);
            assertThat(cleanups.of(third)).isZero();
        }
    }

    @Test
    @DisplayName("a context set on one object cannot be set on another: STATUS_FLT_CONTEXT_ALREADY_LINKED")
    void alreadyLinked() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltFilter filter = m.flt.registerFilter(contexts("C", cleanups).build());
            m.flt.startFiltering(filter);
            FltInstance one = m.flt.attachVolumeAtAltitude(filter, "370000", "One");
            FltInstance two = m.flt.attachVolumeAtAltitude(filter, "360000", "Two");
            FltContext c = allocate(one, FLT_INSTANCE_CONTEXT, 16);
            assertThat(Flt.setInstanceContext(one, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(Flt.setInstanceContext(two, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null))
                    .isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALREADY_LINKED);
            assertThat(Flt.setInstanceContext(two, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, c, null))
                    .isEqualTo(NtStatus.STATUS_FLT_CONTEXT_ALREADY_LINKED);

            assertThat(Flt.getInstanceContext(two, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            Flt.releaseContext(c);
            assertThat(cleanups.of(c)).isZero();
        }
    }

    @Test
    void setWithTheWrongTypeOrOperationIsAnInvalidParameter() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext handleContext = allocate(instance, FLT_STREAMHANDLE_CONTEXT, 8);
            FltContext instanceContext = allocate(instance, FLT_INSTANCE_CONTEXT, 16);

            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, handleContext, null))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.setInstanceContext(instance, 7, instanceContext, null))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, null, null))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);

            Flt.releaseContext(handleContext);
            Flt.releaseContext(instanceContext);
            assertThat(cleanups.total()).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Stream and stream handle contexts
    // ---------------------------------------------------------------------------------------------

    /**
     * A filter that, in its post-create, gives every stream a stream context (the first one set wins) and
     * every handle a stream handle context, as the WDK's context samples do; it records what it saw.
     */
    private static final class Tagger {
        final Cleanups cleanups = new Cleanups();
        final List<FltContext> streamContexts = new CopyOnWriteArrayList<>();
        final Map<FileObject, FltContext> handleContexts = new ConcurrentHashMap<>();
        final List<Integer> cleanupLookups = new CopyOnWriteArrayList<>();
        final List<Integer> preCreateSets = new CopyOnWriteArrayList<>();

        FltRegistration registration(String name) {
            return contexts(name, cleanups)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, (data, objects, context) -> {
                        // The file object is not opened yet: no stream handle context can be set on it.
                        Out<FltContext> early = new Out<>();
                        Flt.allocateContext(objects.filter(), FLT_STREAMHANDLE_CONTEXT, 8, early);
                        preCreateSets.add(Flt.setStreamHandleContext(objects.instance(), objects.fileObject(),
                                FLT_SET_CONTEXT_KEEP_IF_EXISTS, early.get(), null));
                        Flt.releaseContext(early.get());
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                    }, (data, objects, context, flags) -> {
                        if (!NtStatus.ntSuccess(data.ioStatus().status())) {
                            return FLT_POSTOP_FINISHED_PROCESSING;
                        }
                        FileObject fo = objects.fileObject();
                        Out<FltContext> stream = new Out<>();
                        Flt.allocateContext(objects.filter(), FLT_STREAM_CONTEXT, 24, stream);
                        Out<FltContext> existing = new Out<>();
                        int set = Flt.setStreamContext(objects.instance(), fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                                stream.get(), existing);
                        if (set == NtStatus.STATUS_SUCCESS) {
                            streamContexts.add(stream.get());
                        } else {
                            Flt.releaseContext(existing.get());
                        }
                        Flt.releaseContext(stream.get());
                        Out<FltContext> handle = new Out<>();
                        Flt.allocateContext(objects.filter(), FLT_STREAMHANDLE_CONTEXT, 8, handle);
                        Flt.setStreamHandleContext(objects.instance(), fo, FLT_SET_CONTEXT_KEEP_IF_EXISTS, handle.get(),
                                null);
                        handleContexts.put(fo, handle.get());
                        Flt.releaseContext(handle.get());
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    })
                    .operation(IrpMajorFunction.IRP_MJ_CLEANUP, null, (data, objects, context, flags) -> {
                        // Between cleanup and close the handle's context is still there.
                        Out<FltContext> c = new Out<>();
                        int status = Flt.getStreamHandleContext(objects.instance(), objects.fileObject(), c);
                        cleanupLookups.add(status);
                        if (status == NtStatus.STATUS_SUCCESS) {
                            Flt.releaseContext(c.get());
                        }
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    })
                    .build();
        }
    }

    private static FltContext streamContext(FltInstance instance, FileObject fo) {
        Out<FltContext> out = new Out<>();
        assertThat(Flt.getStreamContext(instance, fo, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
        FltContext c = out.get();
        Flt.releaseContext(c);
        return c;
    }

    private static FltContext handleContext(FltInstance instance, FileObject fo) {
        Out<FltContext> out = new Out<>();
        assertThat(Flt.getStreamHandleContext(instance, fo, out)).isEqualTo(NtStatus.STATUS_SUCCESS);
        FltContext c = out.get();
        Flt.releaseContext(c);
        return c;
    }

    @Test
    @DisplayName("a stream context is shared by every handle of the stream; a stream handle context is per handle")
    void streamContextSharedStreamHandleContextPerHandle() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\s.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            FileObject h1 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FileObject h2 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);

            assertThat(tagger.streamContexts).hasSize(1);
            assertThat(streamContext(instance, h1)).isSameAs(streamContext(instance, h2))
                    .isSameAs(tagger.streamContexts.get(0));
            assertThat(handleContext(instance, h1)).isSameAs(tagger.handleContexts.get(h1));
            assertThat(handleContext(instance, h2)).isSameAs(tagger.handleContexts.get(h2))
                    .isNotSameAs(tagger.handleContexts.get(h1));
            assertThat(tagger.preCreateSets).as("not on an unopened file object (not from pre-create)")
                    .containsOnly(NtStatus.STATUS_NOT_SUPPORTED);
            assertThat(tagger.cleanups.types).as("freed: the pre-create attempts and the second stream context")
                    .containsExactlyInAnyOrder("FLT_STREAMHANDLE_CONTEXT", "FLT_STREAMHANDLE_CONTEXT",
                            "FLT_STREAM_CONTEXT");
        }
    }

    @Test
    @DisplayName("each instance has its own contexts on the same stream")
    void contextsArePerInstance() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\s.txt", 10, 0))) {
            Tagger upper = new Tagger();
            Tagger lower = new Tagger();
            FltInstance a = m.attach(upper.registration("Upper"), "370000");
            FltInstance b = m.attach(lower.registration("Lower"), "360000");
            FileObject h = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);

            assertThat(streamContext(a, h)).isSameAs(upper.streamContexts.get(0));
            assertThat(streamContext(b, h)).isSameAs(lower.streamContexts.get(0));
            assertThat(streamContext(a, h)).isNotSameAs(streamContext(b, h));
        }
    }

    @Test
    @DisplayName("stream handle contexts go with their handle's IRP_MJ_CLOSE (still there in post-cleanup)")
    void streamHandleContextGoesAfterTheHandleIsClosed() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\s.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            FileObject h1 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FileObject h2 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FltContext c1 = tagger.handleContexts.get(h1);
            FltContext c2 = tagger.handleContexts.get(h2);

            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(tagger.cleanupLookups).containsExactly(NtStatus.STATUS_SUCCESS);
            assertThat(tagger.cleanups.of(c1)).isEqualTo(1);
            assertThat(tagger.cleanups.of(c2)).isZero();
            assertThat(handleContext(instance, h2)).isSameAs(c2);
            assertThat(tagger.cleanups.of(tagger.streamContexts.get(0))).as("the stream lives on").isZero();
        }
    }

    @Test
    @DisplayName("a stream context goes when the file is deleted and its last handle closed (FsRtlTeardownPerStreamContexts)")
    void streamContextGoesWithTheDeletedStream() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\gone.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            Overlapped deleter = m.create("gone.txt", READ | AccessMask.DELETE, TestMachine.SHARE_ALL,
                    CreateDisposition.FILE_OPEN, CreateOptions.FILE_DELETE_ON_CLOSE, null);
            assertThat(m.awaitStatus(deleter)).isEqualTo(NtStatus.STATUS_SUCCESS);
            FileObject other = m.open("gone.txt", READ, CreateDisposition.FILE_OPEN);
            FltContext stream = tagger.streamContexts.get(0);

            assertThat(m.awaitStatus(m.close(deleter.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(tagger.cleanups.of(stream)).as("another handle is open").isZero();
            assertThat(streamContext(instance, other)).isSameAs(stream);

            assertThat(m.awaitStatus(m.close(other))).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(m.fs.exists("gone.txt")).isFalse();
            assertThat(tagger.cleanups.of(stream)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("closing every handle of a file that stays does not delete its stream context")
    void streamContextOutlivesTheHandlesOfAFileThatStays() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\kept.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            FileObject h1 = m.open("kept.txt", READ, CreateDisposition.FILE_OPEN);
            FltContext stream = tagger.streamContexts.get(0);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);

            FileObject h2 = m.open("kept.txt", READ, CreateDisposition.FILE_OPEN);

            assertThat(streamContext(instance, h2)).isSameAs(stream);
            assertThat(tagger.streamContexts).hasSize(1);
            assertThat(tagger.cleanups.of(stream)).isZero();
        }
    }

    @Test
    @DisplayName("at instance teardown every context set for the instance is deleted (cleanup once each)")
    void everythingOfAnInstanceGoesAtItsTeardown() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\s.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            FltContext ic = allocate(instance, FLT_INSTANCE_CONTEXT, 16);
            Flt.setInstanceContext(instance, FLT_SET_CONTEXT_KEEP_IF_EXISTS, ic, null);
            Flt.releaseContext(ic);
            FileObject h1 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FileObject h2 = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FltContext stream = tagger.streamContexts.get(0);
            // A reference the filter still holds keeps its context alive past the teardown.
            Out<FltContext> held = new Out<>();
            assertThat(Flt.getStreamHandleContext(instance, h2, held)).isEqualTo(NtStatus.STATUS_SUCCESS);
            int before = tagger.cleanups.total();

            assertThat(m.flt.detachVolume(instance)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(tagger.cleanups.of(ic)).isEqualTo(1);
            assertThat(tagger.cleanups.of(stream)).isEqualTo(1);
            assertThat(tagger.cleanups.of(tagger.handleContexts.get(h1))).isEqualTo(1);
            assertThat(tagger.cleanups.of(held.get())).isZero();
            assertThat(Flt.getStreamContext(instance, h1, new Out<>())).isEqualTo(NtStatus.STATUS_NOT_FOUND);
            Flt.releaseContext(held.get());
            assertThat(tagger.cleanups.of(held.get())).isEqualTo(1);
            assertThat(tagger.cleanups.total()).isEqualTo(before + 4);

            // The handles' later closes free nothing twice.
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h2))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(tagger.cleanups.counts.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        }
    }

    @Test
    @DisplayName("contexts may be reached from any thread: concurrent gets and releases keep the count right")
    void contextsFromAnyThread() throws Exception {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\s.txt", 10, 0))) {
            Tagger tagger = new Tagger();
            FltInstance instance = m.attach(tagger.registration("Tagger"), "370000");
            FileObject h = m.open("s.txt", READ, CreateDisposition.FILE_OPEN);
            FltContext stream = tagger.streamContexts.get(0);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    results.add(pool.submit(() -> {
                        int found = 0;
                        for (int i = 0; i < 500; i++) {
                            Out<FltContext> a = new Out<>();
                            Out<FltContext> b = new Out<>();
                            if (Flt.getStreamContext(instance, h, a) == NtStatus.STATUS_SUCCESS
                                    && Flt.getStreamHandleContext(instance, h, b) == NtStatus.STATUS_SUCCESS
                                    && a.get() == stream) {
                                found++;
                            }
                            Flt.referenceContext(a.get());
                            Flt.releaseContext(a.get());
                            Flt.releaseContext(a.get());
                            Flt.releaseContext(b.get());
                        }
                        return found;
                    }));
                }
                for (Future<Integer> r : results) {
                    assertThat(r.get(TestMachine.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(500);
                }
            } finally {
                pool.shutdownNow();
            }
            // A work item on a dispatcher thread sees the same context.
            List<FltContext> fromDispatcher = new CopyOnWriteArrayList<>();
            assertThat(Flt.queueGenericWorkItem(instance, (i, c) -> {
                Out<FltContext> out = new Out<>();
                if (Flt.getStreamContext(i, h, out) == NtStatus.STATUS_SUCCESS) {
                    fromDispatcher.add(out.get());
                    Flt.releaseContext(out.get());
                }
            }, null)).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();
            assertThat(fromDispatcher).containsExactly(stream);

            assertThat(tagger.cleanups.of(stream)).isZero();
            Out<FltContext> old = new Out<>();
            assertThat(Flt.deleteStreamContext(instance, h, old)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Flt.releaseContext(old.get());
            assertThat(tagger.cleanups.of(stream)).as("every get was matched by a release").isEqualTo(1);
        }
    }

    @Test
    void streamContextRoutinesNeedAFileObject() {
        try (TestMachine m = new TestMachine()) {
            Cleanups cleanups = new Cleanups();
            FltInstance instance = m.attach(contexts("C", cleanups).build(), "370000");
            FltContext c = allocate(instance, FLT_STREAM_CONTEXT, 4);

            assertThat(Flt.setStreamContext(instance, null, FLT_SET_CONTEXT_KEEP_IF_EXISTS, c, null))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            assertThat(Flt.getStreamHandleContext(instance, null, new Out<>()))
                    .isEqualTo(NtStatus.STATUS_INVALID_PARAMETER);
            Flt.releaseContext(c);
        }
    }
}
