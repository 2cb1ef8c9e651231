package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.flt.FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLT_PREOP_SUCCESS_NO_CALLBACK: the operation goes on down the stack, but FltMgr does not call that
 * filter's post-operation callback; the other filters' callbacks are unaffected.
 */
@Timeout(60)
class PreopSuccessNoCallbackTest {
    @Test
    void middleFilterPostCallbackIsSkipped() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Top", log).registration(), "385100");
            m.attach(new ScriptedFilter("Middle", log)
                    .onPre((d, c) -> FLT_PREOP_SUCCESS_NO_CALLBACK).registration(), "370000");
            m.attach(new ScriptedFilter("Bottom", log).registration(), "320000");

            assertThat(m.awaitStatus(m.create("new.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.fs.exists("new.txt")).isTrue();
            assertThat(log.labels()).containsExactly("pre Top", "pre Middle", "pre Bottom", "post Bottom", "post Top");
        }
    }

    @Test
    void noPostCallbacksWhenEveryFilterDeclines() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("Top", log).onPre((d, c) -> FLT_PREOP_SUCCESS_NO_CALLBACK).registration(),
                    "385100");
            m.attach(new ScriptedFilter("Bottom", log).onPre((d, c) -> FLT_PREOP_SUCCESS_NO_CALLBACK).registration(),
                    "320000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            var read = m.read(fo, 64, 50);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(50);
            assertThat(log.labels()).containsExactly("pre Top", "pre Bottom", "pre Top", "pre Bottom");
        }
    }

    @Test
    void declinedPostCallbackOnlyAffectsThatOperation() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("CreatesOnly", log).onPre((d, c) ->
                    d.iopb().majorFunction() == org.irpemu.irp.IrpMajorFunction.IRP_MJ_CREATE
                            ? FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK
                            : FLT_PREOP_SUCCESS_NO_CALLBACK).registration(), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            m.awaitStatus(m.read(fo, 10, 0));
            assertThat(log.labels()).containsExactly("pre CreatesOnly", "post CreatesOnly", "pre CreatesOnly");
        }
    }
}
