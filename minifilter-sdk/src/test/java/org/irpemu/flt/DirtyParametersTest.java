package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_PENDING;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Changing Data->Iopb->Parameters and FltSetCallbackDataDirty (/tmp/flt-notes.md section 2.1: "Modifying callback
 * data in pre or post: must call FltSetCallbackDataDirty"): the change reaches the instances below and the file
 * system; the changing instance and those above see the original parameters again in their post-operation
 * callbacks; the Filter Manager clears the dirty flag once it has acted on it.
 */
@Timeout(60)
class DirtyParametersTest {
    private static final int READ = AccessMask.FILE_READ_DATA;

    /** What the filters saw: "pre NAME length@offset dirty?" and "post NAME length@offset dirty?". */
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private static String describe(FltCallbackData data) {
        IoStackLocation p = data.iopb().parameters();
        return p.length() + "@" + p.byteOffset() + (data.isDirty() ? " dirty" : "");
    }

    /** A read filter that records the parameters it sees and applies {@code change} in its pre-operation callback. */
    private FltRegistration reads(String name, Consumer<FltCallbackData> change) {
        return FltRegistration.builder(name).operation(IrpMajorFunction.IRP_MJ_READ, (data, objects, context) -> {
            seen.add("pre " + name + " " + describe(data));
            if (change != null) {
                change.accept(data);
            }
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        }, (data, objects, context, flags) -> {
            seen.add("post " + name + " " + describe(data));
            return FLT_POSTOP_FINISHED_PROCESSING;
        }).build();
    }

    private static Consumer<FltCallbackData> readOf(int length, long offset) {
        return data -> {
            data.iopb().parameters().length(length).byteOffset(offset);
            Flt.setCallbackDataDirty(data);
        };
    }

    @Test
    @DisplayName("the change reaches those below; the changer and those above see the original parameters in post")
    void oneChangingFilter() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            m.attach(reads("Top", null), "385000");
            m.attach(reads("Changer", readOf(10, 5)), "370000");
            m.attach(reads("Below", null), "320000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 80, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).as("the file system read 10 bytes at 5").isEqualTo(10);
            assertThat(seen).containsExactly("pre Top 80@0", "pre Changer 80@0", "pre Below 10@5",
                    "post Below 10@5", "post Changer 80@0", "post Top 80@0");
        }
    }

    @Test
    @DisplayName("two changing filters: each sees in post what it received in pre")
    void twoChangingFiltersAtDifferentAltitudes() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            m.attach(reads("Top", null), "400000");
            m.attach(reads("C1", readOf(40, 0)), "300000");
            m.attach(reads("Mid", null), "250000");
            m.attach(reads("C2", readOf(10, 90)), "200000");
            m.attach(reads("Bottom", null), "100000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 80, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(10);
            assertThat(seen).containsExactly(
                    "pre Top 80@0", "pre C1 80@0", "pre Mid 40@0", "pre C2 40@0", "pre Bottom 10@90",
                    "post Bottom 10@90", "post C2 40@0", "post Mid 40@0", "post C1 80@0", "post Top 80@0");
        }
    }

    @Test
    @DisplayName("the dirty flag is cleared after the callback that set it: neither those below nor the post see it")
    void dirtyFlagIsClearedAfterEachCallback() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            List<Boolean> dirtyWhenReturning = new CopyOnWriteArrayList<>();
            m.attach(reads("Changer", data -> {
                readOf(20, 0).accept(data);
                dirtyWhenReturning.add(Flt.isCallbackDataDirty(data));
            }), "370000");
            m.attach(reads("Below", null), "320000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(m.read(fo, 80, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(dirtyWhenReturning).containsExactly(true);
            assertThat(seen).containsExactly("pre Changer 80@0", "pre Below 20@0", "post Below 20@0",
                    "post Changer 80@0");
        }
    }

    @Test
    @DisplayName("a filter below that completes the operation: the changer still sees its original parameters")
    void changeThenCompletedBelow() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            m.attach(reads("Changer", readOf(20, 7)), "370000");
            m.attach(FltRegistration.builder("Completer").operation(IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> {
                        seen.add("pre Completer " + describe(data));
                        data.ioStatus().set(NtStatus.STATUS_END_OF_FILE, 0);
                        return FLT_PREOP_COMPLETE;
                    }, null).build(), "320000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(m.read(fo, 80, 0))).isEqualTo(NtStatus.STATUS_END_OF_FILE);

            assertThat(seen).containsExactly("pre Changer 80@0", "pre Completer 20@7", "post Changer 80@0");
        }
    }

    @Test
    @DisplayName("a pended filter that changes the parameters before resuming: below sees the change, it the original")
    void pendedFilterChangesBeforeResuming() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(reads("Top", null), "385000");
            m.attach(FltRegistration.builder("Pender").operation(IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> {
                        seen.add("pre Pender " + describe(data));
                        held.set(data);
                        return FLT_PREOP_PENDING;
                    }, (data, objects, context, flags) -> {
                        seen.add("post Pender " + describe(data) + " " + context);
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "370000");
            m.attach(reads("Below", null), "320000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 80, 0);
            m.quiesce();
            FltCallbackData data = held.get();

            data.iopb().parameters().length(3).byteOffset(50);
            Flt.setCallbackDataDirty(data);
            Flt.completePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, "ctx");

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(3);
            assertThat(seen).containsExactly("pre Top 80@0", "pre Pender 80@0", "pre Below 3@50", "post Below 3@50",
                    "post Pender 80@0 ctx", "post Top 80@0");
        }
    }

    @Test
    @DisplayName("verifier: a change marked dirty before pending is not reported again when the operation is resumed")
    void changeMarkedDirtyBeforePendingIsNotAFindingAtResumption() {
        try (TestMachine m = new TestMachine(new FltVerifier(), fs -> fs.createFile("\\d.bin", 100, 0))) {
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(FltRegistration.builder("Pender").operation(IrpMajorFunction.IRP_MJ_READ,
                    (data, objects, context) -> {
                        readOf(4, 0).accept(data);
                        held.set(data);
                        return FLT_PREOP_PENDING;
                    }, null).build(), "370000");
            m.attach(reads("Below", null), "320000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 80, 0);
            m.quiesce();

            Flt.completePendedPreOperation(held.get(), FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(4);
            assertThat(seen).containsExactly("pre Below 4@0", "post Below 4@0");
            m.quiesce();
            assertThat(m.verifier.findings()).isEmpty();
        }
    }

    @Test
    @DisplayName("a drained post-operation callback of the changer sees the original parameters too; those below the change")
    void drainedPostOperationOfTheChangerSeesTheOriginals() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\a.txt", 10, 0))) {
            FltTestSupport.RwhHolder holder = new FltTestSupport.RwhHolder(m, "a.txt");
            FltRegistration.Builder changer = FltRegistration.builder("Changer")
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS);
            FltInstance changing = m.attach(changer.operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> {
                        data.iopb().parameters().fileAttributes(FileAttributes.FILE_ATTRIBUTE_ARCHIVE);
                        Flt.setCallbackDataDirty(data);
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                    }, (data, objects, context, flags) -> {
                        seen.add("post Changer attributes=" + data.iopb().parameters().fileAttributes() + " flags=" + flags);
                        data.iopb().parameters().fileAttributes(0x7); // a drained callback works on a copy
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "370000");
            m.attach(FltRegistration.builder("Below").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> FLT_PREOP_SUCCESS_WITH_CALLBACK, (data, objects, context, flags) -> {
                        seen.add("post Below attributes=" + data.iopb().parameters().fileAttributes());
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "320000");
            Overlapped waiting = m.create("a.txt", READ, CreateDisposition.FILE_OPEN);
            m.quiesce();

            assertThat(m.flt.detachVolume(changing)).isEqualTo(NtStatus.STATUS_SUCCESS);
            holder.acknowledge();

            assertThat(m.awaitStatus(waiting)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(seen).containsExactly(
                    "post Changer attributes=0 flags=" + FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING,
                    "post Below attributes=" + FileAttributes.FILE_ATTRIBUTE_ARCHIVE);
        }
    }

    @Test
    @DisplayName("create parameters: the file system sees the changed access, the changer its caller's")
    void changedCreateAccessIsRestoredForThePostOperation() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\ro.txt", 10, FileAttributes.FILE_ATTRIBUTE_READONLY))) {
            int readWrite = READ | AccessMask.FILE_WRITE_DATA;
            m.attach(FltRegistration.builder("Stripper").operation(IrpMajorFunction.IRP_MJ_CREATE,
                    (data, objects, context) -> {
                        IoStackLocation p = data.iopb().parameters();
                        p.desiredAccess(p.desiredAccess() & ~AccessMask.FILE_WRITE_DATA);
                        Flt.setCallbackDataDirty(data);
                        return FLT_PREOP_SUCCESS_WITH_CALLBACK;
                    }, (data, objects, context, flags) -> {
                        seen.add("post access " + Integer.toHexString(data.iopb().parameters().desiredAccess()));
                        return FLT_POSTOP_FINISHED_PROCESSING;
                    }).build(), "370000");

            Overlapped create = m.create("ro.txt", readWrite, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(seen).containsExactly("post access " + Integer.toHexString(readWrite));
            assertThat(create.fileObject().writeAccess()).as("granted what the file system saw").isFalse();
        }
    }

    @Test
    @DisplayName("the next operation starts clean: no change and no dirty flag carried over")
    void nothingCarriesOverToTheNextOperation() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\d.bin", 100, 0))) {
            List<String> firstOnly = new CopyOnWriteArrayList<>();
            m.attach(reads("Changer", data -> {
                if (firstOnly.isEmpty()) {
                    firstOnly.add("changed");
                    readOf(5, 0).accept(data);
                }
            }), "370000");
            FileObject fo = m.open("d.bin", READ, CreateDisposition.FILE_OPEN);

            Overlapped first = m.read(fo, 80, 0);
            assertThat(m.awaitStatus(first)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped second = m.read(fo, 60, 10);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);

            assertThat(first.information()).isEqualTo(5);
            assertThat(second.information()).isEqualTo(60);
            assertThat(seen).containsExactly("pre Changer 80@0", "post Changer 80@0", "pre Changer 60@10",
                    "post Changer 60@10");
        }
    }
}
