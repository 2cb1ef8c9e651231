package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
import static org.irpemu.flt.FltPostopCallbackStatus.FLT_POSTOP_MORE_PROCESSING_REQUIRED;

import java.util.concurrent.atomic.AtomicReference;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLT_POSTOP_MORE_PROCESSING_REQUIRED and FltCompletePendedPostOperation: FltMgr stops completion processing
 * of the operation (the post-operation callbacks above are not called and the caller does not see the
 * completion) until the filter hands the operation back.
 */
@Timeout(60)
class PendedPostOperationTest {
    private static ScriptedFilter.Post holdReads(AtomicReference<FltCallbackData> held) {
        return (data, ctx) -> {
            if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_READ) {
                held.set(data);
                return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
            }
            return FLT_POSTOP_FINISHED_PROCESSING;
        };
    }

    @Test
    void completionIsHeldUntilTheFilterResumesIt() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Holder", log).onPost(holdReads(held)).registration(), "370000");
            m.attach(new ScriptedFilter("Bottom", log).registration(), "320000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            log.clear();

            Overlapped read = m.read(fo, 64, 50);
            m.quiesce();
            assertThat(read.isDone()).as("completion held").isFalse();
            assertThat(read.status()).isEqualTo(NtStatus.STATUS_PENDING);
            assertThat(log.labels()).containsExactly("pre Top", "pre Holder", "pre Bottom", "post Bottom",
                    "post Holder");
            assertThat(held.get().ioStatus().status()).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(held.get().ioStatus().information()).isEqualTo(50);

            Flt.completePendedPostOperation(held.get());

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(50);
            assertThat(log.labels()).containsExactly("pre Top", "pre Holder", "pre Bottom", "post Bottom",
                    "post Holder", "post Top");
            assertThat(log.post("Top", IrpMajorFunction.IRP_MJ_READ).status()).isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }

    @Test
    void heldCreateDeliversTheHandleAfterResumption() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Holder", log).onPost((data, ctx) -> {
                held.set(data);
                return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "385100");

            Overlapped create = m.create("made.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(create.isDone()).isFalse();
            assertThat(m.fs.exists("made.txt")).as("the file system did its part").isTrue();

            Flt.completePendedPostOperation(held.get());

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(create.fileObject()).isNotNull();
            assertThat(create.information()).isEqualTo(CreateDisposition.FILE_CREATED);
        }
    }

    @Test
    void errorStatusIsDeliveredAfterResumption() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 10, 0))) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Holder", log).onPost(holdReads(held)).registration(), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 64, 500);
            m.quiesce();
            assertThat(read.isDone()).isFalse();
            assertThat(log.post("Holder", IrpMajorFunction.IRP_MJ_READ).status())
                    .isEqualTo(NtStatus.STATUS_END_OF_FILE);
            assertThat(log.post("Top", IrpMajorFunction.IRP_MJ_READ)).isNull();

            Flt.completePendedPostOperation(held.get());

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_END_OF_FILE);
            assertThat(log.post("Top", IrpMajorFunction.IRP_MJ_READ).status()).isEqualTo(NtStatus.STATUS_END_OF_FILE);
        }
    }

    @Test
    void resumingAnOperationThatIsNotHeldIsReported() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Holder", log).onPost(holdReads(held)).registration(), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 10, 0);
            m.quiesce();

            Flt.completePendedPostOperation(held.get());
            Flt.completePendedPostOperation(held.get());

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.drainFailures()).singleElement().isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void heldCompletionOfAnOperationALowerFilterCompleted() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            AtomicReference<FltCallbackData> held = new AtomicReference<>();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Holder", log).onPost((data, ctx) -> {
                held.set(data);
                return FLT_POSTOP_MORE_PROCESSING_REQUIRED;
            }).registration(), "370000");
            m.attach(new ScriptedFilter("Blocker", log).onPre((data, ctx) -> {
                data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
            }).registration(), "320000");

            Overlapped create = m.create("no.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            m.quiesce();
            assertThat(create.isDone()).isFalse();
            assertThat(log.labels()).containsExactly("pre Top", "pre Holder", "pre Blocker", "post Holder");

            Flt.completePendedPostOperation(held.get());

            assertThat(m.awaitStatus(create)).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(log.labels()).containsExactly("pre Top", "pre Holder", "pre Blocker", "post Holder",
                    "post Top");
            assertThat(m.fs.exists("no.txt")).isFalse();
            m.quiesce();
            assertThat(m.io.outstandingIrps()).isZero();
        }
    }
}
