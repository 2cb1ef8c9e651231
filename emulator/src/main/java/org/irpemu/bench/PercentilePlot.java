package org.irpemu.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A latency-by-percentile plot as a standalone SVG document: the x axis is the percentile on a "nines"
 * scale (x = log10(1 / (1 - p)), so 90%, 99%, 99.9% ... are evenly spaced), the y axis the latency on a
 * log scale; one line per histogram, which ends with its maximum at the percentile 1 - 1/count (a
 * histogram of n values says nothing finer).
 */
public final class PercentilePlot {
    /** One line of the plot. */
    public static final class Series {
        final String name;
        final Histogram histogram;

        /** @param histogram values in ns */
        public Series(String name, Histogram histogram) {
            this.name = name;
            this.histogram = histogram;
        }
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#7f7f7f", "#9467bd", "#ff7f0e"};
    private static final int WIDTH = 860;
    private static final int HEIGHT = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 240;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private PercentilePlot() {
    }

    /** @return the plot of a run: breakNotify, roundTrip, operation and the baseline */
    public static String render(BenchResult r) {
        BenchOptions o = r.options();
        String title = String.format(Locale.ROOT, "irpemu bench %s, %,d ops/s, %d client(s), %d dispatcher(s) (%s),"
                + " %d filter(s)", o.workload().cliName(), o.rate(), o.clients(), o.dispatchers(),
                WaitStrategies.name(o.waitStrategy()), o.filters());
        List<Series> series = new ArrayList<>();
        series.add(new Series("breakNotify", r.breakNotify()));
        series.add(new Series("roundTrip", r.roundTrip()));
        series.add(new Series("operation", r.operation()));
        series.add(new Series("baseline (Disruptor ping-pong)", r.baseline()));
        return render(title, series);
    }

    /** @return an SVG document (UTF-8 text) plotting every non-empty series */
    public static String render(String title, List<Series> series) {
        long lo = Long.MAX_VALUE;
        long hi = 1;
        long maxCount = 1;
        for (Series s : series) {
            if (s.histogram.getTotalCount() > 0) {
                lo = Math.min(lo, Math.max(1, s.histogram.getMinValue()));
                hi = Math.max(hi, s.histogram.getMaxValue());
                maxCount = Math.max(maxCount, s.histogram.getTotalCount());
            }
        }
        if (lo == Long.MAX_VALUE) {
            lo = 1;
        }
        int yMin = (int) Math.floor(Math.log10(lo));
        int yMax = Math.max(yMin + 1, (int) Math.ceil(Math.log10(hi)));
        int xMax = Math.max(2, Math.min(6, (int) Math.ceil(Math.log10(maxCount))));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;

        StringBuilder svg = new StringBuilder(16 * 1024);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        // Grid and tick labels: one vertical line per nine, one horizontal line per decade of latency.
        for (int x = 0; x <= xMax; x++) {
            double px = LEFT + plotW * x / xMax;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    px, TOP, px, HEIGHT - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, HEIGHT - BOTTOM + 18, escape(ninesLabel(x))));
        }
        for (int y = yMin; y <= yMax; y++) {
            double py = TOP + plotH * (yMax - y) / (yMax - yMin);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, LEFT + plotW, py));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, py + 4, escape(Durations.format(pow10(y)))));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\""
                + " stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\""
                + " text-anchor=\"middle\">latency (log scale)</text>%n", TOP + plotH / 2));

        int k = 0;
        for (Series s : series) {
            if (s.histogram.getTotalCount() == 0) {
                continue;
            }
            String colour = COLOURS[k % COLOURS.length];
            // A histogram of n values says nothing beyond the 1 - 1/n percentile: its maximum goes there.
            double cap = Math.min(xMax, Math.max(1, Math.log10(s.histogram.getTotalCount())));
            StringBuilder points = new StringBuilder();
            for (HistogramIterationValue v : s.histogram.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                double nines = p >= 1.0 ? cap : Math.min(cap, Math.log10(1 / (1 - p)));
                double value = Math.max(1, s.histogram.highestEquivalentValue(v.getValueIteratedTo()));
                double px = LEFT + plotW * nines / xMax;
                double py = TOP + plotH * (yMax - Math.log10(value)) / (yMax - yMin);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                    + " points=\"%s\"/>%n", colour, points.toString().trim()));
            double ly = TOP + 10 + 36 * k;
            double lx = WIDTH - RIGHT + 16;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\""
                    + " stroke-width=\"2\"/>%n", lx, ly, lx + 20, ly, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\">%s</text>%n", lx + 26, ly + 4,
                    escape(s.name)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" fill=\"#555\">p50 %s, max %s</text>%n",
                    lx + 26, ly + 18, escape(Durations.format(s.histogram.getValueAtPercentile(50))),
                    escape(Durations.format(s.histogram.getMaxValue()))));
            k++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String ninesLabel(int nines) {
        switch (nines) {
            case 0: return "0%";
            case 1: return "90%";
            case 2: return "99%";
            default:
                return "99." + "9".repeat(nines - 2) + "%";
        }
    }

    private static long pow10(int exponent) {
        long v = 1;
        for (int i = 0; i < exponent; i++) {
            v *= 10;
        }
        return v;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
