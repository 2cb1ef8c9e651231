package org.irpemu.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.emulator.Machine;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.io.NtApi;
import org.irpemu.io.Overlapped;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.ShareAccessFlags;

/**
 * Random sequences of opens, oplock requests of every type, acknowledgments of every kind, reads,
 * writes, locks, size changes, break notifications, closes and cancels on one file, checked against
 * the invariants of issue 3: every IRP completes exactly once; no two incompatible oplocks are granted
 * at once and the state matches its lists; nothing waits after the oplock it waits for is gone; the wait
 * list is empty when no break is in progress; and once every handle is closed nothing is left pending.
 */
class OplockInvariantsProperty {
    private static final int SLOTS = 3;
    private static final String FILE = "\\f.txt";
    private static final int[] FSCTLS = {FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1,
        FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2, FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK,
        FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK, FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE,
        FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2, FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING,
        FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY};
    private static final int[] LEVELS = {0, OplockLevel.R, OplockLevel.RH, OplockLevel.RW, OplockLevel.RWH};
    private static final int[] ACCESS = {AccessMask.FILE_READ_DATA,
        AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA, AccessMask.FILE_READ_ATTRIBUTES,
        AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA | AccessMask.DELETE};
    private static final int[] DISPOSITIONS = {CreateDisposition.FILE_OPEN_IF, CreateDisposition.FILE_OPEN_IF,
        CreateDisposition.FILE_OVERWRITE_IF};

    /** One random step: a kind and three small numbers whose meaning depends on it. */
    record Op(int kind, int slot, int a, int b) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 11),
                Arbitraries.integers().between(0, SLOTS - 1), Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(0, 15)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 300)
    void invariantsHold(@ForAll("ops") List<Op> ops) {
        try (Machine machine = Machine.builder().build()) {
            new Run(machine).run(ops);
        }
    }

    private static final class Run {
        private final Machine machine;
        private final NtApi nt;
        private final FileObject[] handles = new FileObject[SLOTS];
        private final List<Overlapped> issued = new ArrayList<>();
        private final Map<Overlapped, int[]> completions = new IdentityHashMap<>();
        private final Map<Overlapped, Integer> createSlot = new IdentityHashMap<>();
        private final UUID sharedKey = UUID.randomUUID();

        Run(Machine machine) {
            this.machine = machine;
            this.nt = machine.api();
        }

        private Overlapped ov() {
            Overlapped ov = new Overlapped().outputBuffer(new UnsafeBuffer(new byte[64]), 0);
            int[] count = new int[1];
            completions.put(ov, count);
            ov.completionHandler(o -> count[0]++);
            issued.add(ov);
            return ov;
        }

        void run(List<Op> ops) {
            for (Op op : ops) {
                step(op);
                settle();
            }
            // Close everything, including handles whose creates completed meanwhile, until nothing is open.
            for (int round = 0; round < 4 * SLOTS; round++) {
                boolean any = false;
                for (int i = 0; i < SLOTS; i++) {
                    if (handles[i] != null) {
                        nt.ntClose(ov(), handles[i]);
                        handles[i] = null;
                        any = true;
                    }
                }
                settle();
                if (!any) {
                    break;
                }
            }
            for (Overlapped ov : issued) {
                assertThat(ov.isDone()).as("a request is still pending after every handle was closed").isTrue();
                assertThat(completions.get(ov)[0]).as("completions of one request").isEqualTo(1);
            }
            Oplock oplock = machine.fileSystem().oplock(FILE);
            if (oplock != null) {
                assertThat(oplock.isEmpty()).as(oplock.toString()).isTrue();
                assertThat(oplock.waitingCount()).isZero();
            }
            assertThat(machine.ioManager().outstandingIrps()).isZero();
        }

        private void settle() {
            machine.awaitQuiescence(5_000);
            assertThat(machine.ioManager().drainFailures()).isEmpty();
            for (Map.Entry<Overlapped, int[]> e : completions.entrySet()) {
                assertThat(e.getValue()[0]).as("an IRP completed more than once").isLessThanOrEqualTo(1);
            }
            for (Map.Entry<Overlapped, Integer> e : new ArrayList<>(createSlot.entrySet())) {
                if (e.getKey().isDone()) {
                    createSlot.remove(e.getKey());
                    FileObject fo = e.getKey().fileObject();
                    if (fo != null) {
                        int slot = e.getValue();
                        if (handles[slot] == null) {
                            handles[slot] = fo;
                        } else {
                            nt.ntClose(ov(), fo);
                        }
                    }
                }
            }
            Oplock oplock = machine.fileSystem().oplock(FILE);
            if (oplock != null) {
                assertThat(oplock.checkInvariants()).as(oplock.toString()).isEmpty();
            }
        }

        private void step(Op op) {
            FileObject fo = handles[op.slot()];
            switch (op.kind()) {
                case 0:
                case 1: {
                    if (fo != null || createSlot.containsValue(op.slot())) {
                        return;
                    }
                    Overlapped ov = ov();
                    int options = (op.b() & 1) != 0 ? CreateOptions.FILE_COMPLETE_IF_OPLOCKED : 0;
                    UUID key = (op.b() & 2) != 0 ? sharedKey : null;
                    createSlot.put(ov, op.slot());
                    nt.ntCreateFile(ov, FILE, ACCESS[op.a() % ACCESS.length], 0,
                            (op.b() & 4) != 0 ? ShareAccessFlags.FILE_SHARE_READ : ShareAccessFlags.FILE_SHARE_VALID_FLAGS,
                            DISPOSITIONS[op.a() % DISPOSITIONS.length], options, key, null);
                    return;
                }
                default:
                    break;
            }
            if (fo == null) {
                return;
            }
            switch (op.kind()) {
                case 2:
                    nt.ntFsControlFile(ov(), fo, FSCTLS[op.a() % FSCTLS.length], null, 0, 0, 0);
                    break;
                case 3:
                case 4: {
                    UnsafeBuffer in = new UnsafeBuffer(new byte[RequestOplockInputBuffer.ENCODED_LENGTH]);
                    int flags = op.kind() == 3 ? RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST
                            : RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK;
                    new RequestOplockInputBuffer().wrap(in, 0).set(LEVELS[op.a() % LEVELS.length], flags);
                    nt.ntFsControlFile(ov(), fo, FsControlCode.FSCTL_REQUEST_OPLOCK, in, 0, 12, 24);
                    break;
                }
                case 5:
                    nt.ntWriteFile(ov(), fo, null, 0, 1, op.a(), 0);
                    break;
                case 6:
                    nt.ntReadFile(ov(), fo, null, 0, 1, op.a(), 0);
                    break;
                case 7:
                    nt.ntLockFile(ov(), fo, op.a(), 1, 0, true, (op.b() & 1) != 0);
                    break;
                case 8: {
                    UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
                    b.putLong(0, op.a(), ByteOrder.LITTLE_ENDIAN);
                    nt.ntSetInformationFile(ov(), fo, b, 0, 8, FileInformationClass.FileEndOfFileInformation);
                    break;
                }
                case 9:
                    nt.ntClose(ov(), fo);
                    handles[op.slot()] = null;
                    break;
                case 10: {
                    // Cancel one of the requests still pending, if any.
                    List<Overlapped> pending = new ArrayList<>();
                    for (Overlapped o : issued) {
                        if (o.isInFlight()) {
                            pending.add(o);
                        }
                    }
                    if (!pending.isEmpty()) {
                        nt.cancelIoEx(fo, pending.get(op.a() % pending.size()));
                    }
                    break;
                }
                default: {
                    UnsafeBuffer b = new UnsafeBuffer(new byte[1]);
                    b.putByte(0, (byte) 1);
                    nt.ntSetInformationFile(ov(), fo, b, 0, 1, FileInformationClass.FileDispositionInformation);
                    break;
                }
            }
        }
    }
}
