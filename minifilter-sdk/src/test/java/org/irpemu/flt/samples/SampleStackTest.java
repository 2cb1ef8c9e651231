package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.OplockRequests;
import org.irpemu.flt.TestMachine;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.OplockLevel;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every sample at once, under the verifier, on one and on several dispatcher threads, with several caller
 * threads: ActivityMonitor, PassThrough, CancelSafe, AntivirusScanner and VirtualFile at their default
 * altitudes. Each caller sees what it would see without the filters, and every filter's bookkeeping adds up.
 */
@Timeout(180)
class SampleStackTest {
    private static final int CALLERS = 4;
    private static final int ROUNDS = 25;
    private static final byte[] VIRTUAL_CONTENTS = VirtualFileTest.CONTENTS;

    @ParameterizedTest(name = "{0} dispatchers")
    @ValueSource(ints = {1, 3})
    void everySampleTogetherUnderTheVerifier(int dispatchers) throws Exception {
        ActivityMonitor monitor = new ActivityMonitor();
        CancelSafe cancelSafe = new CancelSafe(".csq", 2);
        AntivirusScanner scanner = new AntivirusScanner();
        VirtualFile virtual = new VirtualFile(VirtualFileTest.VIRTUAL, VIRTUAL_CONTENTS);
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try (TestMachine m = new TestMachine(dispatchers, fs -> {
            for (int i = 0; i < 8; i++) {
                fs.createFile("\\data\\f" + i + ".txt", 3000 + 1000 * i, 0);
            }
            fs.createDirectories("\\q");
        })) {
            m.verify();
            m.attach(monitor.registration(), ActivityMonitor.DEFAULT_ALTITUDE);
            m.attach(PassThrough.registration(), PassThrough.DEFAULT_ALTITUDE);
            m.attach(cancelSafe.registration(), CancelSafe.DEFAULT_ALTITUDE);
            m.attach(scanner.registration(), AntivirusScanner.DEFAULT_ALTITUDE);
            m.attach(virtual.registration(), VirtualFile.DEFAULT_ALTITUDE);

            List<Future<Integer>> work = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                work.add(callers.submit(() -> workload(m, caller)));
            }
            int operations = 0;
            for (Future<Integer> f : work) {
                operations += f.get(120, TimeUnit.SECONDS);
            }
            m.quiesce();

            // Every operation the monitor saw going down came back up, exactly once.
            Map<Long, Integer> pre = new HashMap<>();
            Map<Long, Integer> post = new HashMap<>();
            for (ActivityMonitor.Record r : monitor.records()) {
                (r.isPost() ? post : pre).merge(r.sequence(), 1, Integer::sum);
            }
            assertThat(post).isEqualTo(pre);
            assertThat(pre.values()).containsOnly(1);
            assertThat(pre.size()).as("the callers' operations (the filters' own I/O is below the monitor)")
                    .isEqualTo(operations);

            assertThat(scanner.active()).isZero();
            assertThat(scanner.started()).isEqualTo(scanner.completed() + scanner.backedOut());
            assertThat(scanner.completed()).isPositive();
            assertThat(scanner.infected()).isEmpty();
            assertThat(cancelSafe.queued()).isEqualTo((long) CALLERS * ROUNDS);
            assertThat(cancelSafe.resumed()).isEqualTo(cancelSafe.queued());
            assertThat(cancelSafe.queueLength()).isZero();
        } finally {
            callers.shutdownNow();
        }
    }

    /** One caller's rounds; returns how many operations (IRPs the monitor sees) it issued. */
    private static int workload(TestMachine m, int caller) {
        int operations = 0;
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        for (int round = 0; round < ROUNDS; round++) {
            String path = "\\data\\f" + ((caller + round) % 8) + ".txt";
            FileObject fo = open(m, path);
            Overlapped rh = OplockRequests.request(m.nt, fo, OplockLevel.RH, false);
            Overlapped read = m.nt.ntReadFile(new Overlapped(), fo, buffer, 0, 256, 100, 0);
            assertThat(m.awaitStatus(read)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(read.information()).isEqualTo(256);
            assertThat(m.awaitStatus(m.close(fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
            // Opens sharing everything never break a Read-Handle oplock: it ends with its handle.
            assertThat(m.awaitStatus(rh)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
            operations += 5;

            FileObject v = open(m, VirtualFileTest.VIRTUAL);
            Overlapped vr = m.nt.ntReadFile(new Overlapped(), v, buffer, 0, 256, 0, 0);
            assertThat(m.awaitStatus(vr)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(vr.information()).isEqualTo(VIRTUAL_CONTENTS.length);
            assertThat(buffer.getByte(0)).isEqualTo(VIRTUAL_CONTENTS[0]);
            assertThat(m.awaitStatus(m.close(v))).isEqualTo(NtStatus.STATUS_SUCCESS);
            operations += 4;

            Overlapped queued = m.create("\\q\\c" + caller + "-" + round + ".csq", AccessMask.FILE_READ_DATA,
                    TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN_IF, 0, null);
            assertThat(m.awaitStatus(queued)).isEqualTo(NtStatus.STATUS_SUCCESS);
            assertThat(queued.information()).isEqualTo(CreateDisposition.FILE_CREATED);
            assertThat(m.awaitStatus(m.close(queued.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
            operations += 3;
        }
        return operations;
    }

    private static FileObject open(TestMachine m, String path) {
        Overlapped ov = m.create(path, AccessMask.FILE_READ_DATA, TestMachine.SHARE_ALL, CreateDisposition.FILE_OPEN, 0,
                null);
        assertThat(m.awaitStatus(ov)).as("open %s", path).isEqualTo(NtStatus.STATUS_SUCCESS);
        return ov.fileObject();
    }
}
