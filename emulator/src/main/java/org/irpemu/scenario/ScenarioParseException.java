package org.irpemu.scenario;

/** A scenario file could not be parsed; the message is {@code file:line: what is wrong}. */
public final class ScenarioParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScenarioParseException(String message) {
        super(message);
    }
}
