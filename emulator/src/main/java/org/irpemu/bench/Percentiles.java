package org.irpemu.bench;

import org.HdrHistogram.Histogram;

/**
 * The percentiles every report shows, read from an HdrHistogram (ns): p50, p90, p99, p99.9, p99.99 and
 * the maximum, with the names the JSON report uses.
 */
public final class Percentiles {
    /** JSON names, in order. */
    public static final String[] NAMES = {"p50", "p90", "p99", "p999", "p9999", "max"};
    /** Column headers of the text report, in order. */
    public static final String[] LABELS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};
    /** The percentiles, in order; 100 is the maximum. */
    public static final double[] LEVELS = {50, 90, 99, 99.9, 99.99, 100};

    private Percentiles() {
    }

    /** @return the values at {@link #LEVELS}, ns; zeros for an empty histogram */
    public static long[] of(Histogram h) {
        long[] v = new long[LEVELS.length];
        if (h.getTotalCount() == 0) {
            return v;
        }
        for (int i = 0; i < LEVELS.length; i++) {
            v[i] = LEVELS[i] >= 100 ? h.getMaxValue() : h.getValueAtPercentile(LEVELS[i]);
        }
        return v;
    }
}
