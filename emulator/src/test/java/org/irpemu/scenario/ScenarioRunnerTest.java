package org.irpemu.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's contract: verdict lines, the summary line, exit statuses, nothing run from a bad file. */
class ScenarioRunnerTest {
    @TempDir
    Path dir;

    private int run(ScenarioRunner.Options options, ByteArrayOutputStream out, Path... inputs) {
        return new ScenarioRunner(options).run(List.of(inputs), new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void passingFilesExitZeroWithSummary() throws IOException {
        write("a/1.scenario", "create h a.txt\no: fsctl h FSCTL_REQUEST_OPLOCK level=RH -> STATUS_PENDING\n");
        write("a/2.scenario", "create h b.txt\nclose h -> STATUS_SUCCESS\n");
        write("a/ignored.txt", "not a scenario");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(new ScenarioRunner.Options(), out, dir.resolve("a"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(text).contains("PASS " + dir.resolve("a/1.scenario"), "PASS " + dir.resolve("a/2.scenario"));
        assertThat(text.indexOf("1.scenario")).isLessThan(text.indexOf("2.scenario"));
        assertThat(text.strip().lines().reduce((x, y) -> y).orElse("")).isEqualTo("2 passed, 0 failed");
        assertThat(text).contains("-> IRP_MJ_CREATE \\a.txt");
    }

    @Test
    void failedExpectationExitsOneAndNamesTheLine() throws IOException {
        Path f = write("f.scenario", "create h a.txt\nread h -> STATUS_SUCCESS\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(new ScenarioRunner.Options().quiet(true), out, f);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(text).contains("FAIL " + f, f + ":2: read h -> STATUS_SUCCESS: status STATUS_END_OF_FILE"
                + " (expected STATUS_SUCCESS)");
        assertThat(text).endsWith("0 passed, 1 failed" + System.lineSeparator());
        assertThat(text).doesNotContain("IRP_MJ_CREATE");
    }

    @Test
    void unparsableFileExitsTwoAndRunsNothingOfIt() throws IOException {
        Path bad = write("bad.scenario", "create h a.txt\nfsctl h FSCTL_REQUEST_OPLOCK level=Q\n");
        Path good = write("good.scenario", "create h a.txt -> STATUS_SUCCESS\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(new ScenarioRunner.Options(), out, bad, good);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(text).contains(bad + ":2: an oplock level is letters from R, W, H or NONE, not 'Q'");
        assertThat(text).contains("PASS " + good).endsWith("1 passed, 1 failed" + System.lineSeparator());
        assertThat(text.substring(0, text.indexOf("=== " + good))).doesNotContain("IRP_MJ_CREATE");
    }

    @Test
    void cancellingACompletedStepFailsAtThatLine() throws IOException {
        Path f = write("c.scenario", "create h a.txt\nr: read h\ncancel r\n");
        ScenarioRunner.FileResult r = new ScenarioRunner(new ScenarioRunner.Options().quiet(true)).runFile(f);
        assertThat(r.passed()).isFalse();
        assertThat(r.failures()).singleElement().asString().startsWith(f + ":3: cancel r: step 'r' already completed");
    }

    @Test
    void explainNamesTheRuleBehindABreak() {
        ScenarioRunner.FileResult r = new ScenarioRunner(new ScenarioRunner.Options().explain(true)).runText("x",
                "create h1 a.txt access=FILE_READ_DATA|FILE_WRITE_DATA\n"
                        + "o: fsctl h1 FSCTL_REQUEST_OPLOCK level=RWH\n"
                        + "create h2 a.txt access=FILE_READ_DATA\n");
        assertThat(r.passed()).isTrue();
        assertThat(String.join("\n", r.output())).contains("break      h1 RWH -> RH, ack required",
                "why:     MS-FSA 2.1.4.12 (R|W|H|EXCLUSIVE, BreakCacheState = W)");
    }

    @Test
    void missingInputExitsTwo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(new ScenarioRunner.Options(), out, dir.resolve("nope"))).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("no such file or directory");
    }
}
