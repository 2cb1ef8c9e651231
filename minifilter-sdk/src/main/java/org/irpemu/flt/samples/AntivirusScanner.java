package org.irpemu.flt.samples;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltFilter;
import org.irpemu.flt.FltInstance;
import org.irpemu.flt.FltPostOperationCallback;
import org.irpemu.flt.FltPostopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltRelatedObjects;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.Out;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.irp.ShareAccessFlags;
import org.irpemu.status.NtStatus;

/**
 * A sample minifilter in the style of an antivirus scanner, doing what Windows Defender does in the real
 * captures: after a caller opens a file for data access, it opens the file itself with
 * FILE_OPEN_REQUIRING_OPLOCK ({@code FltCreateFileEx2}), at once takes a Read-Handle oplock on its own
 * handle (FSCTL_REQUEST_OPLOCK through {@code FltAllocateCallbackData} and
 * {@code FltPerformAsynchronousIo}, as the WDK's "Requesting and granting oplocks" prescribes), reads the
 * file chunk by chunk with asynchronous {@code FltReadFile}, records a verdict, and closes its handle.
 *
 * <p>The oplock is what makes it a good citizen: when another caller's open would hit a sharing violation
 * because of the scanner's handle, or a write comes in, the oplock breaks, and the scanner backs out — it
 * abandons the scan and closes its handle, which acknowledges the break, so the other caller goes on.
 * When its own open would break someone else's oplock it gets STATUS_CANNOT_BREAK_OPLOCK and skips the
 * file instead.
 *
 * <p>{@link #holdScans(boolean)} stops scans after the oplock is granted, until {@link #resumeScans()}:
 * tests use it to make a conflicting open arrive in the middle of a scan.
 */
public final class AntivirusScanner {
    /** The filter's name. */
    public static final String NAME = "AntivirusScanner";
    /** An altitude in the FSFilter Anti-Virus load order group (320000-329999). */
    public static final String DEFAULT_ALTITUDE = "328010";
    /** Bytes read per step. */
    static final int CHUNK = 4096;
    /** The start of the EICAR test file: a file containing it is reported infected. */
    static final byte[] SIGNATURE = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR".getBytes(StandardCharsets.US_ASCII);

    private static final int DATA_ACCESS = AccessMask.FILE_READ_DATA | AccessMask.FILE_WRITE_DATA
            | AccessMask.FILE_APPEND_DATA | AccessMask.FILE_EXECUTE;
    private static final int SHARE_ALL = ShareAccessFlags.FILE_SHARE_READ | ShareAccessFlags.FILE_SHARE_WRITE
            | ShareAccessFlags.FILE_SHARE_DELETE;

    /** One scan in progress. */
    private final class Scan {
        final FltInstance instance;
        final String path;
        final FileObject file;
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK + SIGNATURE.length]);
        FltCallbackData oplockRequest;
        long offset;
        int carried;
        boolean infected;
        /** Set once, by whoever closes the handle first (a completion on the dispatcher, or teardown). */
        final AtomicBoolean closing = new AtomicBoolean();
        /** Stopped by {@link #holdScans}: no read in flight, waiting for {@link #resumeScans}. */
        final AtomicBoolean held = new AtomicBoolean();

        Scan(FltInstance instance, String path, FileObject file) {
            this.instance = instance;
            this.path = path;
            this.file = file;
        }
    }

    private final Set<Scan> active = ConcurrentHashMap.newKeySet();
    private final List<String> infected = new ArrayList<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong backedOut = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean hold;
    private volatile FltFilter filter;
    private volatile FltRegistration registration;

    /** @return the registration (one per scanner object) */
    public synchronized FltRegistration registration() {
        if (registration == null) {
            registration = FltRegistration.builder(NAME)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, null, this::postCreate)
                    .instanceSetup((objects, flags, deviceType, fsType) -> {
                        filter = objects.filter();
                        return NtStatus.STATUS_SUCCESS;
                    })
                    .instanceQueryTeardown((objects, flags) -> NtStatus.STATUS_SUCCESS)
                    .instanceTeardownStart((objects, reason) -> abandonAll(objects.instance()))
                    .filterUnload(flags -> NtStatus.STATUS_SUCCESS)
                    .build();
        }
        return registration;
    }

    /** @return scans started (the oplock was granted) */
    public long started() {
        return started.get();
    }

    /** @return scans that read the whole file */
    public long completed() {
        return completed.get();
    }

    /** @return scans abandoned because the scanner's oplock broke */
    public long backedOut() {
        return backedOut.get();
    }

    /** @return opens not scanned (the scanner's own open or oplock request was refused) */
    public long skipped() {
        return skipped.get();
    }

    /** @return scans in progress */
    public int active() {
        return active.size();
    }

    /** @return the paths found infected, in order */
    public synchronized List<String> infected() {
        return new ArrayList<>(infected);
    }

    /** While true, scans stop after the oplock is granted, until {@link #resumeScans()}. */
    public void holdScans(boolean hold) {
        this.hold = hold;
    }

    /** Resumes the held scans. */
    public void resumeScans() {
        hold = false;
        for (Scan s : active) {
            // Only the scans that stopped: one that is reading already must not get a second reader.
            if (s.held.compareAndSet(true, false)) {
                Flt.queueGenericWorkItem(s.instance, (instance, context) -> readNext(s), null);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Starting: the open requiring an oplock, then the oplock request on it
    // ---------------------------------------------------------------------------------------------

    private int postCreate(FltCallbackData data, FltRelatedObjects objects, Object context, int flags) {
        if ((flags & FltPostOperationCallback.FLTFL_POST_OPERATION_DRAINING) != 0 || data.isGeneratedIo()
                || !NtStatus.ntSuccess(data.ioStatus().status())
                || (data.iopb().parameters().desiredAccess() & DATA_ACCESS) == 0
                || (data.iopb().parameters().createOptions() & CreateOptions.FILE_DIRECTORY_FILE) != 0) {
            return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
        }
        start(objects.instance(), data.iopb().targetFileObject().fileName());
        return FltPostopCallbackStatus.FLT_POSTOP_FINISHED_PROCESSING;
    }

    private void start(FltInstance instance, String path) {
        Out<FileObject> handle = new Out<>();
        IoStatusBlock iosb = new IoStatusBlock();
        int status = Flt.createFileEx2(instance.filter(), instance, handle,
                AccessMask.FILE_READ_DATA | AccessMask.FILE_READ_ATTRIBUTES, path, iosb, 0, SHARE_ALL,
                CreateDisposition.FILE_OPEN, CreateOptions.FILE_OPEN_REQUIRING_OPLOCK | CreateOptions.FILE_NON_DIRECTORY_FILE,
                0, null);
        if (!NtStatus.ntSuccess(status)) {
            // STATUS_CANNOT_BREAK_OPLOCK: scanning would break someone's oplock. Sharing violations, ...: not now.
            skipped.incrementAndGet();
            return;
        }
        Scan s = new Scan(instance, path, handle.get());
        // The WDK: after a FILE_OPEN_REQUIRING_OPLOCK create, request the oplock at once, or close.
        Out<FltCallbackData> request = new Out<>();
        if (Flt.allocateCallbackData(instance, s.file, request) != NtStatus.STATUS_SUCCESS) {
            skipped.incrementAndGet();
            Flt.close(s.file);
            return;
        }
        FltCallbackData r = request.get();
        int length = Math.max(RequestOplockInputBuffer.ENCODED_LENGTH, RequestOplockOutputBuffer.ENCODED_LENGTH);
        r.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fsControlCode(FsControlCode.FSCTL_REQUEST_OPLOCK)
                .inputBufferLength(length).outputBufferLength(length);
        new RequestOplockInputBuffer().wrap(r.ensureSystemBuffer(length), 0)
                .set(OplockLevel.RH, RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
        s.oplockRequest = r;
        active.add(s);
        status = Flt.performAsynchronousIo(r, this::oplockRequestCompleted, s);
        if (status != NtStatus.STATUS_PENDING) {
            return; // not granted: the callback already ran and closed the handle
        }
        started.incrementAndGet();
        readNext(s);
    }

    // ---------------------------------------------------------------------------------------------
    // Scanning, one chunk per asynchronous read
    // ---------------------------------------------------------------------------------------------

    private void readNext(Scan s) {
        if (s.closing.get()) {
            return;
        }
        if (hold) {
            s.held.set(true);
            // resumeScans may have run between the check and the mark: then this reader goes on (once).
            if (hold || !s.held.compareAndSet(true, false)) {
                return;
            }
        }
        int status = Flt.readFile(s.instance, s.file, s.offset, CHUNK, s.chunk, s.carried, 0, null,
                this::readCompleted, s);
        if (status == NtStatus.STATUS_CANT_WAIT) {
            finish(s);
        }
    }

    private void readCompleted(FltCallbackData data, Object context) {
        Scan s = (Scan) context;
        int status = data.ioStatus().status();
        int n = (int) data.ioStatus().information();
        Flt.freeCallbackData(data);
        if (s.closing.get()) {
            return;
        }
        if (n > 0) {
            if (contains(s.chunk, s.carried + n)) {
                s.infected = true;
            }
            // Keep the tail so that a signature across two chunks is found.
            int keep = Math.min(SIGNATURE.length - 1, s.carried + n);
            s.chunk.putBytes(0, s.chunk, s.carried + n - keep, keep);
            s.carried = keep;
            s.offset += n;
        }
        if (!NtStatus.ntSuccess(status) || n < CHUNK || s.infected) {
            completed.incrementAndGet();
            finish(s);
        } else {
            // A completion callback runs at DISPATCH_LEVEL in Windows: issue the next read from a work item.
            Flt.queueGenericWorkItem(s.instance, (instance, c) -> readNext(s), null);
        }
    }

    private static boolean contains(UnsafeBuffer b, int length) {
        outer:
        for (int i = 0; i + SIGNATURE.length <= length; i++) {
            for (int j = 0; j < SIGNATURE.length; j++) {
                if (b.getByte(i + j) != SIGNATURE[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The scan is over: record the verdict and close the handle (which also ends the oplock). */
    private void finish(Scan s) {
        if (s.infected) {
            synchronized (this) {
                infected.add(s.path);
            }
        }
        close(s);
    }

    private void close(Scan s) {
        if (!s.closing.compareAndSet(false, true)) {
            return;
        }
        // From a work item (a completion callback runs at DISPATCH_LEVEL in Windows); during teardown,
        // when no more work may be queued, at once.
        if (Flt.queueGenericWorkItem(s.instance, (instance, c) -> Flt.close(s.file), null) != NtStatus.STATUS_SUCCESS) {
            Flt.close(s.file);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The oplock request completes: not granted, broken, or ended by our own close
    // ---------------------------------------------------------------------------------------------

    private void oplockRequestCompleted(FltCallbackData data, Object context) {
        Scan s = (Scan) context;
        int status = data.ioStatus().status();
        Flt.freeCallbackData(data);
        active.remove(s);
        if (s.closing.get()) {
            return; // STATUS_OPLOCK_HANDLE_CLOSED after our own close
        }
        if (status == NtStatus.STATUS_SUCCESS) {
            // A break: another caller needs the file. Back out; the close acknowledges the break.
            backedOut.incrementAndGet();
        } else {
            skipped.incrementAndGet(); // not granted (a Level 2 holder, byte-range locks, ...)
        }
        close(s);
    }

    /** InstanceTeardownStart: every scan stops and its handle is closed. */
    private void abandonAll(FltInstance instance) {
        for (Scan s : active) {
            if (s.instance == instance && s.closing.compareAndSet(false, true)) {
                Flt.close(s.file);
            }
        }
    }
}
