package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_COMPLETE;

import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLT_PREOP_COMPLETE: the filter completes the operation with Data->IoStatus. FltMgr does not send it to the
 * filters below or to the file system, and calls only the post-operation callbacks of the filters above that
 * asked for one; the completing filter's own post-operation callback is not called.
 */
@Timeout(60)
class PreopCompleteTest {
    private static ScriptedFilter.Pre completeWith(int status, long information) {
        return (data, ctx) -> {
            data.ioStatus().set(status, information);
            return FLT_PREOP_COMPLETE;
        };
    }

    @Test
    void createFailedByAFilterNeverReachesTheFileSystem() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Blocker", log)
                    .onPre(completeWith(NtStatus.STATUS_ACCESS_DENIED, 0)).registration(), "370000");
            m.attach(new ScriptedFilter("Bottom", log).registration(), "320000");

            Overlapped ov = m.create("blocked.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(ov.fileObject()).isNull();
            assertThat(m.fs.exists("blocked.txt")).isFalse();
            assertThat(log.labels()).containsExactly("pre Top", "pre Blocker", "post Top");
            assertThat(log.post("Top", IrpMajorFunction.IRP_MJ_CREATE).status())
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
        }
    }

    @Test
    void filterAboveThatDeclinedItsPostCallbackIsNotCalled() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Quiet", log)
                    .onPre((d, c) -> FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK).registration(), "380000");
            m.attach(new ScriptedFilter("Blocker", log)
                    .onPre(completeWith(NtStatus.STATUS_ACCESS_DENIED, 0)).registration(), "370000");

            assertThat(m.awaitStatus(m.create("x.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(log.labels()).containsExactly("pre Top", "pre Quiet", "pre Blocker", "post Top");
        }
    }

    @Test
    void topFilterCompletingLeavesNoPostCallbacks() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Blocker", log)
                    .onPre(completeWith(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, 0)).registration(), "385100");
            m.attach(new ScriptedFilter("Bottom", log).registration(), "320000");
            assertThat(m.awaitStatus(m.create("y.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
            assertThat(m.fs.exists("y.txt")).isFalse();
            assertThat(log.labels()).containsExactly("pre Blocker");
        }
    }

    @Test
    void readSatisfiedByAFilterReturnsItsStatusAndInformation() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\empty.bin", 0, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Cache", log).onPre((data, ctx) -> {
                if (data.iopb().majorFunction() != IrpMajorFunction.IRP_MJ_READ) {
                    return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
                }
                data.ioStatus().set(NtStatus.STATUS_SUCCESS, 7);
                return FLT_PREOP_COMPLETE;
            }).registration(), "370000");
            FileObject fo = m.open("empty.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            log.clear();

            // The file is empty: the file system would answer STATUS_END_OF_FILE.
            Overlapped read = m.read(fo, 64, 0);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(7);
            assertThat(log.labels()).containsExactly("pre Top", "pre Cache", "post Top");
        }
    }

    @Test
    void operationsAfterACompletedOneStillReachTheFileSystem() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Blocker", log).onPre((data, ctx) -> {
                if (data.iopb().targetFileObject().fileName().endsWith("blocked.txt")) {
                    data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                    return FLT_PREOP_COMPLETE;
                }
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");
            assertThat(m.awaitStatus(m.create("blocked.txt", AccessMask.FILE_READ_DATA,
                    CreateDisposition.FILE_CREATE))).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
            assertThat(m.awaitStatus(m.create("allowed.txt", AccessMask.FILE_READ_DATA,
                    CreateDisposition.FILE_CREATE))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("blocked.txt")).isFalse();
            assertThat(m.fs.exists("allowed.txt")).isTrue();
            assertThat(log.post("Blocker", IrpMajorFunction.IRP_MJ_CREATE).status())
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
        }
    }
}
