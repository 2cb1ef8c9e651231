package org.irpemu.flt;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.irpemu.io.IoCreateParameters;
import org.irpemu.irp.CreateOptions;
import org.irpemu.irp.FileObject;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoStatusBlock;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.irp.IrpMinorFunction;
import org.irpemu.irp.Out;
import org.irpemu.status.NtStatus;

/**
 * Filter-initiated I/O ({@code FltCreateFileEx2}, {@code FltClose}, {@code FltReadFile},
 * {@code FltWriteFile}, {@code FltFsControlFile}, {@code FltAllocateCallbackData},
 * {@code FltPerformSynchronousIo} / {@code FltPerformAsynchronousIo}, {@code FltCancelIo}): the operation
 * goes only to the instances below its initiator, then the file system, flagged
 * FLTFL_CALLBACK_DATA_GENERATED_IO.
 *
 * <p>Synchronous routines never block a dispatcher thread. Called on the dispatcher that owns the stream,
 * the operation runs there and then; if it has to wait (an oplock break, a filter below pending it) the
 * routine returns STATUS_CANT_WAIT and the verifier reports BLOCKING_WAIT — in Windows the thread would
 * wait. Called from a thread outside the dispatchers, the routine hands the operation to the stream's
 * dispatcher and waits for it.
 */
final class FltIo {
    /** How long a thread outside the dispatchers waits for synchronous filter-initiated I/O, ms. */
    private static final long SYNCHRONOUS_WAIT_MILLIS = 30_000;

    private FltIo() {
    }

    // ---------------------------------------------------------------------------------------------
    // Callback data for filter-initiated I/O
    // ---------------------------------------------------------------------------------------------

    /** FltAllocateCallbackData: a callback data with its own IRP, owned by the filter. */
    static FltCallbackData newGenerated(FilterManager frame, FltInstance instance, FileObject fileObject) {
        FltCallbackData data = new FltCallbackData();
        data.generated = true;
        data.frame = frame;
        data.initiatingInstance = instance;
        data.irp = Io.allocateIrp(frame.frameDevice().stackSize(), completed -> generatedCompleted(data));
        data.iopb().parameters().fileObject(fileObject);
        data.iopb().targetInstance(instance);
        return data;
    }

    /** Sends prepared filter-initiated I/O, on the stream's dispatcher thread. */
    private static void start(FltCallbackData data) {
        Irp irp = data.irp;
        IoStackLocation frameLocation = Io.getNextIrpStackLocation(irp);
        frameLocation.copyParametersFrom(data.iopb().parameters());
        Io.setNextIrpStackLocation(irp);
        if (data.initiatingInstance != null) {
            data.initiatingInstance.generatedOutstanding.incrementAndGet();
        }
        data.generatedDone = false;
        data.frame.sendGenerated(data);
    }

    /** The IRP of filter-initiated I/O completed all the way up. */
    private static void generatedCompleted(FltCallbackData data) {
        data.ioStatus().copyFrom(data.irp.ioStatus());
        data.generatedDone = true;
        FltInstance instance = data.initiatingInstance;
        try {
            if (data.abandoned) {
                // The synchronous caller was told STATUS_CANT_WAIT: finish or undo what it can no longer see —
                // close an open that succeeded after all; send the close that follows an abandoned FltClose's
                // cleanup (the file object is no longer the filter's to close).
                int major = data.iopb().majorFunction();
                if (major == IrpMajorFunction.IRP_MJ_CREATE && NtStatus.ntSuccess(data.ioStatus().status())) {
                    closeAbandoned(data.frame, instance, data.iopb().targetFileObject());
                } else if (major == IrpMajorFunction.IRP_MJ_CLEANUP && data.closeAfterCleanup) {
                    FltCallbackData close = newGenerated(data.frame, instance, data.iopb().targetFileObject());
                    close.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CLOSE);
                    startOnOwner(close);
                }
                return;
            }
            FltCompletedAsyncIoCallback callback = data.asyncCallback;
            if (callback != null) {
                Object context = data.asyncContext;
                data.asyncCallback = null;
                data.asyncContext = null;
                try {
                    callback.completed(data, context);
                } catch (RuntimeException e) {
                    data.frame.report(FltVerifier.Rule.CALLBACK_EXCEPTION, instance == null ? null : instance.filter(),
                            null, "the completed-async-I/O callback threw " + e, true);
                }
            }
            CountDownLatch waiter = data.syncWaiter;
            if (waiter != null) {
                data.syncWaiter = null;
                waiter.countDown();
            }
        } finally {
            if (instance != null) {
                instance.generatedOutstanding.decrementAndGet();
            }
        }
    }

    /** Which dispatcher thread owns the operation's stream. */
    private static int owner(FltCallbackData data) {
        FileObject fo = data.iopb().targetFileObject();
        return fo == null ? 0 : fo.dispatcher();
    }

    /**
     * Runs filter-initiated I/O to completion for a synchronous routine.
     *
     * @return the operation's final status, or STATUS_CANT_WAIT when it would block a dispatcher thread
     */
    private static int runSynchronously(FltCallbackData data, String what) {
        FilterManager frame = data.frame;
        IoSystem io = frame.ioSystem();
        int owner = owner(data);
        int current = io == null ? owner : io.currentDispatcher();
        if (current == owner) {
            start(data);
            if (data.generatedDone) {
                return data.ioStatus().status();
            }
            data.abandoned = true;
            blockingWait(data, what + " had to wait (an oplock break, a filter below pending it): waiting would block"
                    + " the dispatcher thread; STATUS_CANT_WAIT returned");
            return NtStatus.STATUS_CANT_WAIT;
        }
        if (current >= 0) {
            blockingWait(data, what + " on dispatcher thread " + current + " for a stream of dispatcher " + owner
                    + " would block; STATUS_CANT_WAIT returned");
            return NtStatus.STATUS_CANT_WAIT;
        }
        CountDownLatch done = new CountDownLatch(1);
        data.syncWaiter = done;
        io.queueWorkItem(owner, context -> start(data), null);
        try {
            if (!done.await(SYNCHRONOUS_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                data.abandoned = true;
                return NtStatus.STATUS_CANT_WAIT;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            data.abandoned = true;
            return NtStatus.STATUS_CANT_WAIT;
        }
        return data.ioStatus().status();
    }

    private static void blockingWait(FltCallbackData data, String message) {
        FltInstance instance = data.initiatingInstance;
        data.frame.report(FltVerifier.Rule.BLOCKING_WAIT, instance == null ? null : instance.filter(), null, message,
                false);
    }

    // ---------------------------------------------------------------------------------------------
    // The routines
    // ---------------------------------------------------------------------------------------------

    static int createFile(FilterManager frame, FltFilter filter, FltInstance instance, Out<FileObject> fileObject,
            int desiredAccess, String path, IoStatusBlock ioStatusBlock, int fileAttributes, int shareAccess,
            int createDisposition, int createOptions, UUID targetOplockKey, UUID parentOplockKey) {
        if (filter.unregistering || instance != null && instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        String name = IoCreateParameters.normalize(path);
        int access = IoCreateParameters.mapDesiredAccess(desiredAccess);
        int invalid = IoCreateParameters.check(access, shareAccess, createDisposition, createOptions);
        if (invalid != NtStatus.STATUS_SUCCESS) {
            return setStatus(ioStatusBlock, invalid, 0);
        }
        IoSystem io = frame.ioSystem();
        int dispatcher = io == null ? 0 : io.dispatcherForName(name);
        FileObject fo = IoCreateParameters.newFileObject(frame.volume(), name, dispatcher, access, createOptions);
        FltFileObjectExtension ext = FltFileObjectExtension.attach(fo);
        ext.openedBy = instance;
        ext.frame = frame;
        FltCallbackData data = newGenerated(frame, instance, fo);
        data.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CREATE).desiredAccess(access)
                .options(CreateOptions.pack(createDisposition, createOptions)).shareAccess(shareAccess)
                .fileAttributes(fileAttributes);
        data.irp.oplockKeyEcp().set(targetOplockKey, parentOplockKey);
        int status = runSynchronously(data, "FltCreateFileEx2 of " + name);
        if (status == NtStatus.STATUS_CANT_WAIT) {
            return setStatus(ioStatusBlock, status, 0);
        }
        setStatus(ioStatusBlock, status, data.ioStatus().information());
        if (NtStatus.ntSuccess(status)) {
            FltFileObjectExtension.of(fo).opened = true;
            fileObject.set(fo);
            if (instance != null) {
                instance.openedFiles.add(fo);
            }
        }
        return status;
    }

    private static int setStatus(IoStatusBlock ioStatusBlock, int status, long information) {
        if (ioStatusBlock != null) {
            ioStatusBlock.set(status, information);
        }
        return status;
    }

    /** FltClose: cleanup and close of a file a filter opened, below the instance that opened it. */
    static int close(FilterManager frame, FileObject fileObject) {
        FltFileObjectExtension ext = fileObject == null ? null : FltFileObjectExtension.of(fileObject);
        if (ext == null || !ext.opened) {
            return NtStatus.STATUS_INVALID_HANDLE;
        }
        ext.opened = false;
        FltInstance instance = ext.openedBy;
        if (instance != null) {
            instance.openedFiles.remove(fileObject);
        }
        int status = sendClose(frame, instance, fileObject, IrpMajorFunction.IRP_MJ_CLEANUP);
        if (status == NtStatus.STATUS_CANT_WAIT) {
            return status; // the close follows when the cleanup completes (generatedCompleted)
        }
        sendClose(frame, instance, fileObject, IrpMajorFunction.IRP_MJ_CLOSE);
        return NtStatus.STATUS_SUCCESS;
    }

    private static int sendClose(FilterManager frame, FltInstance instance, FileObject fileObject, int major) {
        FltCallbackData data = newGenerated(frame, instance, fileObject);
        data.iopb().parameters().majorFunction(major);
        data.closeAfterCleanup = major == IrpMajorFunction.IRP_MJ_CLEANUP;
        return runSynchronously(data, "FltClose (" + IrpMajorFunction.name(major) + ") of " + fileObject.fileName());
    }

    /** A file a filter opened and can no longer close (abandoned create, teardown): closed for it, asynchronously. */
    static void closeAbandoned(FilterManager frame, FltInstance instance, FileObject fileObject) {
        FltFileObjectExtension ext = FltFileObjectExtension.of(fileObject);
        if (ext != null) {
            ext.opened = false;
        }
        if (instance != null) {
            instance.openedFiles.remove(fileObject);
        }
        FltCallbackData cleanup = newGenerated(frame, instance, fileObject);
        cleanup.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CLEANUP);
        cleanup.asyncCallback = (d, c) -> {
            FltCallbackData close = newGenerated(frame, instance, fileObject);
            close.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_CLOSE);
            startOnOwner(close);
        };
        startOnOwner(cleanup);
    }

    private static void startOnOwner(FltCallbackData data) {
        IoSystem io = data.frame.ioSystem();
        int owner = owner(data);
        if (io == null || io.currentDispatcher() == owner) {
            start(data);
        } else {
            io.queueWorkItem(owner, context -> start(data), null);
        }
    }

    /** FltReadFile / FltWriteFile. */
    static int readWrite(FilterManager frame, int major, FltInstance instance, FileObject fileObject, long byteOffset,
            int length, MutableDirectBuffer buffer, int bufferOffset, Out<Integer> bytesTransferred,
            FltCompletedAsyncIoCallback callback, Object callbackContext) {
        if (instance == null || fileObject == null || length < 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        FltCallbackData data = newGenerated(frame, instance, fileObject);
        data.iopb().parameters().majorFunction(major).byteOffset(byteOffset).length(length);
        data.irp.userBuffer(buffer, bufferOffset);
        if (callback != null) {
            data.asyncCallback = callback;
            data.asyncContext = callbackContext;
            startOnOwner(data);
            return data.generatedDone ? data.ioStatus().status() : NtStatus.STATUS_PENDING;
        }
        String what = (major == IrpMajorFunction.IRP_MJ_READ ? "FltReadFile" : "FltWriteFile") + " of "
                + fileObject.fileName();
        int status = runSynchronously(data, what);
        if (bytesTransferred != null && status != NtStatus.STATUS_CANT_WAIT) {
            bytesTransferred.set((int) data.ioStatus().information());
        }
        return status;
    }

    /** FltFsControlFile (synchronous). */
    static int fsControlFile(FilterManager frame, FltInstance instance, FileObject fileObject, int fsControlCode,
            DirectBuffer input, int inputLength, MutableDirectBuffer output, int outputLength,
            Out<Integer> lengthReturned) {
        if (instance == null || fileObject == null || inputLength < 0 || outputLength < 0) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (instance.state != FltInstance.ATTACHED) {
            return NtStatus.STATUS_FLT_DELETING_OBJECT;
        }
        FltCallbackData data = newGenerated(frame, instance, fileObject);
        data.iopb().parameters().majorFunction(IrpMajorFunction.IRP_MJ_FILE_SYSTEM_CONTROL)
                .minorFunction(IrpMinorFunction.IRP_MN_USER_FS_REQUEST).fsControlCode(fsControlCode)
                .inputBufferLength(inputLength).outputBufferLength(outputLength);
        int capacity = Math.max(inputLength, outputLength);
        data.ensureSystemBuffer(capacity).setMemory(0, capacity, (byte) 0);
        if (input != null && inputLength > 0) {
            data.systemBuffer().putBytes(0, input, 0, Math.min(inputLength, input.capacity()));
        }
        int status = runSynchronously(data, "FltFsControlFile of " + fileObject.fileName());
        if (status != NtStatus.STATUS_CANT_WAIT && !NtStatus.ntError(status)) {
            int returned = (int) Math.min(data.ioStatus().information(), outputLength);
            if (output != null && returned > 0) {
                output.putBytes(0, data.systemBuffer(), 0, Math.min(returned, output.capacity()));
            }
            if (lengthReturned != null) {
                lengthReturned.set(returned);
            }
        }
        return status;
    }

    /** FltPerformAsynchronousIo. */
    static int performAsynchronousIo(FltCallbackData data, FltCompletedAsyncIoCallback callback, Object context) {
        if (!data.generated || callback == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
            data.ioStatus().set(NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST, 0);
            callback.completed(data, context);
            return NtStatus.STATUS_FLT_INVALID_ASYNCHRONOUS_REQUEST;
        }
        if (data.irp.isCompleted() || data.irp.currentLocation() < data.irp.stackCount()) {
            data.frame.report(FltVerifier.Rule.CALLBACK_DATA_REUSED, filterOf(data), null,
                    "FltPerformAsynchronousIo on callback data already used (FltReuseCallbackData first)", false);
            data.ioStatus().set(NtStatus.STATUS_INVALID_PARAMETER, 0);
            callback.completed(data, context);
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        data.asyncCallback = callback;
        data.asyncContext = context;
        startOnOwner(data);
        // Completed at once: its final status (the WDK's oplock page: a refused request returns the error).
        return data.generatedDone ? data.ioStatus().status() : NtStatus.STATUS_PENDING;
    }

    /** FltPerformSynchronousIo: the result is in {@code data.ioStatus()}. */
    static void performSynchronousIo(FltCallbackData data) {
        if (!data.generated) {
            data.ioStatus().set(NtStatus.STATUS_INVALID_PARAMETER, 0);
            return;
        }
        int status = runSynchronously(data, "FltPerformSynchronousIo of "
                + IrpMajorFunction.name(data.iopb().majorFunction()));
        if (status == NtStatus.STATUS_CANT_WAIT) {
            data.ioStatus().set(status, 0);
        }
    }

    /** FltReuseCallbackData: a fresh IRP; keeps the target instance and file object. */
    static void reuse(FltCallbackData data) {
        FileObject fo = data.iopb().targetFileObject();
        data.irp = Io.allocateIrp(data.frame.frameDevice().stackSize(), completed -> generatedCompleted(data));
        data.iopb().parameters().copyParametersFrom(new IoStackLocation());
        data.iopb().parameters().fileObject(fo);
        data.ioStatus().set(NtStatus.STATUS_SUCCESS, 0);
        data.abandoned = false;
        data.closeAfterCleanup = false;
        data.generatedDone = false;
    }

    /** FltCancelIo. */
    static boolean cancelIo(FltCallbackData data) {
        if (!data.generated || data.generatedDone) {
            return false;
        }
        IoSystem io = data.frame.ioSystem();
        int owner = owner(data);
        if (io == null || io.currentDispatcher() == owner) {
            return Io.cancelIrp(data.irp);
        }
        io.queueWorkItem(owner, context -> Io.cancelIrp(data.irp), null);
        return true;
    }

    private static FltFilter filterOf(FltCallbackData data) {
        return data.initiatingInstance == null ? null : data.initiatingInstance.filter();
    }
}
