package org.irpemu.fsrtl;

import java.nio.ByteOrder;
import org.irpemu.irp.CreateDisposition;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileInformationClass;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.FsControlCode;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.OplockKeyEcpContext;
import org.irpemu.irp.OplockLevel;
import org.irpemu.irp.RequestOplockInputBuffer;
import org.irpemu.irp.RequestOplockOutputBuffer;
import org.irpemu.status.NtStatus;

/**
 * The FsRtl oplock routines of {@code ntifs.h}, with the WDK's parameters, return values and side
 * effects. A file system keeps one {@link Oplock} per stream and calls these routines where the FastFAT
 * sample does; the routines decode the IRP's current stack location themselves, as FsRtl does.
 *
 * <p>Behaviour follows [MS-FSA] 2.1.4.12, 2.1.4.13, 2.1.5.18 and 2.1.5.19 for the state machine and the
 * WDK pages ("Oplock semantics", the per-IRP oplock tables, the FSCTL pages and the DDI pages) for the
 * kernel surface; where they disagree irpemu follows the WDK, as listed in {@code docs/source-choices.md}.
 *
 * <p>Threading: call on the dispatcher thread that owns the stream. irpemu never blocks a dispatcher
 * thread: where Windows would block because no CompletionRoutine was given and the IRP must wait,
 * these routines throw {@link BlockingWaitException} (a driver bug in an emulated driver).
 *
 * <p>While the package holds an IRP (a granted oplock request, a parked operation) it uses
 * {@code Irp.Tail.Overlay.DriverContext[2..3]}.
 */
public final class FsRtl {
    static final int DRIVER_CONTEXT_OPLOCK = 2;
    static final int DRIVER_CONTEXT_ENTRY = 3;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private FsRtl() {
    }

    /**
     * {@code FsRtlInitializeOplock}: a new, empty oplock for a stream.
     *
     * @param observer receives every decision (traces), or {@code null}
     */
    public static Oplock initializeOplock(OplockObserver observer) {
        return new Oplock(observer);
    }

    /** {@code FsRtlInitializeOplock} without an observer. */
    public static Oplock initializeOplock() {
        return new Oplock(null);
    }

    /**
     * {@code FsRtlUninitializeOplock}: tears the oplock down. Requests still holding oplocks complete as
     * broken to none (STATUS_SUCCESS, no acknowledgment) and parked operations are released; the WDK does
     * not say what happens to them (see docs/source-choices.md).
     */
    public static void uninitializeOplock(Oplock oplock) {
        if (oplock != null) {
            oplock.uninitialize();
            oplock.flush();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Per-stream contexts (ntifs.h FsRtl*PerStreamContext)
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code FsRtlSupportsPerStreamContexts}.
     *
     * @return whether the file object's stream control block is a {@link FsRtlAdvancedFcbHeader}
     */
    public static boolean supportsPerStreamContexts(FileObject fileObject) {
        return fileObject != null && fileObject.fsContext() instanceof FsRtlAdvancedFcbHeader;
    }

    /**
     * {@code FsRtlInsertPerStreamContext}: attaches a context to a stream.
     *
     * @return STATUS_SUCCESS, or STATUS_INVALID_DEVICE_REQUEST when {@code header} is {@code null} (the file
     *     system does not support per-stream contexts)
     */
    public static int insertPerStreamContext(FsRtlAdvancedFcbHeader header, FsRtlPerStreamContext context) {
        if (header == null) {
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        synchronized (header.filterContextsLock) {
            context.next = header.filterContexts;
            header.filterContexts = context;
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FsRtlLookupPerStreamContext}.
     *
     * @param instanceId the instance to match, or {@code null} for the owner's first context
     * @return the most recently inserted matching context, or {@code null}
     */
    public static FsRtlPerStreamContext lookupPerStreamContext(FsRtlAdvancedFcbHeader header, Object ownerId,
            Object instanceId) {
        if (header == null) {
            return null;
        }
        synchronized (header.filterContextsLock) {
            for (FsRtlPerStreamContext c = header.filterContexts; c != null; c = c.next) {
                if (c.matches(ownerId, instanceId)) {
                    return c;
                }
            }
        }
        return null;
    }

    /**
     * {@code FsRtlRemovePerStreamContext}: detaches a context without freeing it.
     *
     * @return the removed context, or {@code null} when none matched
     */
    public static FsRtlPerStreamContext removePerStreamContext(FsRtlAdvancedFcbHeader header, Object ownerId,
            Object instanceId) {
        if (header == null) {
            return null;
        }
        synchronized (header.filterContextsLock) {
            FsRtlPerStreamContext prev = null;
            for (FsRtlPerStreamContext c = header.filterContexts; c != null; prev = c, c = c.next) {
                if (c.matches(ownerId, instanceId)) {
                    if (prev == null) {
                        header.filterContexts = c.next;
                    } else {
                        prev.next = c.next;
                    }
                    c.next = null;
                    return c;
                }
            }
        }
        return null;
    }

    /**
     * {@code FsRtlTeardownPerStreamContexts}: the file system frees the stream control block; every context
     * is removed and its FreeCallback called (outside the lock).
     */
    public static void teardownPerStreamContexts(FsRtlAdvancedFcbHeader header) {
        FsRtlPerStreamContext list;
        synchronized (header.filterContextsLock) {
            list = header.filterContexts;
            header.filterContexts = null;
        }
        while (list != null) {
            FsRtlPerStreamContext next = list.next;
            list.next = null;
            list.free();
            list = next;
        }
    }

    /**
     * {@code FsRtlOplockFsctrl}: {@link #oplockFsctrlEx} with Flags 0.
     */
    public static int oplockFsctrl(Oplock oplock, Irp irp, int openCount) {
        return oplockFsctrlEx(oplock, irp, openCount, 0);
    }

    /**
     * {@code FsRtlOplockFsctrlEx} (WDK DDI page; MS-FSA 2.1.5.18 and 2.1.5.19): processes an oplock
     * FSCTL or, for an IRP_MJ_CREATE, the create-time oplock reservation.
     *
     * <p>FSCTL IRPs ({@code IRP_MJ_FILE_SYSTEM_CONTROL} / {@code IRP_MN_USER_FS_REQUEST}): the package owns
     * the IRP from here on; it completes it before returning unless it returns STATUS_PENDING. Buffer
     * lengths must already have been checked by the file system (FastFAT fails short REQUEST_OPLOCK
     * buffers with STATUS_BUFFER_TOO_SMALL before calling). For FSCTL_REQUEST_OPLOCK the package validates
     * the input: StructureVersion 1, StructureLength 12, exactly one of REQUEST and ACK, and a level of 0,
     * R, RH, RW or RWH, else STATUS_INVALID_PARAMETER.
     *
     * <p>Create IRPs: with FILE_OPEN_REQUIRING_OPLOCK, STATUS_CANNOT_BREAK_OPLOCK when the stream holds an
     * oplock the new handle cannot share; with FILE_RESERVE_OPFILTER, STATUS_OPLOCK_NOT_GRANTED when
     * {@code openCount} (including the new open) exceeds 1; otherwise STATUS_SUCCESS. The file system
     * keeps the create IRP.
     *
     * @param openCount for exclusive requests (Level 1, Batch, Filter, RW, RWH) the number of user handles
     *     on the stream, the requester's included; for shared requests (Level 2, R, RH) non-zero when
     *     byte-range locks exist; 0 for acknowledgments
     * @param flags {@code OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH}: every open carries the requester's key
     * @return STATUS_PENDING (granted; acknowledged into a new oplock; notify waiting), STATUS_SUCCESS,
     *     STATUS_OPLOCK_NOT_GRANTED, STATUS_INVALID_OPLOCK_PROTOCOL, STATUS_CANNOT_GRANT_REQUESTED_OPLOCK,
     *     STATUS_INVALID_PARAMETER, STATUS_BUFFER_TOO_SMALL, STATUS_CANNOT_BREAK_OPLOCK (creates)
     * @throws IllegalArgumentException when the IRP is neither a create nor a file system control
     */
    public static int oplockFsctrlEx(Oplock oplock, Irp irp, int openCount, int flags) {
        return oplockFsctrlEx(oplock, irp, openCount, flags, null);
    }

    /**
     * {@code FsRtlOplockFsctrlEx} for a caller that hands IRPs back its own way — the Filter Manager's
     * {@code FltOplockFsctrlEx}, whose minifilter's callback data stands for the IRP.
     *
     * @param completer {@code null}: as {@link #oplockFsctrlEx(Oplock, Irp, int, int)}. Otherwise the IRP is
     *     never completed here: unless the result is STATUS_PENDING, its IoStatus holds the final status
     *     and information for the caller to pass on; the IRPs the package keeps (the granted request, an
     *     acknowledgment that became an oplock, a break-notify request) are handed to {@code completer} when
     *     their time comes.
     * @return as {@link #oplockFsctrlEx(Oplock, Irp, int, int)}
     */
    public static int oplockFsctrlEx(Oplock oplock, Irp irp, int openCount, int flags, OplockIrpCompleter completer) {
        int status;
        oplock.completer = completer;
        try {
            status = oplockFsctrlStatus(oplock, irp, openCount, flags);
        } finally {
            oplock.completer = null;
        }
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        if (completer == null && status != NtStatus.STATUS_PENDING
                && sl.majorFunction() == IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL) {
            Io.completeRequest(irp);
        }
        oplock.flush();
        return status;
    }

    /**
     * irpemu extension: installs the observer (trace, verifier) of an oplock initialized without one, as
     * the Filter Manager does for the oplocks its minifilters initialize. An oplock that has an observer
     * keeps it.
     */
    public static void observeOplock(Oplock oplock, OplockObserver observer) {
        if (oplock != null && oplock.observer() == null) {
            oplock.observer(observer);
        }
    }

    private static int oplockFsctrlStatus(Oplock oplock, Irp irp, int openCount, int flags) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        FileObject open = sl.fileObject();
        if (sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
            setOplockKeys(irp, open);
            int options = sl.createOptions();
            int status = NtStatus.STATUS_SUCCESS;
            if ((options & CreateOptions.FILE_OPEN_REQUIRING_OPLOCK) != 0
                    && oplock.cannotBreakForAtomicOpen(open, isToNone(sl), false)) {
                status = NtStatus.STATUS_CANNOT_BREAK_OPLOCK;
                oplockEvent(oplock, OplockObserver.Kind.REFUSED, open, irp, "STATUS_CANNOT_BREAK_OPLOCK",
                        OplockRule.CANNOT_BREAK);
            } else if ((options & CreateOptions.FILE_RESERVE_OPFILTER) != 0 && openCount > 1) {
                status = NtStatus.STATUS_OPLOCK_NOT_GRANTED;
                oplockEvent(oplock, OplockObserver.Kind.REFUSED, open, irp, "STATUS_OPLOCK_NOT_GRANTED",
                        OplockRule.RESERVE_OPFILTER_REFUSED);
            }
            return status;
        }
        if (sl.majorFunction() != IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL) {
            throw new IllegalArgumentException("FsRtlOplockFsctrl on " + IrpMajorFunction.name(sl.majorFunction()));
        }
        int status;
        switch (sl.fsControlCode()) {
            case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_1:
                status = oplock.request(irp, open, Grant.TYPE_LEVEL_1, 0, openCount, flags);
                break;
            case FsControlCode.FSCTL_REQUEST_BATCH_OPLOCK:
                status = oplock.request(irp, open, Grant.TYPE_BATCH, 0, openCount, flags);
                break;
            case FsControlCode.FSCTL_REQUEST_FILTER_OPLOCK:
                status = oplock.request(irp, open, Grant.TYPE_FILTER, 0, openCount, flags);
                break;
            case FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2:
                status = oplock.request(irp, open, Grant.TYPE_LEVEL_2, 0, openCount, flags);
                break;
            case FsControlCode.FSCTL_OPLOCK_BREAK_ACKNOWLEDGE:
                status = oplock.acknowledge(irp, open, Oplock.ACK_LEVEL_TWO, 0);
                break;
            case FsControlCode.FSCTL_OPLOCK_BREAK_ACK_NO_2:
                status = oplock.acknowledge(irp, open, Oplock.ACK_LEVEL_NONE, 0);
                break;
            case FsControlCode.FSCTL_OPBATCH_ACK_CLOSE_PENDING:
                status = oplock.acknowledgeClosePending(irp, open);
                break;
            case FsControlCode.FSCTL_OPLOCK_BREAK_NOTIFY:
                if (oplock.breakNotifyMustWait(open, irp)) {
                    Io.markIrpPending(irp);
                    oplock.park(irp, open, null, null, true);
                    status = NtStatus.STATUS_PENDING;
                } else {
                    status = NtStatus.STATUS_SUCCESS;
                }
                break;
            case FsControlCode.FSCTL_REQUEST_OPLOCK:
                status = requestOplock(oplock, irp, sl, open, openCount, flags);
                break;
            default:
                status = NtStatus.STATUS_INVALID_PARAMETER;
                break;
        }
        if (status != NtStatus.STATUS_PENDING) {
            long information = irp.ioStatus().information();
            if (sl.fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK && oplock.ackOutValid
                    && status == NtStatus.STATUS_CANNOT_GRANT_REQUESTED_OPLOCK) {
                RequestOplockOutputBuffer.write(irp.systemBuffer(), 0, oplock.ackOutOriginal, oplock.ackOutNew,
                        oplock.ackOutFlags, 0, 0);
                information = RequestOplockOutputBuffer.ENCODED_LENGTH;
            } else if (status != NtStatus.STATUS_SUCCESS || sl.fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK) {
                information = 0;
            }
            oplock.ackOutValid = false;
            irp.ioStatus().set(status, information);
        }
        return status;
    }

    private static int requestOplock(Oplock oplock, Irp irp, IoStackLocation sl, FileObject open, int openCount,
            int flags) {
        if (sl.inputBufferLength() < RequestOplockInputBuffer.ENCODED_LENGTH
                || sl.outputBufferLength() < RequestOplockOutputBuffer.ENCODED_LENGTH) {
            return NtStatus.STATUS_BUFFER_TOO_SMALL;
        }
        org.agrona.concurrent.UnsafeBuffer in = irp.systemBuffer();
        int version = in.getShort(RequestOplockInputBuffer.STRUCTURE_VERSION_OFFSET, LE) & 0xFFFF;
        int length = in.getShort(RequestOplockInputBuffer.STRUCTURE_LENGTH_OFFSET, LE) & 0xFFFF;
        int level = in.getInt(RequestOplockInputBuffer.REQUESTED_OPLOCK_LEVEL_OFFSET, LE);
        int inFlags = in.getInt(RequestOplockInputBuffer.FLAGS_OFFSET, LE);
        boolean request = (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST) != 0;
        boolean ack = (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_ACK) != 0;
        if (version != RequestOplockInputBuffer.REQUEST_OPLOCK_CURRENT_VERSION
                || length != RequestOplockInputBuffer.ENCODED_LENGTH || request == ack
                || (level != 0 && !OplockLevel.isGrantable(level))) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (request) {
            return oplock.request(irp, open, Grant.TYPE_GRANULAR, level, openCount, flags);
        }
        return oplock.acknowledge(irp, open, Oplock.ACK_LEVEL_GRANULAR, level);
    }

    /**
     * {@code FsRtlCheckOplock}: {@link #checkOplockEx} with Flags 0.
     */
    public static int checkOplock(Oplock oplock, Irp irp, Object context, OplockWaitCompleteRoutine completionRoutine,
            OplockFsPrepostIrp postIrpRoutine) {
        return checkOplockEx(oplock, irp, 0, context, completionRoutine, postIrpRoutine);
    }

    /**
     * {@code FsRtlCheckOplockEx} (WDK DDI page; MS-FSA 2.1.4.12): checks the operation of the IRP's
     * current stack location against the oplock, starts the breaks it causes and tells whether it may go
     * on. The operation comes from the major function: IRP_MJ_CREATE (OPEN; destructive dispositions and
     * FILE_RESERVE_OPFILTER break to none), IRP_MJ_READ, IRP_MJ_WRITE, IRP_MJ_LOCK_CONTROL,
     * IRP_MJ_FLUSH_BUFFERS, IRP_MJ_SET_INFORMATION (end of file, allocation, valid data length, rename,
     * link, short name, disposition with DeleteFile), IRP_MJ_FILE_SYSTEM_CONTROL (FSCTL_SET_ZERO_DATA),
     * IRP_MJ_SET_SECURITY and IRP_MJ_CLEANUP (the handle's own oplocks end; with
     * OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE handle caching of other keys is broken as for a delete).
     *
     * @param flags {@code OPLOCK_FLAG_*}: COMPLETE_IF_OPLOCKED, OPLOCK_KEY_CHECK_ONLY (only record the
     *     create's keys), BACK_OUT_ATOMIC_OPLOCK, IGNORE_OPLOCK_KEYS, PARENT_OBJECT (the oplock is the parent
     *     directory's; compare the parent key), CLOSING_DELETE_ON_CLOSE, REMOVING_FILE_OR_LINK
     * @param context passed to both routines
     * @param completionRoutine called when a parked IRP may go on (STATUS_SUCCESS) or was cancelled
     *     (STATUS_CANCELLED); required whenever the IRP might have to wait
     * @param postIrpRoutine called before the IRP is parked, or {@code null}
     * @return STATUS_SUCCESS (go on), STATUS_PENDING (parked: the package owns the IRP until it calls
     *     {@code completionRoutine}), STATUS_OPLOCK_BREAK_IN_PROGRESS (it would wait but
     *     FILE_COMPLETE_IF_OPLOCKED / COMPLETE_IF_OPLOCKED lets it go on), STATUS_CANNOT_BREAK_OPLOCK (a
     *     FILE_OPEN_REQUIRING_OPLOCK create that would need a break; nothing was broken)
     * @throws BlockingWaitException when the IRP must wait and {@code completionRoutine} is null
     */
    public static int checkOplockEx(Oplock oplock, Irp irp, int flags, Object context,
            OplockWaitCompleteRoutine completionRoutine, OplockFsPrepostIrp postIrpRoutine) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        FileObject open = sl.fileObject();
        int major = sl.majorFunction();
        if (major == IrpMajorFunction.IRP_MJ_CREATE) {
            setOplockKeys(irp, open);
        }
        if (oplock == null || (flags & (OplockFlags.OPLOCK_FLAG_OPLOCK_KEY_CHECK_ONLY
                | OplockFlags.OPLOCK_FLAG_BACK_OUT_ATOMIC_OPLOCK)) != 0) {
            return NtStatus.STATUS_SUCCESS;
        }
        int op;
        int access = 0;
        boolean toNone = false;
        int infoClass = 0;
        boolean deleteFile = false;
        boolean zeroData = false;
        switch (major) {
            case IrpMajorFunction.IRP_MJ_CREATE:
                op = Oplock.OP_OPEN;
                access = sl.desiredAccess();
                toNone = isToNone(sl);
                if ((sl.createOptions() & CreateOptions.FILE_OPEN_REQUIRING_OPLOCK) != 0
                        && (flags & OplockFlags.OPLOCK_FLAG_PARENT_OBJECT) == 0) {
                    if (oplock.cannotBreakForAtomicOpen(open, toNone, false)) {
                        oplockEvent(oplock, OplockObserver.Kind.REFUSED, open, irp, "STATUS_CANNOT_BREAK_OPLOCK",
                                OplockRule.CANNOT_BREAK);
                        return NtStatus.STATUS_CANNOT_BREAK_OPLOCK;
                    }
                    return NtStatus.STATUS_SUCCESS; // never breaks anything
                }
                break;
            case IrpMajorFunction.IRP_MJ_CLEANUP:
                op = (flags & OplockFlags.OPLOCK_FLAG_CLOSING_DELETE_ON_CLOSE) != 0
                        ? Oplock.OP_CLOSING_DELETE_ON_CLOSE : Oplock.OP_CLOSE;
                break;
            case IrpMajorFunction.IRP_MJ_READ:
                op = Oplock.OP_READ;
                break;
            case IrpMajorFunction.IRP_MJ_WRITE:
                op = Oplock.OP_WRITE;
                break;
            case IrpMajorFunction.IRP_MJ_LOCK_CONTROL:
                op = Oplock.OP_LOCK_CONTROL;
                break;
            case IrpMajorFunction.IRP_MJ_FLUSH_BUFFERS:
                op = Oplock.OP_FLUSH_DATA;
                break;
            case IrpMajorFunction.IRP_MJ_SET_INFORMATION:
                op = Oplock.OP_SET_INFORMATION;
                infoClass = sl.fileInformationClass();
                deleteFile = isDeleteFile(irp, sl);
                break;
            case IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL:
                op = Oplock.OP_FS_CONTROL;
                zeroData = sl.fsControlCode() == FsControlCode.FSCTL_SET_ZERO_DATA;
                break;
            case IrpMajorFunction.IRP_MJ_SET_SECURITY:
                op = Oplock.OP_SET_SECURITY;
                break;
            default:
                return NtStatus.STATUS_SUCCESS;
        }
        int result = oplock.check(op, open, flags, access, toNone, infoClass, deleteFile, zeroData);
        return finish(oplock, irp, sl, result, flags, context, completionRoutine, postIrpRoutine);
    }

    /**
     * {@code FsRtlOplockBreakH} (WDK DDI page; MS-FSA 2.1.4.12 OPEN_BREAK_H): breaks the handle-caching
     * level (RH to R, RWH to RW) of oplocks held under keys other than the IRP's, typically after a
     * create failed its sharing check; the create is then retried. The breaks report the create's access
     * and share mode (REQUEST_OPLOCK_OUTPUT_FLAG_MODES_PROVIDED).
     *
     * @param flags OPLOCK_FLAG_COMPLETE_IF_OPLOCKED, OPLOCK_FLAG_IGNORE_OPLOCK_KEYS
     * @return STATUS_SUCCESS (nothing to wait for), STATUS_PENDING (parked until the acknowledgments),
     *     STATUS_OPLOCK_BREAK_IN_PROGRESS, STATUS_CANNOT_BREAK_OPLOCK (a FILE_OPEN_REQUIRING_OPLOCK create)
     * @throws BlockingWaitException when the IRP must wait and {@code completionRoutine} is null
     */
    public static int oplockBreakH(Oplock oplock, Irp irp, int flags, Object context,
            OplockWaitCompleteRoutine completionRoutine, OplockFsPrepostIrp postIrpRoutine) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        FileObject open = sl.fileObject();
        boolean create = sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE;
        if (create) {
            setOplockKeys(irp, open);
        }
        if (oplock == null) {
            return NtStatus.STATUS_SUCCESS;
        }
        if (create && (sl.createOptions() & CreateOptions.FILE_OPEN_REQUIRING_OPLOCK) != 0) {
            if (oplock.cannotBreakForAtomicOpen(open, false, true)) {
                oplockEvent(oplock, OplockObserver.Kind.REFUSED, open, irp, "STATUS_CANNOT_BREAK_OPLOCK",
                        OplockRule.CANNOT_BREAK);
                return NtStatus.STATUS_CANNOT_BREAK_OPLOCK;
            }
            return NtStatus.STATUS_SUCCESS;
        }
        oplock.modes(create, create ? sl.desiredAccess() : 0, create ? sl.shareAccess() : 0);
        int result;
        try {
            result = oplock.check(Oplock.OP_OPEN_BREAK_H, open, flags, 0, false, 0, false, false);
        } finally {
            oplock.modes(false, 0, 0);
        }
        return finish(oplock, irp, sl, result, flags, context, completionRoutine, postIrpRoutine);
    }

    /**
     * {@code FsRtlOplockBreakToNone}: obsolete in the WDK (its parameters are reserved); irpemu treats it
     * as {@link #oplockBreakToNoneEx} with Flags 0.
     */
    public static int oplockBreakToNone(Oplock oplock, IoStackLocation irpSp, Irp irp, Object context,
            OplockWaitCompleteRoutine completionRoutine, OplockFsPrepostIrp postIrpRoutine) {
        return oplockBreakToNoneEx(oplock, irp, 0, context, completionRoutine, postIrpRoutine);
    }

    /**
     * {@code FsRtlOplockBreakToNoneEx} (WDK DDI page): breaks every oplock to none, whatever its key.
     * Breaks that need an acknowledgment make the IRP wait.
     *
     * @param flags OPLOCK_FLAG_COMPLETE_IF_OPLOCKED
     * @return STATUS_SUCCESS, STATUS_PENDING (parked), STATUS_OPLOCK_BREAK_IN_PROGRESS
     * @throws BlockingWaitException when the IRP must wait and {@code completionRoutine} is null
     */
    public static int oplockBreakToNoneEx(Oplock oplock, Irp irp, int flags, Object context,
            OplockWaitCompleteRoutine completionRoutine, OplockFsPrepostIrp postIrpRoutine) {
        if (oplock == null) {
            return NtStatus.STATUS_SUCCESS;
        }
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        int result = oplock.check(Oplock.OP_BREAK_TO_NONE, sl.fileObject(),
                flags | OplockFlags.OPLOCK_FLAG_IGNORE_OPLOCK_KEYS, 0, false, 0, false, false);
        return finish(oplock, irp, sl, result, flags, context, completionRoutine, postIrpRoutine);
    }

    private static int finish(Oplock oplock, Irp irp, IoStackLocation sl, int result, int flags, Object context,
            OplockWaitCompleteRoutine completionRoutine, OplockFsPrepostIrp postIrpRoutine) {
        int status = NtStatus.STATUS_SUCCESS;
        try {
            if (result == Oplock.CHECK_WAIT) {
                boolean completeIfOplocked = (flags & OplockFlags.OPLOCK_FLAG_COMPLETE_IF_OPLOCKED) != 0
                        || (sl.majorFunction() == IrpMajorFunction.IRP_MJ_CREATE
                        && (sl.createOptions() & CreateOptions.FILE_COMPLETE_IF_OPLOCKED) != 0);
                if (completeIfOplocked) {
                    oplockEvent(oplock, OplockObserver.Kind.RELEASED, sl.fileObject(), irp,
                            "goes on: STATUS_OPLOCK_BREAK_IN_PROGRESS", OplockRule.COMPLETE_IF_OPLOCKED);
                    status = NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS;
                } else {
                    if (completionRoutine == null) {
                        throw new BlockingWaitException(
                                "the oplock package would block the dispatcher thread: " + irp
                                        + " must wait for an oplock break and no CompletionRoutine was given");
                    }
                    if (postIrpRoutine != null) {
                        postIrpRoutine.prepost(context, irp);
                    }
                    oplock.park(irp, sl.fileObject(), completionRoutine, context, false);
                    status = NtStatus.STATUS_PENDING;
                }
            }
        } finally {
            oplock.flush();
        }
        return status;
    }

    /**
     * {@code FsRtlOplockIsFastIoPossible}: whether fast I/O may bypass the oplock checks — true when no
     * oplock is held, or an exclusive oplock is held and no break is in progress.
     */
    public static boolean oplockIsFastIoPossible(Oplock oplock) {
        if (oplock == null || oplock.state == Oplock.NO_OPLOCK) {
            return true;
        }
        return (oplock.state & Oplock.EXCLUSIVE) != 0 && !oplock.isBreakInProgress();
    }

    /** {@code FsRtlCurrentBatchOplock}: whether a Batch or Filter oplock is held or breaking. */
    public static boolean currentBatchOplock(Oplock oplock) {
        return oplock != null && (oplock.state & (Oplock.BATCH_OPLOCK | Oplock.FILTER_OPLOCK)) != 0;
    }

    /** {@code FsRtlCurrentOplock}: whether any oplock is held or breaking. */
    public static boolean currentOplock(Oplock oplock) {
        return oplock != null && !oplock.isEmpty();
    }

    /** {@code FsRtlCurrentOplockH}: whether an oplock with handle caching (RH, RWH) is held or breaking. */
    public static boolean currentOplockH(Oplock oplock) {
        return oplock != null && (oplock.state & Oplock.HANDLE_CACHING) != 0;
    }

    /**
     * {@code FsRtlOplockIsSharedRequest}: whether the IRP is a request for a shared oplock (Level 2, R,
     * RH). False for anything else, acknowledgments included.
     */
    public static boolean oplockIsSharedRequest(Irp irp) {
        IoStackLocation sl = Io.getCurrentIrpStackLocation(irp);
        if (sl.majorFunction() != IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL
                || sl.minorFunction() != IrpMinorFunction.IRP_MN_USER_FS_REQUEST) {
            return false;
        }
        if (sl.fsControlCode() == FsControlCode.FSCTL_REQUEST_OPLOCK_LEVEL_2) {
            return true;
        }
        if (sl.fsControlCode() != FsControlCode.FSCTL_REQUEST_OPLOCK
                || sl.inputBufferLength() < RequestOplockInputBuffer.ENCODED_LENGTH) {
            return false;
        }
        int level = irp.systemBuffer().getInt(RequestOplockInputBuffer.REQUESTED_OPLOCK_LEVEL_OFFSET, LE);
        int inFlags = irp.systemBuffer().getInt(RequestOplockInputBuffer.FLAGS_OFFSET, LE);
        return (inFlags & RequestOplockInputBuffer.REQUEST_OPLOCK_INPUT_FLAG_REQUEST) != 0
                && (level == OplockLevel.R || level == OplockLevel.RH);
    }

    /**
     * {@code FsRtlOplockKeysEqual}: true when both are the same file object, or both carry a target oplock
     * key and the keys are equal; false when either is null or has no key.
     */
    public static boolean oplockKeysEqual(FileObject fo1, FileObject fo2) {
        if (fo1 == null || fo2 == null) {
            return false;
        }
        return Oplock.keysEqual(fo1, fo2);
    }

    /** Records the create's OPLOCK_KEY_ECP_CONTEXT keys in its file object (OPLOCK_KEY_CHECK_ONLY). */
    static void setOplockKeys(Irp irp, FileObject open) {
        OplockKeyEcpContext ecp = irp.oplockKeyEcp();
        if (ecp.isPresent()) {
            open.oplockKeys(ecp.targetOplockKey(), ecp.parentOplockKey());
        }
    }

    private static boolean isToNone(IoStackLocation sl) {
        int disposition = sl.createDisposition();
        return disposition == CreateDisposition.FILE_SUPERSEDE || disposition == CreateDisposition.FILE_OVERWRITE
                || disposition == CreateDisposition.FILE_OVERWRITE_IF
                || (sl.createOptions() & CreateOptions.FILE_RESERVE_OPFILTER) != 0;
    }

    /** FILE_DISPOSITION_INFORMATION.DeleteFile (BOOLEAN at 0) or _EX.Flags & FILE_DISPOSITION_DELETE. */
    private static boolean isDeleteFile(Irp irp, IoStackLocation sl) {
        if (sl.length() < 1) {
            return false;
        }
        if (sl.fileInformationClass() == FileInformationClass.FileDispositionInformation) {
            return irp.systemBuffer().getByte(0) != 0;
        }
        if (sl.fileInformationClass() == FileInformationClass.FileDispositionInformationEx && sl.length() >= 4) {
            return (irp.systemBuffer().getInt(0, LE) & 0x1) != 0;
        }
        return false;
    }

    private static void oplockEvent(Oplock oplock, OplockObserver.Kind kind, FileObject open, Irp irp,
            String detail, OplockRule rule) {
        OplockObserver observer = oplock.observer();
        if (observer != null) {
            observer.onEvent(kind, oplock, open, irp, detail, rule);
        }
    }
}
