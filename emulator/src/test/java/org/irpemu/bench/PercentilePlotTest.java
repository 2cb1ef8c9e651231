package org.irpemu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class PercentilePlotTest {
    @Test
    void drawsOneLinePerNonEmptyHistogramAsWellFormedSvg() throws Exception {
        Histogram a = LatencyRecorder.newHistogram();
        Histogram b = LatencyRecorder.newHistogram();
        for (int i = 1; i <= 10_000; i++) {
            a.recordValue(500 + i % 100);
            b.recordValue(10_000L * (1 + i % 7));
        }
        String svg = PercentilePlot.render("a <title> & more", List.of(new PercentilePlot.Series("a", a),
                new PercentilePlot.Series("b", b), new PercentilePlot.Series("empty", LatencyRecorder.newHistogram())));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("99.99%", "a &lt;title&gt; &amp; more");
    }
}
