package org.irpemu.flt.samples;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.UnsafeBuffer;
import org.irpemu.flt.CompletionContext;
import org.irpemu.flt.Flt;
import org.irpemu.flt.FltCallbackData;
import org.irpemu.flt.FltOplockWaitCompleteRoutine;
import org.irpemu.flt.FltPreopCallbackStatus;
import org.irpemu.flt.FltRegistration;
import org.irpemu.flt.FltRelatedObjects;
import org.irpemu.fsrtl.FsRtlAdvancedFcbHeader;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockFlags;
import org.irpemu.fsrtl.ShareAccess;
import org.irpemu.irp.AccessMask;
import org.irpemu.irp.ByteOffset;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockBreakInformation;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.status.NtStatus;

/**
 * A sample minifilter that presents a file the file system does not have — by default
 * {@value #DEFAULT_PATH}, read-only, with fixed contents — and runs its own oplock on it with the Flt
 * oplock routines, as a file system would with FsRtl: {@code FltOplockFsctrl} for the oplock FSCTLs
 * (and the create-time oplock reservation), {@code FltOplockBreakH} before giving up on a sharing
 * violation, {@code FltCheckOplock} on create, read and cleanup. Operations that must wait for a break are
 * pended and resumed by the wait-completion routine, which re-runs them from the start.
 *
 * <p>Every operation on the file is completed by the filter (FLT_PREOP_COMPLETE); nothing reaches the
 * instances below or the file system. Opens asking for write or delete access fail with
 * STATUS_ACCESS_DENIED, as do overwriting dispositions; FILE_CREATE fails with
 * STATUS_OBJECT_NAME_COLLISION. Opens follow the reference file system's order for an existing file (Batch
 * and Filter oplocks break before the sharing check; FltOplockBreakH on a sharing violation; FltCheckOplock;
 * the FILE_OPEN_REQUIRING_OPLOCK / FILE_RESERVE_OPFILTER reservation), so that callers see what they would
 * see on a regular read-only file.
 *
 * <p>The file objects of the virtual file belong to the filter: a manual detach ({@code FltDetachVolume})
 * is refused with STATUS_FLT_DO_NOT_DETACH until all of them are closed. At teardown the oplock is
 * uninitialized: held oplocks complete as broken to none and waiting opens go on.
 */
public final class VirtualFile {
    /** The filter's name. */
    public static final String NAME = "VirtualFile";
    /** An altitude in the FSFilter Virtualization load order group (130000-139999). */
    public static final String DEFAULT_ALTITUDE = "136500";
    /** The path the filter presents by default. */
    public static final String DEFAULT_PATH = "\\virtual.txt";

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long TEARDOWN_WAIT_SECONDS = 30;
    private static final int WRITE_OR_DELETE = AccessMask.FILE_WRITE_DATA | AccessMask.FILE_APPEND_DATA
            | AccessMask.DELETE | AccessMask.WRITE_DAC | AccessMask.WRITE_OWNER | AccessMask.FILE_WRITE_EA;

    /** The virtual stream: its own FCB, so that filters can attach stream contexts to it too. */
    private static final class Stream extends FsRtlAdvancedFcbHeader {
        final Oplock oplock = Flt.initializeOplock();
        final ShareAccess shareAccess = new ShareAccess();
        /** The handles not cleaned up (their file objects); only the dispatcher of the path uses them. */
        final List<FileObject> opens = new ArrayList<>();
        int handles;
        /** File objects opened and not yet closed (IRP_MJ_CLOSE); read by InstanceQueryTeardown. */
        final AtomicInteger fileObjects = new AtomicInteger();
    }

    private final String path;
    private final byte[] contents;
    private final Stream stream = new Stream();
    private volatile FltRegistration registration;

    /** The default file with a line of text. */
    public VirtualFile() {
        this(DEFAULT_PATH, "irpemu virtual file\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @param path the volume-relative path to present (with its leading backslash)
     * @param contents the file's bytes
     */
    public VirtualFile(String path, byte[] contents) {
        this.path = path;
        this.contents = contents.clone();
    }

    /** @return the registration (one per filter object) */
    public synchronized FltRegistration registration() {
        if (registration == null) {
            registration = FltRegistration.builder(NAME)
                    .operation(IrpMajorFunction.IRP_MJ_CREATE, this::preCreate, null)
                    .operation(IrpMajorFunction.IRP_MJ_READ, this::preRead, null)
                    .operation(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL, this::preFsControl, null)
                    .operation(IrpMajorFunction.IRP_MJ_QUERY_INFORMATION, this::preQueryInformation, null)
                    .operation(IrpMajorFunction.IRP_MJ_CLEANUP, this::preCleanup, null)
                    .operation(IrpMajorFunction.IRP_MJ_CLOSE, this::preClose, null)
                    .operation(IrpMajorFunction.IRP_MJ_WRITE, this::refuse, null)
                    .operation(IrpMajorFunction.IRP_MJ_SET_INFORMATION, this::refuse, null)
                    .operation(IrpMajorFunction.IRP_MJ_LOCK_CONTROL, this::refuse, null)
                    .operation(IrpMajorFunction.IRP_MJ_FLUSH_BUFFERS, this::refuse, null)
                    // The file objects of the virtual file are the filter's: nothing below could take their
                    // cleanup and close. A manual detach waits until every one of them is closed.
                    .instanceQueryTeardown((objects, flags) -> stream.fileObjects.get() == 0 ? NtStatus.STATUS_SUCCESS
                            : NtStatus.STATUS_FLT_DO_NOT_DETACH)
                    .instanceTeardownStart((objects, reason) -> uninitialize(objects))
                    .filterUnload(flags -> NtStatus.STATUS_SUCCESS)
                    .build();
        }
        return registration;
    }

    /**
     * InstanceTeardownStart: the oplock is uninitialized — held oplocks complete as broken to none and
     * waiting operations go on. In irpemu the oplock belongs to the dispatcher thread of the path (its
     * requests complete there), and teardown runs on another thread: the work is handed to that dispatcher.
     */
    private void uninitialize(FltRelatedObjects objects) {
        IoSystem io = objects.volume().ioSystem();
        int owner = io == null ? -1 : io.dispatcherForName(path);
        if (io == null || io.currentDispatcher() == owner) {
            Flt.uninitializeOplock(stream.oplock);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        io.queueWorkItem(owner, context -> {
            try {
                Flt.uninitializeOplock(stream.oplock);
            } finally {
                done.countDown();
            }
        }, null);
        try {
            if (!done.await(TEARDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the dispatcher of " + path + " did not uninitialize the oplock");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the oplock of the virtual stream (for inspection when the machine is quiescent) */
    public Oplock oplock() {
        return stream.oplock;
    }

    private boolean isOurs(FileObject fo) {
        return fo != null && fo.fsContext() == stream;
    }

    /** Completes the operation now (from the callback) or, resumed after a wait, through the Filter Manager. */
    private static int complete(FltCallbackData data, int status, long information, boolean resumed) {
        data.ioStatus().set(status, information);
        if (resumed) {
            Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null);
        }
        return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
    }

    /** A wait-completion routine that re-runs an operation from the start, or fails it when it was cancelled. */
    private interface Step {
        int run(FltCallbackData data, boolean resumed);
    }

    private static FltOplockWaitCompleteRoutine rerun(Step step) {
        return (data, context) -> {
            if (data.ioStatus().status() != NtStatus.STATUS_SUCCESS) {
                Flt.completePendedPreOperation(data, FltPreopCallbackStatus.FLT_PREOP_COMPLETE, null);
                return;
            }
            // Re-run after what runs now (the acknowledgment, the close), as FastFAT posts to its work queue;
            // while the instance is torn down no work may be queued: at once.
            int queued = Flt.queueGenericWorkItem(data.iopb().targetInstance(), (instance, c) -> step.run(data, true),
                    null);
            if (queued != NtStatus.STATUS_SUCCESS) {
                step.run(data, true);
            }
        };
    }

    private final FltOplockWaitCompleteRoutine createWait = rerun(this::create);
    private final FltOplockWaitCompleteRoutine readWait = rerun(this::read);

    // ---------------------------------------------------------------------------------------------
    // IRP_MJ_CREATE
    // ---------------------------------------------------------------------------------------------

    private int preCreate(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        FileObject fo = data.iopb().targetFileObject();
        if (fo == null || !fo.fileName().equalsIgnoreCase(path)) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        return create(data, false);
    }

    private int create(FltCallbackData data, boolean resumed) {
        // The order of the reference file system's open of an existing file (FastFAT's FatOpenExistingFcb).
        IoStackLocation p = data.iopb().parameters();
        FileObject fo = p.fileObject();
        int disposition = p.createDisposition();
        int options = p.createOptions();
        // The create's oplock keys (OPLOCK_KEY_ECP_CONTEXT) go to its file object first.
        Flt.checkOplockEx(stream.oplock, data, OplockFlags.OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY, null, null, null);
        if (disposition == CreateDisposition.FILE_CREATE) {
            return complete(data, NtStatus.STATUS_OBJECT_NAME_COLLISION, 0, resumed);
        }
        if ((options & CreateOptions.FILE_DIRECTORY_FILE) != 0) {
            return complete(data, NtStatus.STATUS_NOT_A_DIRECTORY, 0, resumed);
        }
        if (disposition != CreateDisposition.FILE_OPEN && disposition != CreateDisposition.FILE_OPEN_IF
                || (p.desiredAccess() & WRITE_OR_DELETE) != 0 || (options & CreateOptions.FILE_DELETE_ON_CLOSE) != 0) {
            return complete(data, NtStatus.STATUS_ACCESS_DENIED, 0, resumed);
        }
        long information = 0;
        boolean breakInProgress = false;
        // Batch and Filter oplocks break before the sharing check (MS-FSA 2.1.5.1.2; FatOpenExistingFcb).
        if (Flt.currentBatchOplock(stream.oplock)) {
            information = OplockBreakInformation.FILE_OPBATCH_BREAK_UNDERWAY;
            int r = Flt.checkOplock(stream.oplock, data, null, createWait, null);
            if (r == FltPreopCallbackStatus.FLT_PREOP_PENDING) {
                return r;
            }
            if (r == FltPreopCallbackStatus.FLT_PREOP_COMPLETE) {
                return complete(data, data.ioStatus().status(), 0, resumed);
            }
            breakInProgress = data.ioStatus().status() == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS;
        }
        if (stream.handles > 0) {
            int status = stream.shareAccess.checkShareAccess(p.desiredAccess(), p.shareAccess(), fo, false);
            if (status == NtStatus.STATUS_SHARING_VIOLATION) {
                // Handle caching of other opens may be what is in the way (FsRtlOplockBreakH); the open waits
                // for the acknowledgments and is then run again. FILE_COMPLETE_IF_OPLOCKED never waits.
                if ((options & CreateOptions.FILE_COMPLETE_IF_OPLOCKED) == 0) {
                    int r = Flt.oplockBreakH(stream.oplock, data, 0, null, createWait, null);
                    if (r == FltPreopCallbackStatus.FLT_PREOP_PENDING) {
                        return r;
                    }
                    if (r == FltPreopCallbackStatus.FLT_PREOP_COMPLETE) {
                        return complete(data, data.ioStatus().status(), 0, resumed);
                    }
                }
                return complete(data, NtStatus.STATUS_SHARING_VIOLATION, information, resumed);
            }
            int r = Flt.checkOplock(stream.oplock, data, null, createWait, null);
            if (r == FltPreopCallbackStatus.FLT_PREOP_PENDING) {
                return r;
            }
            if (r == FltPreopCallbackStatus.FLT_PREOP_COMPLETE) {
                return complete(data, data.ioStatus().status(), 0, resumed);
            }
            breakInProgress |= data.ioStatus().status() == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS;
        }
        // The create-time oplock reservation (FILE_OPEN_REQUIRING_OPLOCK, FILE_RESERVE_OPFILTER).
        if ((options & (CreateOptions.FILE_OPEN_REQUIRING_OPLOCK | CreateOptions.FILE_RESERVE_OPFILTER)) != 0) {
            Flt.oplockFsctrl(stream.oplock, data, stream.handles + 1);
            if (data.ioStatus().status() != NtStatus.STATUS_SUCCESS) {
                return complete(data, data.ioStatus().status(), 0, resumed);
            }
        }
        // IoSetShareAccess for the first open, IoCheckShareAccess with Update for the others.
        if (stream.handles == 0) {
            stream.shareAccess.setShareAccess(p.desiredAccess(), p.shareAccess(), fo);
        } else {
            stream.shareAccess.checkShareAccess(p.desiredAccess(), p.shareAccess(), fo, true);
        }
        stream.handles++;
        stream.opens.add(fo);
        stream.fileObjects.incrementAndGet();
        fo.fsContext(stream);
        return complete(data, breakInProgress ? NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS : NtStatus.STATUS_SUCCESS,
                CreateDisposition.FILE_OPENED, resumed);
    }

    // ---------------------------------------------------------------------------------------------
    // Reads, information, FSCTLs
    // ---------------------------------------------------------------------------------------------

    private int preRead(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        return isOurs(data.iopb().targetFileObject()) ? read(data, false)
                : FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
    }

    private int read(FltCallbackData data, boolean resumed) {
        IoStackLocation p = data.iopb().parameters();
        FileObject fo = p.fileObject();
        long offset = p.byteOffset();
        if (offset == ByteOffset.FILE_USE_FILE_POINTER_POSITION) {
            if (!fo.hasFlag(FileObject.FO_SYNCHRONOUS_IO)) {
                return complete(data, NtStatus.STATUS_INVALID_PARAMETER, 0, resumed);
            }
            offset = fo.currentByteOffset();
        }
        if (offset < 0) {
            return complete(data, NtStatus.STATUS_INVALID_PARAMETER, 0, resumed);
        }
        if (p.length() == 0) {
            return complete(data, NtStatus.STATUS_SUCCESS, 0, resumed); // as the file system: no oplock check
        }
        int r = Flt.checkOplock(stream.oplock, data, null, readWait, null);
        if (r == FltPreopCallbackStatus.FLT_PREOP_PENDING) {
            return r;
        }
        if (r == FltPreopCallbackStatus.FLT_PREOP_COMPLETE) {
            return complete(data, data.ioStatus().status(), 0, resumed);
        }
        if (offset >= contents.length) {
            return complete(data, NtStatus.STATUS_END_OF_FILE, 0, resumed);
        }
        int n = (int) Math.min(p.length(), contents.length - offset);
        if (data.userBuffer() != null) {
            data.userBuffer().putBytes(data.userBufferOffset(), contents, (int) offset, n);
        }
        if (fo.hasFlag(FileObject.FO_SYNCHRONOUS_IO)) {
            fo.currentByteOffset(offset + n);
        }
        return complete(data, NtStatus.STATUS_SUCCESS, n, resumed);
    }

    private int preQueryInformation(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        if (!isOurs(data.iopb().targetFileObject())) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        IoStackLocation p = data.iopb().parameters();
        if (p.fileInformationClass() != FileInformationClass.FileStandardInformation) {
            return complete(data, NtStatus.STATUS_INVALID_PARAMETER, 0, false);
        }
        if (p.length() < 24) {
            return complete(data, NtStatus.STATUS_INFO_LENGTH_MISMATCH, 0, false);
        }
        UnsafeBuffer b = data.ensureSystemBuffer(24);
        b.putLong(0, (contents.length + 4095L) / 4096 * 4096, LE); // AllocationSize
        b.putLong(8, contents.length, LE);                          // EndOfFile
        b.putInt(16, 1, LE);                                       // NumberOfLinks
        b.putByte(20, (byte) 0);                                   // DeletePending
        b.putByte(21, (byte) 0);                                   // Directory
        b.putShort(22, (short) 0);
        return complete(data, NtStatus.STATUS_SUCCESS, 24, false);
    }

    private int preFsControl(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        if (!isOurs(data.iopb().targetFileObject())) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        switch (data.iopb().parameters().fsControlCode()) {
            case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1:
            case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2:
            case FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK:
            case FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK:
            case FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
            case FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2:
            case FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING:
            case FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY:
            case FsControlCode.FSCTL_REQUEST_OPLOCK:
                return oplockFsctrl(data);
            default:
                return complete(data, NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0, false);
        }
    }

    /**
     * As the reference file system's oplock FSCTL (FastFAT's FatOplockRequest): an exclusive request passes
     * the number of handles, and OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH when every open carries the requester's
     * oplock key (FltOplockFsctrlEx); a shared request passes 0 (the file has no byte-range locks);
     * acknowledgments pass 0.
     */
    private int oplockFsctrl(FltCallbackData data) {
        IoStackLocation p = data.iopb().parameters();
        int code = p.fsControlCode();
        boolean requestOplock = code == FsControlCode.FSCTL_REQUEST_OPLOCK;
        boolean request = code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1
                || code == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2
                || code == FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK
                || code == FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK;
        if (requestOplock && p.inputBufferLength() >= RequestOplockInputBuffer.ENCODED_LENGTH) {
            int inFlags = data.systemBuffer().getInt(RequestOplockInputBuffer.FLAGS_OFFSET, LE);
            request = (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST) != 0;
        }
        int openCount = 0;
        int flags = 0;
        if (request && !Flt.oplockIsSharedRequest(data)) {
            openCount = stream.handles;
            if (requestOplock && allOpensShareKey(p.fileObject())) {
                flags = OplockFlags.OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH;
            }
        }
        return Flt.oplockFsctrlEx(stream.oplock, data, openCount, flags);
    }

    private boolean allOpensShareKey(FileObject requester) {
        for (FileObject open : stream.opens) {
            if (!Flt.oplockKeysEqual(open, requester)) {
                return false;
            }
        }
        return true;
    }

    private int refuse(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        if (!isOurs(data.iopb().targetFileObject())) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        return complete(data, NtStatus.STATUS_ACCESS_DENIED, 0, false);
    }

    // ---------------------------------------------------------------------------------------------
    // Cleanup and close
    // ---------------------------------------------------------------------------------------------

    private int preCleanup(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        FileObject fo = data.iopb().targetFileObject();
        if (!isOurs(fo)) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        stream.shareAccess.removeShareAccess(fo);
        stream.handles--;
        stream.opens.remove(fo);
        // The handle's own oplocks end (and a break it owed counts as acknowledged); cleanup never waits.
        Flt.checkOplock(stream.oplock, data, null, null, null);
        fo.setFlag(FileObject.FO_CLEANUP_COMPLETE);
        return complete(data, NtStatus.STATUS_SUCCESS, 0, false);
    }

    private int preClose(FltCallbackData data, FltRelatedObjects objects, CompletionContext context) {
        if (!isOurs(data.iopb().targetFileObject())) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_NO_CALLBACK;
        }
        stream.fileObjects.decrementAndGet();
        return complete(data, NtStatus.STATUS_SUCCESS, 0, false);
    }

    /** @return the instance-independent path this filter presents */
    public String path() {
        return path;
    }

    @Override
    public String toString() {
        return NAME + " " + path + " (" + contents.length + " bytes)";
    }
}
