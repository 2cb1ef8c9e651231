package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.FltOperationRegistration;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.OplockRequests;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PassThrough sample (the WDK's passThrough): a pre- and a post-operation callback for every major
 * function, changing nothing. Stacked any number of times, under the verifier, on one or several dispatcher
 * threads, callers see exactly what they see without it.
 */
@Timeout(120)
class PassThroughTest {
    @Test
    void registersAPreAndAPostCallbackForEveryMajorFunction() {
        FltRegistration r = PassThrough.registration();
        assertThat(r.name()).isEqualTo(PassThrough.NAME);
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            FltOperationRegistration op = r.operation(major);
            assertThat(op).as("major %d", major).isNotNull();
            assertThat(op.preOperation()).isNotNull();
            assertThat(op.postOperation()).isNotNull();
        }
        assertThat(PassThrough.registration("Other").name()).isEqualTo("Other");
    }

    static Stream<Arguments> scripts() {
        List<Arguments> out = new ArrayList<>();
        for (OplockTranscript.Script s : VirtualFileScripts.all()) {
            out.add(Arguments.of(s, 1));
            out.add(Arguments.of(s, 3));
        }
        return out.stream();
    }

    private static List<String> transcript(OplockTranscript.Script script, int dispatchers, int passThroughs) {
        try (TestMachine m = new TestMachine(dispatchers, fs -> { })) {
            m.write(VirtualFileTest.REGULAR, VirtualFileTest.CONTENTS);
            m.verify();
            for (int i = 0; i < passThroughs; i++) {
                m.attach(PassThrough.registration(PassThrough.NAME + i), String.valueOf(370030 + i));
            }
            OplockTranscript.Run run = new OplockTranscript.Run(m, VirtualFileTest.REGULAR);
            List<String> t = run.run(script);
            run.closeAll();
            return t;
        }
    }

    @ParameterizedTest(name = "{0} ({1} dispatchers)")
    @MethodSource("scripts")
    void threeStackedInstancesChangeNothingCallersSee(OplockTranscript.Script script, int dispatchers) {
        List<String> without = transcript(script, dispatchers, 0);
        List<String> with = transcript(script, dispatchers, 3);
        for (int i = 0; i < Math.min(without.size(), with.size()); i++) {
            assertThat(with.get(i)).as("with PassThrough against without, first difference").isEqualTo(without.get(i));
        }
        assertThat(with).hasSameSizeAs(without);
    }

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void monitorsAboveAndBelowSeeTheSameOperationsAndStatuses(int dispatchers) {
        ActivityMonitor above = new ActivityMonitor();
        try (TestMachine m = new TestMachine(dispatchers, fs -> fs.createFile("\\p.txt", 100, 0))) {
            m.verify();
            m.attach(above.registration(), ActivityMonitor.DEFAULT_ALTITUDE);
            m.attach(PassThrough.registration(), PassThrough.DEFAULT_ALTITUDE);
            FileObject h1 = m.open("\\p.txt", AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA,
                    CreateDisposition.FILE_OPEN);
            Overlapped rwh = OplockRequests.request(m.nt, h1, OplockLevel.RWH, false);
            Overlapped second = m.create("\\p.txt", AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA,
                    CreateDisposition.FILE_OPEN);
            assertThat(m.awaitStatus(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped ack = OplockRequests.request(m.nt, h1, OplockLevel.RH, true);
            assertThat(m.awaitStatus(second)).isEqualTo(NtStatus.STATUS_SUCCESS);
            Overlapped write = m.nt.ntWriteFile(new Overlapped(), second.fileObject(), new UnsafeBuffer(new byte[8]), 0, 8, 0, 0);
            assertThat(m.awaitStatus(write)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(ack)).as("a write breaks RH to none").isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.nt.ntLockFile(new Overlapped(), h1, 0, 4, 0, true, true)))
                    .isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.nt.ntLockFile(new Overlapped(), second.fileObject(), 0, 4, 0, true, true)))
                    .isEqualTo(NtStatus.STATUS_LOCK_NOT_GRANTED);
            assertThat(m.awaitStatus(m.close(second.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(m.awaitStatus(m.close(h1))).isEqualTo(NtStatus.STATUS_SUCCESS);
            m.quiesce();

            List<ActivityMonitor.Record> records = above.records();
            // Creates, the RWH request, its acknowledgment, the write, two locks, two cleanups and closes: each
            // seen once on the way down and once on the way up, with the status the caller got.
            assertThat(records).hasSize(2 * 11);
            assertThat(records).filteredOn(ActivityMonitor.Record::isPost).extracting(ActivityMonitor.Record::status)
                    .containsOnly(NtStatus.STATUS_SUCCESS, NtStatus.STATUS_LOCK_NOT_GRANTED)
                    .filteredOn(st -> st == NtStatus.STATUS_LOCK_NOT_GRANTED).hasSize(1);
        }
    }
}
