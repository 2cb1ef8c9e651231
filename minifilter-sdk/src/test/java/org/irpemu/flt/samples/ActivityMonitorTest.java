package org.irpemu.flt.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLEANUP;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CLOSE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_CREATE;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL;
import static org.irpemu.irp.IrpMajorFunction.IRP_MJ_READ;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.FilterManager;
import org.irpemu.flt.FltFilter;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.fs.ReferenceFileSystem;
import org.irpemu.io.IoManager;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.status.NtStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The activity monitor sample (in the spirit of the WDK's minispy): one pre record on the way down and one
 * post record, carrying the operation's final status, on the way up, for every operation, in order.
 */
@Timeout(60)
class ActivityMonitorTest {
    private static final int SHARE_ALL = 7;

    private ReferenceFileSystem fs;
    private FilterManager flt;
    private IoManager io;
    private NtApi nt;
    private ActivityMonitor monitor;

    @BeforeEach
    void start() {
        fs = new ReferenceFileSystem();
        fs.createFile("\\docs\\a.txt", 10, 0);
        flt = new FilterManager(fs.volumeDevice());
        io = IoManager.builder().start();
        nt = io.api(fs.volumeDevice());
        monitor = new ActivityMonitor();
        FltFilter f = flt.registerFilter(monitor.registration());
        flt.startFiltering(f);
        flt.attachVolumeAtAltitude(f, ActivityMonitor.DEFAULT_ALTITUDE, "ActivityMonitor Instance");
    }

    @AfterEach
    void stop() {
        try {
            assertThat(io.awaitQuiescence(5, TimeUnit.SECONDS)).isTrue();
            assertThat(io.drainFailures()).isEmpty();
        } finally {
            io.close();
        }
    }

    private int await(Overlapped ov) {
        assertThat(ov.await(5, TimeUnit.SECONDS)).as("%s completed", ov).isTrue();
        return ov.status();
    }

    private Overlapped create(String path, int disposition) {
        return nt.ntCreateFile(new Overlapped(), path, AccessMask.FILE_READ_DATA, 0, SHARE_ALL, disposition, 0,
                null, null);
    }

    @Test
    void registersForEveryMajorFunction() {
        FltRegistration r = monitor.registration();
        assertThat(r.name()).isEqualTo(ActivityMonitor.NAME);
        for (int major = 0; major <= IrpMajorFunction.IRP_MJ_MAXIMUM_FUNCTION; major++) {
            assertThat(r.operation(major)).as("major %d", major).isNotNull();
        }
    }

    @Test
    void recordsPreAndPostOfEachOperationInOrderWithTheFinalStatus() {
        Overlapped open = create("docs\\a.txt", CreateDisposition.FILE_OPEN);
        assertThat(await(open)).isEqualTo(NtStatus.STATUS_SUCCESS);
        FileObject fo = open.fileObject();
        assertThat(await(nt.ntReadFile(new Overlapped(), fo, new UnsafeBuffer(new byte[64]), 0, 64, 0, 0)))
                .isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(await(nt.ntReadFile(new Overlapped(), fo, new UnsafeBuffer(new byte[64]), 0, 64, 40, 0)))
                .isEqualTo(NtStatus.STATUS_END_OF_FILE);
        assertThat(await(nt.ntFsControlFile(new Overlapped(), fo, FsControlCode.FSCTL_GET_REPARSE_POINT, null, 0, 0,
                0))).isEqualTo(NtStatus.STATUS_NOT_A_REPARSE_POINT);
        assertThat(await(nt.ntClose(new Overlapped(), fo))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(await(create("docs\\missing.txt", CreateDisposition.FILE_OPEN)))
                .isEqualTo(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);

        List<ActivityMonitor.Record> records = monitor.records();
        int[] majors = {IRP_MJ_CREATE, IRP_MJ_READ, IRP_MJ_READ, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_CLEANUP,
            IRP_MJ_CLOSE, IRP_MJ_CREATE};
        int[] statuses = {NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_END_OF_FILE,
            NtStatus.STATUS_NOT_A_REPARSE_POINT, NtStatus.STATUS_SUCCESS, NtStatus.STATUS_SUCCESS,
            NtStatus.STATUS_OBJECT_NAME_NOT_FOUND};
        long[] information = {CreateDisposition.FILE_OPENED, 10, 0, 0, 0, 0, 0};
        assertThat(records).hasSize(2 * majors.length);
        for (int op = 0; op < majors.length; op++) {
            ActivityMonitor.Record pre = records.get(2 * op);
            ActivityMonitor.Record post = records.get(2 * op + 1);
            assertThat(pre.isPost()).as("op %d pre", op).isFalse();
            assertThat(post.isPost()).as("op %d post", op).isTrue();
            assertThat(pre.sequence()).as("op %d", op).isEqualTo(post.sequence()).isEqualTo(op + 1);
            assertThat(pre.majorFunction()).as("op %d", op).isEqualTo(majors[op]);
            assertThat(post.majorFunction()).as("op %d", op).isEqualTo(majors[op]);
            assertThat(pre.status()).as("pre records carry no status").isZero();
            assertThat(pre.information()).isZero();
            assertThat(post.status()).as("op %d final status", op).isEqualTo(statuses[op]);
            assertThat(post.information()).as("op %d information", op).isEqualTo(information[op]);
        }
        assertThat(records.subList(0, 12)).extracting(ActivityMonitor.Record::fileName).containsOnly("\\docs\\a.txt");
        assertThat(records.get(12).fileName()).isEqualTo("\\docs\\missing.txt");
        assertThat(records.get(6).minorFunction()).isEqualTo(IrpMinorFunction.IRP_MN_USER_FS_REQUEST);
    }

    @Test
    void postRecordCarriesTheStatusOfAFilterBelowThatCompletedTheOperation() {
        FltFilter blocker = flt.registerFilter(FltRegistration.builder("Blocker")
                .operation(IRP_MJ_CREATE, (data, objects, ctx) -> {
                    data.ioStatus().set(NtStatus.STATUS_ACCESS_DENIED, 0);
                    return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
                }, null).build());
        flt.startFiltering(blocker);
        flt.attachVolumeAtAltitude(blocker, "320000", "Blocker Instance");

        assertThat(await(create("docs\\new.txt", CreateDisposition.FILE_CREATE)))
                .isEqualTo(NtStatus.STATUS_ACCESS_DENIED);

        List<ActivityMonitor.Record> records = monitor.records();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).isPost()).isFalse();
        assertThat(records.get(1).isPost()).isTrue();
        assertThat(records.get(1).status()).isEqualTo(NtStatus.STATUS_ACCESS_DENIED);
        assertThat(fs.exists("docs\\new.txt")).isFalse();
    }

    @Test
    void formatShowsDirectionOperationFileAndStatus() {
        Overlapped open = create("docs\\a.txt", CreateDisposition.FILE_OPEN);
        await(open);
        await(nt.ntFsControlFile(new Overlapped(), open.fileObject(), FsControlCode.FSCTL_GET_REPARSE_POINT, null, 0,
                0, 0));
        List<ActivityMonitor.Record> records = monitor.records();
        assertThat(records).hasSize(4);
        assertThat(records.get(0).format()).startsWith("Pre ").contains("IRP_MJ_CREATE").contains("\\docs\\a.txt")
                .doesNotContain("STATUS_");
        assertThat(records.get(1).format()).startsWith("Post ").contains("IRP_MJ_CREATE").contains("STATUS_SUCCESS");
        assertThat(records.get(3).format()).contains("IRP_MJ_FILE_SYSTEM_CONTROL")
                .contains("FSCTL_GET_REPARSE_POINT").contains("STATUS_NOT_A_REPARSE_POINT");
        assertThat(records.get(3).toString()).isEqualTo(records.get(3).format());
    }

    @Test
    void clearForgetsTheRecordsButNotTheSequence() {
        await(create("docs\\a.txt", CreateDisposition.FILE_OPEN));
        monitor.clear();
        assertThat(monitor.records()).isEmpty();
        await(create("docs\\a.txt", CreateDisposition.FILE_OPEN));
        assertThat(monitor.records()).extracting(ActivityMonitor.Record::sequence).containsExactly(2L, 2L);
    }

    private Overlapped oplock(FileObject fo, int level, boolean ack) {
        UnsafeBuffer in = new UnsafeBuffer(new byte[12]);
        new RequestOplockInputBuffer().wrap(in, 0).set(level, ack
                ? RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK
                : RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
        Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[24]), 0);
        return nt.ntFsControlFile(ov, fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
    }

    private void quiesce() {
        assertThat(io.awaitQuiescence(5, TimeUnit.SECONDS)).isTrue();
    }

    private static ActivityMonitor.Record find(List<ActivityMonitor.Record> records, long sequence, boolean post) {
        return records.stream().filter(r -> r.sequence() == sequence && r.isPost() == post).findFirst().orElse(null);
    }

    @Test
    void postRecordsOfOperationsThatCompleteLaterAppearWhenTheyComplete() {
        Overlapped c1 = nt.ntCreateFile(new Overlapped(), "docs\\a.txt",
                AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, 0, SHARE_ALL, CreateDisposition.FILE_OPEN, 0,
                null, null);
        assertThat(await(c1)).isEqualTo(NtStatus.STATUS_SUCCESS);

        Overlapped rwh = oplock(c1.fileObject(), OplockLevel.RWH, false); // sequence 2
        quiesce();
        assertThat(rwh.isDone()).isFalse();
        assertThat(monitor.records()).extracting(r -> (r.isPost() ? "post " : "pre ") + r.sequence())
                .containsExactly("pre 1", "post 1", "pre 2");

        Overlapped c2 = create("docs\\a.txt", CreateDisposition.FILE_OPEN); // sequence 3: breaks RWH to RH
        quiesce();
        assertThat(c2.isDone()).isFalse();
        assertThat(await(rwh)).isEqualTo(NtStatus.STATUS_SUCCESS);
        List<ActivityMonitor.Record> records = monitor.records();
        assertThat(find(records, 2, true).status()).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(find(records, 3, false)).isNotNull();
        assertThat(find(records, 3, true)).isNull();

        Overlapped ack = oplock(c1.fileObject(), OplockLevel.RH, true); // sequence 4: acknowledges, stays pending
        assertThat(await(c2)).isEqualTo(NtStatus.STATUS_SUCCESS);
        quiesce();
        assertThat(ack.isDone()).isFalse();
        records = monitor.records();
        assertThat(find(records, 3, true).status()).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(find(records, 3, true).majorFunction()).isEqualTo(IRP_MJ_CREATE);
        assertThat(find(records, 4, true)).isNull();

        assertThat(await(nt.ntClose(new Overlapped(), c2.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(await(nt.ntClose(new Overlapped(), c1.fileObject()))).isEqualTo(NtStatus.STATUS_SUCCESS);
        assertThat(await(ack)).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);

        records = monitor.records();
        assertThat(find(records, 4, true).status()).isEqualTo(NtStatus.STATUS_OPLOCK_HANDLE_CLOSED);
        long operations = records.stream().mapToLong(ActivityMonitor.Record::sequence).max().orElseThrow();
        assertThat(operations).isEqualTo(8); // 3 creates/FSCTLs + ack, then cleanup and close of two handles
        assertThat(records).hasSize(16);
        for (long seq = 1; seq <= operations; seq++) {
            ActivityMonitor.Record pre = find(records, seq, false);
            ActivityMonitor.Record post = find(records, seq, true);
            assertThat(pre).as("pre %d", seq).isNotNull();
            assertThat(post).as("post %d", seq).isNotNull();
            assertThat(records.indexOf(pre)).as("pre %d before its post", seq).isLessThan(records.indexOf(post));
            assertThat(post.majorFunction()).isEqualTo(pre.majorFunction());
        }
        assertThat(records.stream().filter(r -> !r.isPost()).map(ActivityMonitor.Record::sequence).toList())
                .as("pre records in the order the operations were issued").isSorted();
    }
}
