package org.irpemu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.irpemu.bench.Json;
import org.irpemu.bench.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code irpemu bench}: the JSON users script against, the files it writes, and its answer to bad input. */
class BenchCommandTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private String out() {
        return console.out();
    }

    private String err() {
        return console.err();
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    @SuppressWarnings("unchecked")
    void jsonHoldsThroughputAndOrderedPercentiles(Workload w) throws Exception {
        assertThat(IrpemuCommand.execute("bench", "--workload", w.cliName(), "--duration", "300ms", "--json"))
                .as(err()).isZero();
        assertThat(out().strip().lines()).as("stdout is one JSON object on one line").hasSize(1);
        Map<String, Object> json = Json.parseObject(out());
        assertThat(json.get("workload")).isEqualTo(w.cliName());
        assertThat(((Number) json.get("throughput")).doubleValue()).isPositive();
        assertThat(((Number) json.get("operations")).longValue()).isPositive();
        assertThat(json).containsKeys("rate", "clients", "dispatchers", "filters", "waitStrategy", "missed");
        for (String metric : List.of("breakNotify", "roundTrip", "baseline")) {
            Map<String, Object> m = (Map<String, Object>) json.get(metric);
            assertThat(m).as(metric).containsKeys("p50", "p90", "p99", "p999", "p9999", "max");
            long[] v = new long[6];
            int i = 0;
            for (String p : List.of("p50", "p90", "p99", "p999", "p9999", "max")) {
                v[i++] = ((Number) m.get(p)).longValue();
            }
            assertThat(v).as(metric + " percentiles").isSorted();
            assertThat(v[0]).as(metric + " p50").isPositive();
        }
        assertThat(err()).as("progress goes to stderr").contains("bench " + w.cliName());
        Map<String, Object> cpu = (Map<String, Object>) json.get("cpu");
        assertThat(cpu).containsKeys("wallNs", "processNs", "processCores", "processPerOperationNs", "dispatchersNs",
                "dispatcherCores", "dispatchersPerOperationNs");
        assertThat(((Number) cpu.get("processCores")).doubleValue()).isPositive();
        assertThat(((Number) cpu.get("dispatchersNs")).longValue()).isPositive()
                .isLessThanOrEqualTo(((Number) cpu.get("processNs")).longValue());
    }

    @Test
    void hgrmAndSvgFilesParse(@TempDir Path dir) throws Exception {
        Path hgrm = dir.resolve("hgrm");
        Path svg = dir.resolve("plot.svg");
        assertThat(IrpemuCommand.execute("bench", "--duration", "300ms", "--warmup", "100ms", "--quiet",
                "--hgrm", hgrm.toString(), "--svg", svg.toString())).as(err()).isZero();
        assertThat(out()).contains("breakNotify", "roundTrip", "baseline (Disruptor ping-pong)", "ops/s");
        assertThat(err()).isEmpty();
        for (String name : List.of("breakNotify", "roundTrip", "operation", "baseline")) {
            Path f = hgrm.resolve("conflict-" + name + ".hgrm");
            List<String> lines = Files.readAllLines(f);
            assertThat(lines.get(0)).as(f.toString()).contains("Value", "Percentile", "TotalCount", "1/(1-Percentile)");
            assertThat(String.join("\n", lines)).contains("#[Mean", "#[Max", "Total count", "#[Buckets");
        }
        assertThat(DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(svg))).getDocumentElement().getTagName())
                .isEqualTo("svg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--workload=nope", "--duration=5", "--duration=soon", "--rate=0", "--rate=-3",
        "--rate=fast", "--dispatchers=0", "--dispatchers=65", "--clients=0", "--wait-strategy=spin",
        "--filters=-1", "--readers=0", "--warmup=1x", "--no-such-option"})
    void badInputExitsTwoWithOneLine(String arg) {
        assertThat(IrpemuCommand.execute("bench", arg)).isEqualTo(2);
        assertThat(out()).isEmpty();
        assertThat(err().strip().lines()).singleElement().asString().startsWith("irpemu bench: ")
                .doesNotContain("Exception");
    }

    @Test
    void svgIntoAMissingDirectoryIsBadInput(@TempDir Path dir) {
        assertThat(IrpemuCommand.execute("bench", "--svg", dir.resolve("no/such/plot.svg").toString())).isEqualTo(2);
        assertThat(err().strip().lines()).singleElement().asString().contains("--svg");
    }

    @Test
    void helpListsEveryWorkload() {
        assertThat(IrpemuCommand.execute("bench", "--help")).isZero();
        for (Workload w : Workload.values()) {
            assertThat(out()).contains(w.cliName());
        }
        assertThat(out()).contains("--rate", "--duration", "--clients", "--dispatchers", "--wait-strategy",
                "--filters", "--hgrm", "--svg", "--json");
    }
}
