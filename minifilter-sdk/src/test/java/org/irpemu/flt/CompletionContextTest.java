package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PFLT_PRE_OPERATION_CALLBACK's CompletionContext out-parameter: what the pre-operation callback stores is
 * what FltMgr passes to that filter's post-operation callback for the same operation.
 */
@Timeout(60)
class CompletionContextTest {
    @Test
    void eachFilterReceivesTheContextItStored() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            Object topContext = new Object();
            Object bottomContext = new Object();
            m.attach(new ScriptedFilter("Top", log).onPre((d, c) -> {
                c.set(topContext);
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(), "385100");
            m.attach(new ScriptedFilter("NoContext", log).registration(), "370000");
            m.attach(new ScriptedFilter("Bottom", log).onPre((d, c) -> {
                c.set(bottomContext);
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(), "320000");

            assertThat(m.awaitStatus(m.create("c.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(log.post("Top", IrpMajorFunction.IRP_MJ_CREATE).context()).isSameAs(topContext);
            assertThat(log.post("Bottom", IrpMajorFunction.IRP_MJ_CREATE).context()).isSameAs(bottomContext);
            assertThat(log.post("NoContext", IrpMajorFunction.IRP_MJ_CREATE).context()).isNull();
        }
    }

    @Test
    void contextDoesNotLeakIntoTheNextOperation() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("OnlyCreates", log).onPre((d, c) -> {
                if (d.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
                    c.set("create context");
                }
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).registration(), "370000");
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            m.awaitStatus(m.read(fo, 10, 0));
            assertThat(log.post("OnlyCreates", IrpMajorFunction.IRP_MJ_CREATE).context()).isEqualTo("create context");
            assertThat(log.post("OnlyCreates", IrpMajorFunction.IRP_MJ_READ).context()).isNull();
        }
    }

    @Test
    void contextsOfConcurrentOperationsStaySeparate() {
        try (TestMachine m = new TestMachine(4, fs -> { })) {
            CallLog log = new CallLog();
            AtomicInteger mismatches = new AtomicInteger();
            m.attach(new ScriptedFilter("Namer", log).onPre((d, c) -> {
                c.set(d.iopb().targetFileObject().fileName());
                return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
            }).onPost((d, c) -> {
                if (!d.iopb().targetFileObject().fileName().equals(c)) {
                    mismatches.incrementAndGet();
                }
                return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
            }).registration(IrpMajorFunction.IRP_MJ_CREATE), "370000");
            List<Overlapped> ovs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ovs.add(m.create("f" + i + ".txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE));
            }
            for (Overlapped ov : ovs) {
                assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            }
            List<Object> contexts = log.calls().stream().filter(CallLog.Call::post).map(CallLog.Call::context)
                    .toList();
            assertThat(contexts).hasSize(200).doesNotHaveDuplicates();
            assertThat(mismatches).hasValue(0);
        }
    }
}
