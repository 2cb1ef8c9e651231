package org.irpemu.bench;

/**
 * A run could not go on: a request completed with a status the workload does not expect, or did not
 * complete within {@link Completions#TIMEOUT_NANOS} (the emulator hung). The message is one line.
 */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line saying which request of which workload went wrong */
    public BenchException(String message) {
        super(message);
    }
}
