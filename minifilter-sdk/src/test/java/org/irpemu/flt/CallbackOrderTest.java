package org.irpemu.flt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLEANUP;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLOSE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CREATE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_READ;

import java.util.List;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Filter Manager concepts: an instance's altitude determines the order in which FltMgr calls it. Pre-operation
 * callbacks run from the highest altitude down, post-operation callbacks from the lowest up. Altitudes are
 * decimal numbers of any precision, compared numerically ("40000" is below "320000").
 */
@Timeout(60)
class CallbackOrderTest {
    private static final List<String> EXPECTED = List.of(
            "pre Fractional", "pre Monitor", "pre AntiVirus", "pre Low",
            "post Low", "post AntiVirus", "post Monitor", "post Fractional");

    /** Attached deliberately out of order; "40000" sorts first as text but is the lowest number. */
    private static CallLog attachFour(TestMachine m) {
        CallLog log = new CallLog();
        m.attach(new ScriptedFilter("AntiVirus", log).registration(), "320000");
        m.attach(new ScriptedFilter("Low", log).registration(), "40000");
        m.attach(new ScriptedFilter("Fractional", log).registration(), "385100.5");
        m.attach(new ScriptedFilter("Monitor", log).registration(), "370030");
        return log;
    }

    @Test
    void instancesAreListedHighestAltitudeFirstComparedAsNumbers() {
        try (TestMachine m = new TestMachine()) {
            attachFour(m);
            assertThat(m.flt.instances()).extracting(FltInstance::altitude)
                    .containsExactly("385100.5", "370030", "320000", "40000");
        }
    }

    @Test
    void createRunsPreCallbacksTopDownAndPostCallbacksBottomUp() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = attachFour(m);
            Overlapped ov = m.create("new.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE);
            assertThat(m.awaitStatus(ov)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(log.labels(IRP_MJ_CREATE)).containsExactlyElementsOf(EXPECTED);
            assertThat(log.labels()).containsExactlyElementsOf(EXPECTED);
        }
    }

    @Test
    void readFsctlCleanupAndCloseFollowTheSameOrder() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 4096, 0))) {
            CallLog log = attachFour(m);
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);

            assertThat(m.awaitStatus(m.read(fo, 100, 0))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.fsctl(fo, FsControlCode.FSCTL_GET_REPARSE_POINT)))
                    .isEqualTo(NtStatus.STATUS_NOT_A_REPARSE_POINT);
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);

            for (int major : new int[] {IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_CLEANUP,
                    IRP_MJ_CLOSE}) {
                assertThat(log.labels(major)).as("major 0x%x", major).containsExactlyElementsOf(EXPECTED);
            }
        }
    }

    @Test
    void operationsDoNotInterleave() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\data.bin", 4096, 0))) {
            CallLog log = attachFour(m);
            FileObject fo = m.open("data.bin", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            m.awaitStatus(m.read(fo, 100, 0));
            m.awaitStatus(m.fsctl(fo, FsControlCode.FSCTL_GET_REPARSE_POINT));
            m.awaitStatus(m.close(fo));
            List<CallLog.Call> calls = log.calls();
            assertThat(calls).hasSize(5 * EXPECTED.size());
            int[] majors = {IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_CLEANUP, IRP_MJ_CLOSE};
            for (int op = 0; op < majors.length; op++) {
                for (int i = 0; i < EXPECTED.size(); i++) {
                    CallLog.Call c = calls.get(op * EXPECTED.size() + i);
                    assertThat(c.majorFunction()).isEqualTo(majors[op]);
                    assertThat(c.label()).isEqualTo(EXPECTED.get(i));
                }
            }
        }
    }

    @Test
    void relatedObjectsNameTheInstanceBeingCalled() {
        try (TestMachine m = new TestMachine()) {
            CallLog log = attachFour(m);
            m.awaitStatus(m.create("new.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_CREATE));
            assertThat(log.callsOf("AntiVirus")).extracting(CallLog.Call::instanceAltitude).containsOnly("320000");
            assertThat(log.callsOf("Low")).extracting(CallLog.Call::instanceAltitude).containsOnly("40000");
            assertThat(log.callsOf("Fractional")).extracting(CallLog.Call::instanceAltitude)
                    .containsOnly("385100.5");
            assertThat(log.callsOf("Monitor")).extracting(CallLog.Call::instanceAltitude).containsOnly("370030");
        }
    }

    @Test
    void postCallbacksOfAnOperationTheFileSystemPendedRunBottomUpWhenItCompletes() {
        try (TestMachine m = new TestMachine(fs -> fs.createFile("\\doc.txt", 100, 0))) {
            CallLog log = attachFour(m);
            FileObject owner = m.open("doc.txt", AccessMask.FILE_READ_DATA, CreateDisposition.FILE_OPEN);
            log.clear();

            Overlapped oplock = OplockRequests.request(m.nt, owner, OplockLevel.RWH, false);
            m.quiesce();
            assertThat(oplock.isDone()).as("the file system keeps the oplock request").isFalse();
            assertThat(log.labels()).containsExactly("pre Fractional", "pre Monitor", "pre AntiVirus", "pre Low");

            // Closing the handle breaks the oplock: the request completes, and only then the post callbacks run.
            assertThat(m.awaitStatus(m.close(owner))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(oplock)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            assertThat(log.labels(IRP_MJ_FILE_SYSTEM_CONTROL)).containsExactlyElementsOf(EXPECTED);
            assertThat(log.post("Fractional", IRP_MJ_FILE_SYSTEM_CONTROL).status())
                    .isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        }
    }
}
