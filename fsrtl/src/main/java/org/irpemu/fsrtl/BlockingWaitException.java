package org.irpemu.fsrtl;

/**
 * Thrown where a Windows routine would block the calling thread (an oplock check without a
 * CompletionRoutine that must wait for a break): irpemu never blocks a dispatcher thread, so this is a
 * bug in the emulated driver. The verifier reports it as the rule "blocking wait on a dispatcher thread".
 */
public final class BlockingWaitException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BlockingWaitException(String message) {
        super(message);
    }
}
