package org.irpemu.irp;

/** {@code IO_WORKITEM_ROUTINE}: the routine of a queued work item, run on a dispatcher thread. */
@FunctionalInterface
public interface IoWorkItemRoutine {
    void run(Object context);
}
