package org.irpemu.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures {@code System.out} and {@code System.err} around each test of the class that registers it
 * ({@code @RegisterExtension final ConsoleCapture console = new ConsoleCapture();}), so that the command
 * line's outputs can be checked as the user sees them.
 */
final class ConsoleCapture implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @Override
    public void beforeEach(ExtensionContext context) {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    /** @return what the test printed to standard output so far */
    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed to standard output so far. */
    void resetOut() {
        out.reset();
    }

    /** @return what the test printed to standard error so far */
    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
