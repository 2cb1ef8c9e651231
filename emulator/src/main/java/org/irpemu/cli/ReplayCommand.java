package org.irpemu.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the replay lands. */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Replays a Process Monitor CSV export.")
public final class ReplayCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return replayBuiltIn();
    }

    int replayBuiltIn() {
        System.err.println("replay is not implemented yet");
        return 2;
    }
}
