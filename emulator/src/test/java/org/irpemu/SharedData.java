package org.irpemu;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the material shared by every developer and CI run lives: {@code ../shared} beside the checkout.
 * Tests that need it skip, with a message, where it is absent.
 */
public final class SharedData {
    private SharedData() {
    }

    /** @return {@code ../shared} seen from the repository root (the parent of the module directory) */
    public static Path root() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("conformance"))) {
                return candidate;
            }
        }
        return here.resolveSibling("shared");
    }

    /** Skips the calling test unless {@code ../shared/<relative>} exists. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "../shared/" + relative + " is absent: this test needs the shared"
                + " material beside the checkout (see DEVELOPERS.md); skipped");
        return p;
    }
}
