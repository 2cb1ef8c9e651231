package org.irpemu.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.irpemu.SharedData;
import org.irpemu.emulator.FilterCatalog;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One test per scenario file: the public conformance suite in {@code ../shared/conformance} (skipped
 * where the shared material is absent) and the project's own collection in {@code examples/scenarios};
 * both again on three dispatcher threads, where streams, their parents and rename targets land on
 * different threads and every result must stay the same.
 */
class ConformanceTest {
    private static final int SPREAD_DISPATCHERS = 3;

    private static Path projectScenarioDir() {
        return Path.of("").toAbsolutePath().getParent().resolve("examples/scenarios");
    }

    private static Stream<DynamicTest> scenarios(Path dir) throws IOException {
        return scenarios(dir, 1);
    }

    private static Stream<DynamicTest> scenarios(Path dir, int dispatchers) throws IOException {
        return scenarios(dir, new ScenarioRunner.Options().quiet(true).dispatchers(dispatchers));
    }

    private static Stream<DynamicTest> scenarios(Path dir, ScenarioRunner.Options options) throws IOException {
        ScenarioRunner runner = new ScenarioRunner(options);
        List<Path> files = ScenarioRunner.expand(dir);
        assertThat(files).as("scenario files in " + dir).isNotEmpty();
        return files.stream().map(file -> DynamicTest.dynamicTest(dir.relativize(file).toString(), file.toUri(), () -> {
            ScenarioRunner.FileResult result = runner.runFile(file);
            assertThat(result.failures()).as(String.join("\n", result.output())).isEmpty();
            assertThat(result.passed()).isTrue();
        }));
    }

    @TestFactory
    Stream<DynamicTest> publicConformanceSuite() throws IOException {
        return scenarios(SharedData.require("conformance"));
    }

    @TestFactory
    Stream<DynamicTest> projectScenarios() throws IOException {
        return scenarios(projectScenarioDir());
    }

    @TestFactory
    Stream<DynamicTest> publicConformanceSuiteOnSeveralDispatchers() throws IOException {
        return scenarios(SharedData.require("conformance"), SPREAD_DISPATCHERS);
    }

    @TestFactory
    Stream<DynamicTest> projectScenariosOnSeveralDispatchers() throws IOException {
        return scenarios(projectScenarioDir(), SPREAD_DISPATCHERS);
    }

    /**
     * Every sample minifilter of the catalog in the stack, under the verifier (which every scenario run
     * has, and whose failures fail the file): a filter must not change oplock semantics unless it means to.
     */
    @TestFactory
    Stream<DynamicContainer> publicConformanceSuiteWithEverySample() throws IOException {
        Path dir = SharedData.require("conformance");
        List<DynamicContainer> containers = new ArrayList<>();
        for (FilterCatalog.Entry entry : FilterCatalog.all().values()) {
            containers.add(DynamicContainer.dynamicContainer(entry.name(),
                    scenarios(dir, new ScenarioRunner.Options().quiet(true).attach(entry.name()))));
        }
        return containers.stream();
    }
}
