package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLEANUP;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLOSE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CREATE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_READ;

import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * FLT_REGISTRATION and FltStartFiltering: FltMgr calls a minifilter only for the major functions it listed in
 * its OperationRegistration array, and only once it has started filtering.
 */
@Timeout(60)
class OperationRegistrationTest {
    private static void runAllOperations(TestMachine m) {
        FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
        assertThat(m.awaitStatus(m.read(fo, 10, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(m.awaitStatus(m.fsctl(fo, FsControlCode.FSCTL_GET_REPARSE_POINT)))
                .isEqualTo(NtStatus.STATUS_NOT_A_REPARSE_POINT);
        assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
    }

    @Test
    void filterIsCalledOnlyForTheMajorFunctionsItRegistered() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            m.attach(new ScriptedFilter("ReadsOnly", log).registration(IRP_MJ_READ), "370000");
            m.attach(new ScriptedFilter("CreateAndCleanup", log).registration(IRP_MJ_CREATE, IRP_MJ_CLEANUP),
                    "360000");
            m.attach(new ScriptedFilter("Everything", log).registration(), "320000");
            runAllOperations(m);

            assertThat(log.callsOf("ReadsOnly")).extracting(CallLog.Call::majorFunction)
                    .containsOnly(IRP_MJ_READ).hasSize(2);
            assertThat(log.callsOf("CreateAndCleanup")).extracting(CallLog.Call::majorFunction)
                    .containsExactly(IRP_MJ_CREATE, IRP_MJ_CREATE, IRP_MJ_CLEANUP, IRP_MJ_CLEANUP);
            assertThat(log.callsOf("Everything")).extracting(CallLog.Call::majorFunction).containsExactly(
                    IRP_MJ_CREATE, IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_READ, IRP_MJ_FILE_SYSTEM_CONTROL,
                    IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CLEANUP, IRP_MJ_CLOSE, IRP_MJ_CLOSE);
            assertThat(log.labels(IRP_MJ_READ)).containsExactly(
                    "pre ReadsOnly", "pre Everything", "post Everything", "post ReadsOnly");
        }
    }

    @Test
    void filterRegisteredButNotStartedIsNotCalled() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            FltFilter idle = m.flt.registerFilter(new ScriptedFilter("NotStarted", log).registration());
            m.flt.attachVolumeAtAltitude(idle, "370000", "NotStarted Instance");
            m.attach(new ScriptedFilter("Started", log).registration(), "320000");
            assertThat(idle.isFiltering()).isFalse();

            runAllOperations(m);

            assertThat(log.callsOf("NotStarted")).isEmpty();
            assertThat(log.callsOf("Started")).hasSize(10);
        }
    }

    @Test
    void filterIsCalledOnceItStartsFiltering() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 100, 0))) {
            CallLog log = new CallLog();
            FltFilter late = m.flt.registerFilter(new ScriptedFilter("Late", log).registration());
            m.flt.attachVolumeAtAltitude(late, "370000", "Late Instance");
            m.awaitStatus(m.create("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN));
            assertThat(log.calls()).isEmpty();

            m.flt.startFiltering(late);
            m.awaitStatus(m.create("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN));
            assertThat(log.labels(IRP_MJ_CREATE)).containsExactly("pre Late", "post Late");
        }
    }

    @Test
    void registeringTwoFiltersWithOneNameIsRefused() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = new CallLog();
            m.flt.registerFilter(new ScriptedFilter("Twin", log).registration());
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> m.flt.registerFilter(new ScriptedFilter("Twin", log).registration()));
            assertThat(m.flt.filters()).extracting(FltFilter::name).containsExactly("Twin");
        }
    }
}
