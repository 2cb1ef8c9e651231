package org.irpemu.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code irpemu} command line. Without a subcommand it replays the Process Monitor capture shipped
 * with irpemu and prints how closely the emulator reproduced it.
 */
@Command(name = "irpemu", mixinStandardHelpOptions = true, version = "irpemu 0.1.0",
        description = {"An emulator of the Windows kernel I/O path for opportunistic locks.",
            "Without a command: replays the Process Monitor capture shipped with irpemu (an excerpt of a",
            "Windows 10 1709 capture holding its oplock sequences) and prints the summary."},
        subcommands = {ReplayCommand.class, RunCommand.class, StatusCommand.class, FiltersCommand.class,
            BenchCommand.class, CommandLine.HelpCommand.class})
public final class IrpemuCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return new ReplayCommand().replayBuiltIn();
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (for tests). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new IrpemuCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("irpemu: " + e.getMessage());
            return 2;
        });
        cl.setParameterExceptionHandler((e, strings) -> {
            CommandLine c = e.getCommandLine();
            if (c.getCommand() instanceof BenchCommand) {
                // bench promises one line for bad input (scripts read it); --help has the usage.
                c.getErr().println("irpemu bench: " + e.getMessage());
                return 2;
            }
            c.getErr().println("irpemu: " + e.getMessage());
            c.usage(c.getErr());
            return 2;
        });
        return cl.execute(args);
    }
}
