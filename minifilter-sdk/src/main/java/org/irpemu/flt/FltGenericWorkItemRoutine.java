package org.irpemu.flt;

/** {@code PFLT_GENERIC_WORKITEM_ROUTINE}: work a minifilter queued with {@code Flt.queueGenericWorkItem}. */
@FunctionalInterface
public interface FltGenericWorkItemRoutine {
    /**
     * @param instance the instance the work was queued for
     * @param context the context given when queueing
     */
    void run(FltInstance instance, Object context);
}
