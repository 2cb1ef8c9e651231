package org.irpemu.fsrtl;

import org.irpemu.irp.FileObject;
import org.irpemu.irp.Irp;

/**
 * Watches one oplock package instance: every grant, refusal, break, parked and released operation,
 * acknowledgment, cancellation and state change, with the rule that caused it. Called on the
 * dispatcher thread, synchronously; must not call back into the oplock package. The package formats
 * {@code detail} only when an observer is installed.
 */
@FunctionalInterface
public interface OplockObserver {
    /** What happened. */
    enum Kind {
        GRANTED, REFUSED, BREAK, PARKED, RELEASED, ACKNOWLEDGED, CANCELLED, STATE
    }

    /**
     * @param kind what happened
     * @param oplock the oplock
     * @param open the handle concerned (the holder of a break, the caller of a request), or {@code null}
     * @param irp the IRP concerned (the oplock request completed by a break, the parked operation), or {@code null}
     * @param detail a short description, for example {@code RWH -> RH, ack required}
     * @param rule why
     */
    void onEvent(Kind kind, Oplock oplock, FileObject open, Irp irp, String detail, OplockRule rule);
}
