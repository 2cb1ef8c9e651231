package org.irpemu.flt;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.OplockKeyEcpContext;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;

/**
 * The Filter Manager routines minifilters call ({@code Flt*} of fltKernel.h), translated to Java names:
 * {@code FltCompletePendedPreOperation} is {@link #completePendedPreOperation}, {@code FltGetStreamContext}
 * is {@link #getStreamContext}, and so on. Routines that return an NTSTATUS and hand back an object take
 * an {@link Out} where C takes a pointer; a "handle" is the file object itself.
 *
 * <p>Threading: operations run on the dispatcher thread that owns their stream. Routines that resume an
 * operation may be called from any thread: from the owner they run at once, from any other they are
 * queued there. Context routines may be called from any thread. Synchronous filter-initiated I/O never
 * blocks a dispatcher thread (see {@link #createFileEx2}).
 */
public final class Flt {
    private Flt() {
    }

    // ---------------------------------------------------------------------------------------------
    // Pended operations and callback data
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code FltCompletePendedPreOperation}: resumes an operation a pre-operation callback pended.
     *
     * @param status FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_NO_CALLBACK or FLT_PREOP_COMPLETE (then
     *     {@code data.ioStatus()} holds the final status). PENDING, SYNCHRONIZE and DISALLOW_FASTIO are illegal
     *     here (WDK): the bug is reported (verifier: ILLEGAL_PREOP_STATUS) and the operation fails with
     *     STATUS_UNSUCCESSFUL. Resuming an operation that is not pended is reported (CALLBACK_DATA_REUSED)
     *     and ignored.
     * @param context the completion context for the post-operation callback (WITH_CALLBACK only)
     */
    public static void completePendedPreOperation(FltCallbackData data, int status, Object context) {
        if (!inFlight(data, "FltCompletePendedPreOperation")) {
            return;
        }
        FilterManager frame = data.frame;
        String site = frame.callSite(); // the filter's call, before it may be queued to another thread
        runOnOwner(data, () -> frame.resumePre(data, status, context, site));
    }

    /**
     * {@code FltCompletePendedPostOperation}: resumes completion of an operation whose post-operation
     * callback returned FLT_POSTOP_MORE_PROCESSING_REQUIRED.
     */
    public static void completePendedPostOperation(FltCallbackData data) {
        if (!inFlight(data, "FltCompletePendedPostOperation")) {
            return;
        }
        FilterManager frame = data.frame;
        String site = frame.callSite();
        runOnOwner(data, () -> frame.resumePost(data, site));
    }

    /**
     * {@code FltSetCallbackDataDirty}: declares that the filter changed the parameters of
     * {@code data.iopb()}; the instances below and the file system see the change.
     */
    public static void setCallbackDataDirty(FltCallbackData data) {
        data.flags(data.flags() | FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY);
    }

    /** {@code FltClearCallbackDataDirty}. */
    public static void clearCallbackDataDirty(FltCallbackData data) {
        data.flags(data.flags() & ~FltCallbackData.FLTFL_CALLBACK_DATA_DIRTY);
    }

    /** {@code FltIsCallbackDataDirty}. */
    public static boolean isCallbackDataDirty(FltCallbackData data) {
        return data.isDirty();
    }

    /** The data stands for an operation still in the Filter Manager's hands; otherwise a verifier finding. */
    private static boolean inFlight(FltCallbackData data, String routine) {
        int state = data.state;
        if (state == FltCallbackData.STATE_FREED || state == FltCallbackData.STATE_IDLE && !data.generated
                || data.frame == null) {
            FilterManager frame = data.frame;
            String message = routine + " on callback data whose operation is over: " + data;
            if (frame != null) {
                frame.report(FltVerifier.Rule.CALLBACK_DATA_REUSED, null, null, message, true);
            } else {
                throw new IllegalStateException(message);
            }
            return false;
        }
        return true;
    }

    private static void runOnOwner(FltCallbackData data, Runnable action) {
        IoSystem io = data.frame.ioSystem();
        FileObject fo = data.iopb().targetFileObject();
        int owner = fo == null ? 0 : fo.dispatcher();
        if (io == null || io.currentDispatcher() == owner) {
            action.run();
        } else {
            io.queueWorkItem(owner, context -> action.run(), null);
        }
    }

    /**
     * {@code FltQueueGenericWorkItem}: runs a routine later on the calling dispatcher thread (after the
     * request being processed), or on dispatcher 0 when called from outside the dispatchers. The
     * instance's teardown waits for it.
     *
     * @return STATUS_SUCCESS, or STATUS_FLT_DELETING_OBJECT when the instance is being torn down
     */
    public static int queueGenericWorkItem(FltInstance instance, FltGenericWorkItemRoutine routine, Object context) {
        if (instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        IoSystem io = instance.frame.ioSystem();
        instance.generatedOutstanding.incrementAndGet();
        Runnable run = () -> {
            try {
                routine.run(instance, context);
            } catch (RuntimeException e) {
                instance.frame.report(FltVerifier.Rule.CALLBACK_EXCEPTION, instance.filter(), null,
                        "generic work item threw " + e, true);
            } finally {
                instance.generatedOutstanding.decrementAndGet();
            }
        };
        if (io == null) {
            run.run();
        } else {
            io.queueWorkItem(Math.max(0, io.currentDispatcher()), c -> run.run(), null);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    // ---------------------------------------------------------------------------------------------
    // Contexts
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code FltAllocateContext}: a new context holding one reference.
     *
     * @param contextType an {@link FltContextType} value registered by the filter
     * @param size the filter's part, 1 to 65535 bytes; a fixed-size registration takes only its size
     * @param returned receives the context on success
     * @return STATUS_SUCCESS; STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND (type or size not registered);
     *     STATUS_INVALID_PARAMETER (bad type or size); STATUS_FLT_DELETING_OBJECT (the filter is unloading)
     */
    public static int allocateContext(FltFilter filter, int contextType, int size, Out<FltContext> returned) {
        return FltContexts.allocate(filter, contextType, size, returned);
    }

    /** {@code FltReferenceContext}: one more reference (verifier: CONTEXT_USE_AFTER_FREE on a freed context). */
    public static void referenceContext(FltContext context) {
        FltContexts.reference(context);
    }

    /**
     * {@code FltReleaseContext}: one reference less; at zero the cleanup callback runs and the context is
     * freed (verifier: CONTEXT_OVER_RELEASE when released more often than referenced).
     */
    public static void releaseContext(FltContext context) {
        FltContexts.release(context);
    }

    /** {@code FltDeleteContext}: detaches the context from its object; the caller's reference stays valid. */
    public static void deleteContext(FltContext context) {
        FltContexts.deleteContext(context);
    }

    /**
     * {@code FltSetInstanceContext}.
     *
     * @param operation FLT_SET_CONTEXT_REPLACE_IF_EXISTS or FLT_SET_CONTEXT_KEEP_IF_EXISTS
     * @param oldContext receives, referenced, the context kept (KEEP) or replaced (REPLACE); may be null
     * @return STATUS_SUCCESS; STATUS_FLT_CONTEXT_ALREADY_DEFINED (KEEP and one is set);
     *     STATUS_FLT_CONTEXT_ALREADY_LINKED (the new context is set elsewhere); STATUS_FLT_DELETING_OBJECT;
     *     STATUS_INVALID_PARAMETER (wrong type, bad operation)
     */
    public static int setInstanceContext(FltInstance instance, int operation, FltContext newContext,
            Out<FltContext> oldContext) {
        return FltContexts.set(instance, FltContextType.FLT_INSTANCE_CONTEXT, null, operation, newContext, oldContext);
    }

    /** {@code FltGetInstanceContext}: STATUS_SUCCESS with a referenced context, or STATUS_NOT_FOUND. */
    public static int getInstanceContext(FltInstance instance, Out<FltContext> context) {
        return FltContexts.get(instance, FltContextType.FLT_INSTANCE_CONTEXT, null, context);
    }

    /** {@code FltDeleteInstanceContext}: STATUS_SUCCESS, STATUS_NOT_FOUND or STATUS_FLT_DELETING_OBJECT. */
    public static int deleteInstanceContext(FltInstance instance, Out<FltContext> oldContext) {
        return FltContexts.delete(instance, FltContextType.FLT_INSTANCE_CONTEXT, null, oldContext);
    }

    /**
     * {@code FltSetStreamContext}: as {@link #setInstanceContext}, on the file object's stream; also
     * STATUS_NOT_SUPPORTED when the file system does not support per-stream contexts. The context goes
     * away when the file system frees the stream, when it is deleted, and at instance teardown.
     */
    public static int setStreamContext(FltInstance instance, FileObject fileObject, int operation,
            FltContext newContext, Out<FltContext> oldContext) {
        return FltContexts.set(instance, FltContextType.FLT_STREAM_CONTEXT, fileObject, operation, newContext,
                oldContext);
    }

    /** {@code FltGetStreamContext}: STATUS_SUCCESS (referenced), STATUS_NOT_FOUND or STATUS_NOT_SUPPORTED. */
    public static int getStreamContext(FltInstance instance, FileObject fileObject, Out<FltContext> context) {
        return FltContexts.get(instance, FltContextType.FLT_STREAM_CONTEXT, fileObject, context);
    }

    /** {@code FltDeleteStreamContext}. */
    public static int deleteStreamContext(FltInstance instance, FileObject fileObject, Out<FltContext> oldContext) {
        return FltContexts.delete(instance, FltContextType.FLT_STREAM_CONTEXT, fileObject, oldContext);
    }

    /**
     * {@code FltSetStreamHandleContext}: as {@link #setInstanceContext}, on one file object; the context goes
     * away after the file object's IRP_MJ_CLOSE and at instance teardown.
     */
    public static int setStreamHandleContext(FltInstance instance, FileObject fileObject, int operation,
            FltContext newContext, Out<FltContext> oldContext) {
        return FltContexts.set(instance, FltContextType.FLT_STREAMHANDLE_CONTEXT, fileObject, operation, newContext,
                oldContext);
    }

    /** {@code FltGetStreamHandleContext}: STATUS_SUCCESS (referenced) or STATUS_NOT_FOUND. */
    public static int getStreamHandleContext(FltInstance instance, FileObject fileObject, Out<FltContext> context) {
        return FltContexts.get(instance, FltContextType.FLT_STREAMHANDLE_CONTEXT, fileObject, context);
    }

    /** {@code FltDeleteStreamHandleContext}. */
    public static int deleteStreamHandleContext(FltInstance instance, FileObject fileObject,
            Out<FltContext> oldContext) {
        return FltContexts.delete(instance, FltContextType.FLT_STREAMHANDLE_CONTEXT, fileObject, oldContext);
    }

    /** {@code FltSupportsStreamContexts}: whether the file object's file system keeps per-stream contexts. */
    public static boolean supportsStreamContexts(FileObject fileObject) {
        return FsRtl.supportsPerStreamContexts(fileObject);
    }

    // ---------------------------------------------------------------------------------------------
    // Oplocks (the FsRtl package for a minifilter that runs its own oplocks)
    // ---------------------------------------------------------------------------------------------

    /** {@code FltInitializeOplock}: a new, empty oplock (the Filter Manager installs its observer on first use). */
    public static Oplock initializeOplock() {
        return FsRtl.initializeOplock();
    }

    /**
     * {@code FltUninitializeOplock}: held oplocks complete as broken to none; waiting operations go on. Like
     * every oplock routine, call it on the dispatcher thread that owns the stream (the requests complete
     * there); from InstanceTeardownStart, which runs on another thread, hand it to that dispatcher and wait.
     */
    public static void uninitializeOplock(Oplock oplock) {
        FsRtl.uninitializeOplock(oplock);
    }

    /** {@code FltOplockFsctrl}: {@link #oplockFsctrlEx} with Flags 0. */
    public static int oplockFsctrl(Oplock oplock, FltCallbackData data, int openCount) {
        return oplockFsctrlEx(oplock, data, openCount, 0);
    }

    /**
     * {@code FltOplockFsctrlEx} (WDK; MS-FSA 2.1.5.18, 2.1.5.19): an oplock FSCTL (or a create's oplock
     * reservation) on an oplock the minifilter runs itself.
     *
     * @param openCount as for {@code FsRtlOplockFsctrlEx}
     * @param flags OPLOCK_FSCTRL_FLAG_ALL_KEYS_MATCH or 0
     * @return FLT_PREOP_PENDING when the request is kept (granted, an acknowledgment that became an oplock,
     *     a break-notify request): return it from the pre-operation callback; the operation completes, with
     *     the break, when the oplock breaks or the request is cancelled. FLT_PREOP_COMPLETE otherwise, with
     *     the FSCTL's status (STATUS_OPLOCK_NOT_GRANTED, STATUS_INVALID_OPLOCK_PROTOCOL, ...) or the create's
     *     (STATUS_SUCCESS, STATUS_CANNOT_BREAK_OPLOCK, STATUS_OPLOCK_NOT_GRANTED) in {@code data.ioStatus()}
     */
    public static int oplockFsctrlEx(Oplock oplock, FltCallbackData data, int openCount, int flags) {
        if (!inFlight(data, "FltOplockFsctrl")) {
            return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
        }
        return FltOplocks.oplockFsctrlEx(oplock, data, openCount, flags);
    }

    /** {@code FltCheckOplock}: {@link #checkOplockEx} with Flags 0. */
    public static int checkOplock(Oplock oplock, FltCallbackData data, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        return checkOplockEx(oplock, data, 0, context, waitCompletionRoutine, prePostRoutine);
    }

    /**
     * {@code FltCheckOplockEx} (WDK; MS-FSA 2.1.4.12): checks the operation against the oplock and starts
     * the breaks it causes.
     *
     * @param flags OPLOCK_FLAG_* as for {@code FsRtlCheckOplockEx}
     * @param waitCompletionRoutine called when the break the operation waits for ends (it resumes the
     *     operation); {@code null} means "block until then", which a dispatcher thread cannot do: the
     *     operation fails and the verifier reports BLOCKING_WAIT
     * @return FLT_PREOP_SUCCESS_WITH_CALLBACK (go on; {@code data.ioStatus()} is STATUS_SUCCESS or, with
     *     COMPLETE_IF_OPLOCKED, STATUS_OPLOCK_BREAK_IN_PROGRESS); FLT_PREOP_PENDING (the operation waits:
     *     return it; the pre-post routine ran); FLT_PREOP_COMPLETE (fail it: the status, such as
     *     STATUS_CANNOT_BREAK_OPLOCK, is in {@code data.ioStatus()})
     */
    public static int checkOplockEx(Oplock oplock, FltCallbackData data, int flags, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        if (!inFlight(data, "FltCheckOplockEx")) {
            return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
        }
        return FltOplocks.check(FltOplocks.CHECK, oplock, data, flags, context, waitCompletionRoutine, prePostRoutine);
    }

    /** {@code FltOplockBreakH}: breaks handle caching under other keys; results as {@link #checkOplockEx}. */
    public static int oplockBreakH(Oplock oplock, FltCallbackData data, int flags, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        if (!inFlight(data, "FltOplockBreakH")) {
            return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
        }
        return FltOplocks.check(FltOplocks.BREAK_H, oplock, data, flags, context, waitCompletionRoutine,
                prePostRoutine);
    }

    /** {@code FltOplockBreakToNone}: {@link #oplockBreakToNoneEx} with Flags 0. */
    public static int oplockBreakToNone(Oplock oplock, FltCallbackData data, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        return oplockBreakToNoneEx(oplock, data, 0, context, waitCompletionRoutine, prePostRoutine);
    }

    /** {@code FltOplockBreakToNoneEx}: breaks every oplock, whatever the keys; results as {@link #checkOplockEx}. */
    public static int oplockBreakToNoneEx(Oplock oplock, FltCallbackData data, int flags, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        if (!inFlight(data, "FltOplockBreakToNoneEx")) {
            return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
        }
        return FltOplocks.check(FltOplocks.BREAK_TO_NONE, oplock, data, flags, context, waitCompletionRoutine,
                prePostRoutine);
    }

    /** {@code FltOplockIsFastIoPossible}. */
    public static boolean oplockIsFastIoPossible(Oplock oplock) {
        return FsRtl.oplockIsFastIoPossible(oplock);
    }

    /** {@code FltCurrentBatchOplock}: a Batch or Filter oplock is held. */
    public static boolean currentBatchOplock(Oplock oplock) {
        return FsRtl.currentBatchOplock(oplock);
    }

    /** {@code FltCurrentOplock}: any oplock is held. */
    public static boolean currentOplock(Oplock oplock) {
        return FsRtl.currentOplock(oplock);
    }

    /** {@code FltCurrentOplockH}: a handle-caching oplock is held. */
    public static boolean currentOplockH(Oplock oplock) {
        return FsRtl.currentOplockH(oplock);
    }

    /** {@code FltOplockIsSharedRequest}: the FSCTL asks for Level 2, R or RH. */
    public static boolean oplockIsSharedRequest(FltCallbackData data) {
        return FltOplocks.isSharedRequest(data);
    }

    /** {@code FltOplockKeysEqual}. */
    public static boolean oplockKeysEqual(FileObject fo1, FileObject fo2) {
        return FsRtl.oplockKeysEqual(fo1, fo2);
    }

    // ---------------------------------------------------------------------------------------------
    // Filter-initiated I/O
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code FltCreateFileEx2}: opens a file for the filter; the create goes to the instances below
     * {@code instance} (all instances when it is null) and the file system.
     *
     * <p>Synchronous: on the dispatcher thread that owns the stream it runs at once; when it would have
     * to wait (a break it must wait for, a filter below pending it) it returns STATUS_CANT_WAIT — Windows
     * would block the thread — and the verifier reports BLOCKING_WAIT; the open, if it later succeeds,
     * is closed again. Use FILE_OPEN_REQUIRING_OPLOCK or FILE_COMPLETE_IF_OPLOCKED to never wait. From a
     * thread outside the dispatchers it waits for the result.
     *
     * @param fileObject receives the file object (the handle) on success; close it with {@link #close}
     * @param desiredAccess ACCESS_MASK (generic rights are mapped)
     * @param path volume-relative
     * @param ioStatusBlock receives the status and the create action (FILE_OPENED, ...), or null
     * @param createDisposition FILE_SUPERSEDE .. FILE_OVERWRITE_IF
     * @param createOptions FILE_* create options
     * @param flags IO_* create flags (none modelled: 0)
     * @param driverContext the ECPs ({@code OPLOCK_KEY_ECP_CONTEXT}) of the create, or null
     * @return the create's status; STATUS_INVALID_PARAMETER (as IoCreateFileEx checks);
     *     STATUS_FLT_DELETING_OBJECT (filter or instance going away); STATUS_CANT_WAIT (above)
     */
    public static int createFileEx2(FltFilter filter, FltInstance instance, Out<FileObject> fileObject,
            int desiredAccess, String path, IoStatusBlock ioStatusBlock, int fileAttributes, int shareAccess,
            int createDisposition, int createOptions, int flags, OplockKeyEcpContext driverContext) {
        return FltIo.createFile(filter.frame, filter, instance, fileObject, desiredAccess, path, ioStatusBlock,
                fileAttributes, shareAccess, createDisposition, createOptions,
                driverContext == null ? null : driverContext.targetOplockKey(),
                driverContext == null ? null : driverContext.parentOplockKey());
    }

    /** {@code FltCreateFile}: {@link #createFileEx2} without flags or ECPs. */
    public static int createFile(FltFilter filter, FltInstance instance, Out<FileObject> fileObject,
            int desiredAccess, String path, IoStatusBlock ioStatusBlock, int fileAttributes, int shareAccess,
            int createDisposition, int createOptions) {
        return createFileEx2(filter, instance, fileObject, desiredAccess, path, ioStatusBlock, fileAttributes,
                shareAccess, createDisposition, createOptions, 0, null);
    }

    /**
     * {@code FltClose}: IRP_MJ_CLEANUP then IRP_MJ_CLOSE of a file opened with {@link #createFileEx2}, below
     * the instance that opened it. Synchronous, like {@link #createFileEx2}.
     *
     * @return STATUS_SUCCESS; STATUS_INVALID_HANDLE (not a file a filter opened, or closed already);
     *     STATUS_CANT_WAIT
     */
    public static int close(FileObject fileObject) {
        FltFileObjectExtension ext = fileObject == null ? null : FltFileObjectExtension.of(fileObject);
        if (ext == null || ext.frame == null) {
            return NtStatus.STATUS_INVALID_HANDLE;
        }
        return FltIo.close(ext.frame, fileObject);
    }

    /**
     * {@code FltReadFile}: reads below {@code instance}.
     *
     * @param byteOffset file offset, bytes
     * @param buffer receives the data at {@code bufferOffset}, or null (the data is discarded)
     * @param flags FLTFL_IO_OPERATION_* (none modelled: 0)
     * @param bytesRead receives the byte count (synchronous only), or null
     * @param callback null: synchronous (as {@link #createFileEx2}); otherwise asynchronous, completing to it
     * @return synchronous: the read's status or STATUS_CANT_WAIT; asynchronous: STATUS_PENDING, or the
     *     final status when it completed at once (the callback already ran)
     */
    public static int readFile(FltInstance instance, FileObject fileObject, long byteOffset, int length,
            MutableDirectBuffer buffer, int bufferOffset, int flags, Out<Integer> bytesRead,
            FltCompletedAsyncIoCallback callback, Object callbackContext) {
        return FltIo.readWrite(instance == null ? null : instance.frame, IrpMajorFunction.IRP_MJ_READ, instance,
                fileObject, byteOffset, length, buffer, bufferOffset, bytesRead, callback, callbackContext);
    }

    /** {@code FltWriteFile}: as {@link #readFile}; {@code buffer} null writes zeros. */
    public static int writeFile(FltInstance instance, FileObject fileObject, long byteOffset, int length,
            MutableDirectBuffer buffer, int bufferOffset, int flags, Out<Integer> bytesWritten,
            FltCompletedAsyncIoCallback callback, Object callbackContext) {
        return FltIo.readWrite(instance == null ? null : instance.frame, IrpMajorFunction.IRP_MJ_WRITE, instance,
                fileObject, byteOffset, length, buffer, bufferOffset, bytesWritten, callback, callbackContext);
    }

    /**
     * {@code FltFsControlFile}: a synchronous FSCTL below {@code instance} (as {@link #createFileEx2}). An
     * oplock request that is granted stays pending: request oplocks with {@link #allocateCallbackData} and
     * {@link #performAsynchronousIo} instead (the WDK's "Requesting and granting oplocks").
     *
     * @param output receives up to {@code outputLength} bytes of output, or null
     * @param lengthReturned receives the output byte count, or null
     */
    public static int fsControlFile(FltInstance instance, FileObject fileObject, int fsControlCode,
            DirectBuffer input, int inputLength, MutableDirectBuffer output, int outputLength,
            Out<Integer> lengthReturned) {
        return FltIo.fsControlFile(instance == null ? null : instance.frame, instance, fileObject, fsControlCode,
                input, inputLength, output, outputLength, lengthReturned);
    }

    /**
     * {@code FltAllocateCallbackData}: callback data (with its own IRP) for I/O the filter builds itself:
     * fill {@code iopb().parameters()} and the buffers, then {@link #performAsynchronousIo} or
     * {@link #performSynchronousIo}.
     *
     * @return STATUS_SUCCESS, or STATUS_FLT_DELETING_OBJECT when the instance is being torn down
     */
    public static int allocateCallbackData(FltInstance instance, FileObject fileObject,
            Out<FltCallbackData> returned) {
        if (instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        returned.set(FltIo.newGenerated(instance.frame, instance, fileObject));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code FltPerformAsynchronousIo}: sends the callback data's operation below its instance; the
     * callback always runs, after the post-operation callbacks of the instances below.
     *
     * @return STATUS_PENDING (the callback runs later, as it always does when called off the stream's
     *     dispatcher thread); the operation's final status when it completed at once and the callback already
     *     ran (STATUS_SUCCESS, or an error such as STATUS_OPLOCK_NOT_GRANTED for an oplock that cannot be
     *     granted, as "Requesting and granting oplocks" says); STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST
     *     (IRP_MJ_CREATE cannot be asynchronous)
     */
    public static int performAsynchronousIo(FltCallbackData data, FltCompletedAsyncIoCallback callback,
            Object callbackContext) {
        return FltIo.performAsynchronousIo(data, callback, callbackContext);
    }

    /** {@code FltPerformSynchronousIo}: the result is in {@code data.ioStatus()} (STATUS_CANT_WAIT as {@link #createFileEx2}). */
    public static void performSynchronousIo(FltCallbackData data) {
        FltIo.performSynchronousIo(data);
    }

    /** {@code FltReuseCallbackData}: ready for another operation; keeps the instance and file object. */
    public static void reuseCallbackData(FltCallbackData data) {
        FltIo.reuse(data);
    }

    /** {@code FltFreeCallbackData}: the filter is done with callback data it allocated. */
    public static void freeCallbackData(FltCallbackData data) {
        data.state = FltCallbackData.STATE_FREED;
    }

    /**
     * {@code FltCancelIo}: cancels filter-initiated I/O still in flight (a granted oplock request gives
     * its oplock up and completes with STATUS_CANCELLED).
     *
     * @return whether a cancel routine was called (true also when the cancel was queued to another thread)
     */
    public static boolean cancelIo(FltCallbackData data) {
        return FltIo.cancelIo(data);
    }

    // ---------------------------------------------------------------------------------------------
    // Cancel-safe callback data queues
    // ---------------------------------------------------------------------------------------------

    /** {@code FltCbdqInitialize}: sets up an enabled queue. @return STATUS_SUCCESS or STATUS_INVALID_PARAMETER */
    public static int cbdqInitialize(FltInstance instance, FltCallbackDataQueue queue,
            FltCallbackDataQueue.InsertIo insertIo, FltCallbackDataQueue.RemoveIo removeIo,
            FltCallbackDataQueue.PeekNextIo peekNextIo, FltCallbackDataQueue.Acquire acquire,
            FltCallbackDataQueue.Release release, FltCallbackDataQueue.CompleteCanceledIo completeCanceledIo) {
        return FltCbdq.initialize(instance, queue, insertIo, removeIo, peekNextIo, acquire, release,
                completeCanceledIo);
    }

    /**
     * {@code FltCbdqInsertIo}: queues a pended operation; from then on a cancel takes it out and hands it
     * to CompleteCanceledIo.
     *
     * @param context identifies the entry for {@link #cbdqRemoveIo}, or null
     * @return STATUS_PENDING (queued, as the WDK page says); STATUS_FLT_CBDQ_DISABLED; InsertIo's error
     */
    public static int cbdqInsertIo(FltCallbackDataQueue queue, FltCallbackData data,
            FltCallbackDataQueue.IoContext context, Object insertContext) {
        return FltCbdq.insert(queue, data, context, insertContext);
    }

    /** {@code FltCbdqRemoveIo}: takes a specific operation out, or returns null when a cancel took it first. */
    public static FltCallbackData cbdqRemoveIo(FltCallbackDataQueue queue, FltCallbackDataQueue.IoContext context) {
        return FltCbdq.remove(queue, context);
    }

    /** {@code FltCbdqRemoveNextIo}: the next operation not being cancelled (PeekNextIo decides), or null. */
    public static FltCallbackData cbdqRemoveNextIo(FltCallbackDataQueue queue, Object peekContext) {
        return FltCbdq.removeNext(queue, peekContext);
    }

    /** {@code FltCbdqEnable}. */
    public static void cbdqEnable(FltCallbackDataQueue queue) {
        FltCbdq.enable(queue, true);
    }

    /** {@code FltCbdqDisable}: insertions fail with STATUS_FLT_CBDQ_DISABLED (at teardown, before draining). */
    public static void cbdqDisable(FltCallbackDataQueue queue) {
        FltCbdq.enable(queue, false);
    }
}
