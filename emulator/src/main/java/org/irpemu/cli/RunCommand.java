package org.irpemu.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.irpemu.scenario.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code irpemu run FILE_OR_DIR... [--quiet] [--explain] [--attach NAME[@ALTITUDE]] [--dispatchers N]}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs .scenario files (directories recursively, in name order) and checks their",
            "expectations. Prints the trace of each file, PASS or FAIL with the failing lines, and",
            "'N passed, M failed'. Exit status: 0 all passed, 1 an expectation failed, 2 a file could not",
            "be parsed (file:line: message; nothing of that file runs)."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "scenario files or directories")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--quiet", description = "print only PASS/FAIL lines and the summary")
    boolean quiet;

    @Option(names = "--explain", description = "follow every oplock decision with the MS-FSA section or WDK page"
            + " and the condition that caused it")
    boolean explain;

    @Option(names = "--attach", paramLabel = "NAME[@ALTITUDE]",
            description = "attach a minifilter (see 'irpemu filters') to every scenario")
    List<String> attach = new ArrayList<>();

    @Option(names = "--dispatchers", paramLabel = "N", defaultValue = "1",
            description = "dispatcher threads, 1 to 64 (default: ${DEFAULT-VALUE}); results must not depend on it")
    int dispatchers;

    @Override
    public Integer call() {
        if (dispatchers < 1 || dispatchers > 64) {
            System.err.println("irpemu run: --dispatchers must be 1 to 64, not " + dispatchers);
            return 2;
        }
        ScenarioRunner.Options options = new ScenarioRunner.Options().quiet(quiet).explain(explain)
                .dispatchers(dispatchers);
        attach.forEach(options::attach);
        return new ScenarioRunner(options).run(inputs, System.out);
    }
}
