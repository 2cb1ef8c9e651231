package org.irpemu.replay;

/** The input cannot be read as a Process Monitor CSV export (missing columns, unreadable file). */
public final class ProcmonFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProcmonFormatException(String message) {
        super(message);
    }

    public ProcmonFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
