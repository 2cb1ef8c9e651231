package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;

import java.util.concurrent.atomic.AtomicBoolean;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileAttributes;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Modifying the parameters of an I/O operation: a pre-operation callback may change Data->Iopb->Parameters and
 * call FltSetCallbackDataDirty; the minifilters below and the file system then see the changed parameters.
 */
@Timeout(60)
class CallbackDataDirtyTest {
    private static final int READ_WRITE = AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA;

    private static ScriptedFilter stripWriteAccess(CallLog log) {
        return new ScriptedFilter("Stripper", log).onPre((data, ctx) -> {
            if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
                var p = data.iopb().parameters();
                p.desiredAccess(p.desiredAccess() & ~(AccessMask.FILE_WRITE_DATA | AccessMask.FILE_APPEND_DATA));
                Flt.setCallbackDataDirty(data);
            }
            return FLT_PREOP_SUCCESS_WITH_CALLBACK;
        });
    }

    @Test
    void withoutTheFilterTheReadOnlyFileRefusesWriteAccess() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\ro.txt", 10, FileAttributes.FILE_ATTRIBUTE_READONLY))) {
            assertThat(m.awaitStatus(m.create("ro.txt", READ_WRITE, CreateDisposition.FILE_OPEN)))
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
        }
    }

    @Test
    void changedDesiredAccessReachesLowerFiltersAndTheFileSystem() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\ro.txt", 10, FileAttributes.FILE_ATTRIBUTE_READONLY))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Above", log).observe(d -> d.iopb().parameters().desiredAccess())
                    .registration(IrpMajorFunction.IRP_MJ_CREATE), "385100");
            m.attach(stripWriteAccess(log).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");
            m.attach(new ScriptedFilter("Below", log).observe(d -> d.iopb().parameters().desiredAccess())
                    .registration(IrpMajorFunction.IRP_MJ_CREATE), "320000");

            Overlapped ov = m.create("ro.txt", READ_WRITE, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(ov)).as("the file system saw no write access").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(log.callsOf("Above").get(0).observed()).isEqualTo(READ_WRITE);
            assertThat(log.callsOf("Below").get(0).observed()).isEqualTo(AccessMask.FILE_READ_DATA);
        }
    }

    @Test
    void changedReadLengthReachesLowerFiltersAndTheFileSystem() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Shortener", log).onPre((data, ctx) -> {
                if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_READ) {
                    data.iopb().parameters().length(10);
                    Flt.setCallbackDataDirty(data);
                }
                return FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(IrpMajorFunction.IRP_MJ_READ), "370000");
            m.attach(new ScriptedFilter("Below", log).observe(d -> (int) d.iopb().parameters().length())
                    .registration(IrpMajorFunction.IRP_MJ_READ), "320000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 80, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).as("bytes the file system read").isEqualTo(10);
            assertThat(log.callsOf("Below").get(0).observed()).isEqualTo(10);
        }
    }

    @Test
    void changedByteOffsetReachesTheFileSystem() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Seeker", log).onPre((data, ctx) -> {
                data.iopb().parameters().byteOffset(95);
                Flt.setCallbackDataDirty(data);
                return FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(IrpMajorFunction.IRP_MJ_READ), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);

            Overlapped read = m.read(fo, 80, 0);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(5);
        }
    }

    @Test
    void dirtyFlagIsSetAndClearedByTheFltRoutines() {
        try (TestMachine m = new TestMachine()) {
            AtomicBoolean cleanAtFirst = new AtomicBoolean();
            AtomicBoolean dirtyAfterSet = new AtomicBoolean();
            AtomicBoolean flagBitSet = new AtomicBoolean();
            AtomicBoolean cleanAfterClear = new AtomicBoolean();
            m.attach(new ScriptedFilter("Flagger", new CallLog()).onPre((data, ctx) -> {
                cleanAtFirst.set(!Flt.isCallbackDataDirty(data));
                Flt.setCallbackDataDirty(data);
                dirtyAfterSet.set(Flt.isCallbackDataDirty(data) && data.isDirty());
                flagBitSet.set((data.flags() & FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY) != 0
                        && (data.flags() & FltCallbackData.FLTFL_CALLBACK_DATA_IRP_OPERATION) != 0);
                Flt.clearCallbackDataDirty(data);
                cleanAfterClear.set(!Flt.isCallbackDataDirty(data));
                return FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");

            m.awaitStatus(m.create("f.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE));

            assertThat(cleanAtFirst).isTrue();
            assertThat(dirtyAfterSet).isTrue();
            assertThat(flagBitSet).isTrue();
            assertThat(cleanAfterClear).isTrue();
        }
    }

    @Test
    void parametersChangedByAPendingFilterReachTheFileSystemAfterResumption() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            var held = new java.util.concurrent.atomic.AtomicReference<FltCallbackData>();
            m.attach(new ScriptedFilter("Pender", new CallLog()).onPre((data, ctx) -> {
                held.set(data);
                return FltPreopCallbackStatus.FLT_PREOP_PENDING;
            }).registration(IrpMajorFunction.IRP_MJ_READ), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            Overlapped read = m.read(fo, 80, 0);
            m.quiesce();
            FltCallbackData data = held.get();
            data.iopb().parameters().length(3);
            Flt.setCallbackDataDirty(data);

            Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK, null);

            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(3);
        }
    }
}
