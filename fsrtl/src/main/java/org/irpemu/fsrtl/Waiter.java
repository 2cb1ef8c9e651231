package org.irpemu.fsrtl;

import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;

/**
 * An operation parked on the oplock's {@code WaitList} (MS-FSA 2.1.4.12 WaitForBreak) with the
 * routine that resumes it, or an FSCTL_OPLOCK_BREAK_NOTIFY request waiting for the break to end.
 */
final class Waiter extends OplockList.Node<Waiter> {
    FileObject open;
    Irp irp;
    OplockWaitCompleteRoutine routine;
    Object context;
    boolean breakNotify;
    Oplock oplock;
    /** For a break-notify request: hands {@link #irp} back; {@code null}: IoCompleteRequest. */
    OplockIrpCompleter completer;

    Waiter set(Oplock oplock, FileObject open, Irp irp, OplockWaitCompleteRoutine routine, Object context,
            boolean breakNotify, OplockIrpCompleter completer) {
        this.oplock = oplock;
        this.completer = completer;
        this.open = open;
        this.irp = irp;
        this.routine = routine;
        this.context = context;
        this.breakNotify = breakNotify;
        return this;
    }
}
