package org.irpemu.flt;

import org.irpemu.fsrtl.FsRtl;
import org.irpemu.fsrtl.Oplock;
import org.irpemu.fsrtl.OplockFsPrepostIrp;
import org.irpemu.fsrtl.OplockWaitCompleteRoutine;
import org.irpemu.irp.Io;
import org.irpemu.irp.IoStackLocation;
import org.irpemu.irp.IoSystem;
import org.irpemu.irp.Irp;
import org.irpemu.irp.IrpMajorFunction;
import org.irpemu.status.NtStatus;

/**
 * The Flt oplock routines: the FsRtl package driven with a minifilter's callback data instead of an IRP
 * it owns. The callback data's parameters (which filters above may have changed) are what the package
 * sees; its results come back as FLT_PREOP_CALLBACK_STATUS values with the status in
 * {@code data.ioStatus()}.
 */
final class FltOplocks {
    private FltOplocks() {
    }

    /**
     * FsRtl's wait-complete routine: hands the callback data to the filter's WaitCompletionRoutine. When the
     * package calls it before the Flt routine has returned FLT_PREOP_PENDING (the IRP was cancelled before
     * it was parked), the filter could not yet resume the operation: its routine runs just after, from a
     * work item on the same dispatcher thread.
     */
    private static final OplockWaitCompleteRoutine WAIT_COMPLETE = (context, irp) -> {
        FltCallbackData data = (FltCallbackData) context;
        data.ioStatus().set(irp.ioStatus().status(), 0);
        if (data.oplockCallActive) {
            data.oplockHandedBack = true;
            return;
        }
        callWaitRoutine(data);
    };

    private static void callWaitRoutine(FltCallbackData data) {
        FltOplockWaitCompleteRoutine routine = data.oplockWait;
        Object filterContext = data.oplockContext;
        data.oplockWait = null;
        data.oplockPrePost = null;
        data.oplockContext = null;
        routine.waitComplete(data, filterContext);
    }

    /** FsRtl's pre-post routine: the filter's PrePostCallbackDataRoutine, if it gave one. */
    private static final OplockFsPrepostIrp PRE_POST = (context, irp) -> {
        FltCallbackData data = (FltCallbackData) context;
        if (data.oplockPrePost != null) {
            data.oplockPrePost.prePost(data, data.oplockContext);
        }
    };

    /** The FsRtl routine sees the callback data's parameters in the IRP's current location, then the frame's again. */
    private static final class ParameterSwap {
        final IoStackLocation current;
        final IoStackLocation saved = new IoStackLocation();

        ParameterSwap(FltCallbackData data) {
            current = Io.getCurrentIrpStackLocation(data.irp);
            saved.copyParametersFrom(current);
            current.copyParametersFrom(data.iopb().parameters());
        }

        void restore() {
            current.copyParametersFrom(saved);
        }
    }

    private static void observe(Oplock oplock, FltCallbackData data) {
        if (data.frame.oplockObserver() != null) {
            FsRtl.observeOplock(oplock, data.frame.oplockObserver());
        }
    }

    static int oplockFsctrlEx(Oplock oplock, FltCallbackData data, int openCount, int flags) {
        observe(oplock, data);
        Irp irp = data.irp;
        ParameterSwap swap = new ParameterSwap(data);
        int status;
        data.oplockCallActive = true;
        data.oplockHandedBack = false;
        try {
            status = FsRtl.oplockFsctrlEx(oplock, irp, openCount, flags, data);
        } finally {
            data.oplockCallActive = false;
            swap.restore();
        }
        if (status == NtStatus.STATUS_PENDING && data.oplockHandedBack) {
            // Kept and handed back at once (the IRP was cancelled while a filter above held it): the request
            // is over before the filter could pend it (FsRtlOplockFsctrl: STATUS_CANCELLED).
            data.oplockHandedBack = false;
            data.ioStatus().copyFrom(irp.ioStatus());
            return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
        }
        if (status == NtStatus.STATUS_PENDING) {
            return FltPreopCallbackStatus.FLT_PREOP_PENDING;
        }
        if (data.iopb().majorFunction() == IrpMajorFunction.IRP_MJ_CREATE) {
            data.ioStatus().set(status, 0);
        } else {
            data.ioStatus().copyFrom(irp.ioStatus());
        }
        return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
    }

    static final int CHECK = 0;
    static final int BREAK_H = 1;
    static final int BREAK_TO_NONE = 2;

    /** FltCheckOplockEx, FltOplockBreakH and FltOplockBreakToNoneEx. */
    static int check(int which, Oplock oplock, FltCallbackData data, int flags, Object context,
            FltOplockWaitCompleteRoutine waitCompletionRoutine, FltOplockPrePostCallbackDataRoutine prePostRoutine) {
        observe(oplock, data);
        data.oplockWait = waitCompletionRoutine;
        data.oplockPrePost = prePostRoutine;
        data.oplockContext = context;
        OplockWaitCompleteRoutine completion = waitCompletionRoutine == null ? null : WAIT_COMPLETE;
        ParameterSwap swap = new ParameterSwap(data);
        int status;
        data.oplockCallActive = true;
        data.oplockHandedBack = false;
        try {
            switch (which) {
                case BREAK_H:
                    status = FsRtl.oplockBreakH(oplock, data.irp, flags, data, completion, PRE_POST);
                    break;
                case BREAK_TO_NONE:
                    status = FsRtl.oplockBreakToNoneEx(oplock, data.irp, flags, data, completion, PRE_POST);
                    break;
                default:
                    status = FsRtl.checkOplockEx(oplock, data.irp, flags, data, completion, PRE_POST);
                    break;
            }
        } finally {
            data.oplockCallActive = false;
            swap.restore();
        }
        if (status == NtStatus.STATUS_PENDING) {
            if (data.oplockHandedBack) {
                data.oplockHandedBack = false;
                deferWaitRoutine(data);
            }
            return FltPreopCallbackStatus.FLT_PREOP_PENDING;
        }
        data.oplockWait = null;
        data.oplockPrePost = null;
        data.oplockContext = null;
        data.ioStatus().set(status, 0);
        if (status == NtStatus.STATUS_SUCCESS || status == NtStatus.STATUS_OPLOCK_BREAK_IN_PROGRESS) {
            return FltPreopCallbackStatus.FLT_PREOP_SUCCESS_WITH_CALLBACK;
        }
        return FltPreopCallbackStatus.FLT_PREOP_COMPLETE;
    }

    /** The wait ended inside the Flt routine: the filter's routine runs once the operation is pended. */
    private static void deferWaitRoutine(FltCallbackData data) {
        IoSystem io = data.frame.ioSystem();
        if (io == null) {
            callWaitRoutine(data);
            return;
        }
        io.queueWorkItem(Math.max(0, io.currentDispatcher()), context -> callWaitRoutine(data), null);
    }

    static boolean isSharedRequest(FltCallbackData data) {
        ParameterSwap swap = new ParameterSwap(data);
        try {
            return FsRtl.oplockIsSharedRequest(data.irp);
        } finally {
            swap.restore();
        }
    }
}
