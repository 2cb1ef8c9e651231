package org.irpemu.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One latency metric of a run: an HdrHistogram {@link Recorder} that any number of threads record into
 * without locks or allocation, and the running total that {@link #sampleInterval()} accumulates.
 * Values are ns, from 1 ns to {@link #HIGHEST_TRACKABLE_NANOS} with 3 significant digits; larger values
 * are recorded as the highest trackable value, negative ones as 0.
 *
 * <p>Only one thread at a time may call {@link #sampleInterval()} and {@link #total()} (the progress
 * reporter, then the run's owner once the reporter has stopped).
 */
public final class LatencyRecorder {
    /** The highest value recorded exactly: 10 minutes, in ns. */
    public static final long HIGHEST_TRACKABLE_NANOS = 600_000_000_000L;
    /** Significant decimal digits kept for every value. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private final String name;
    private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    private final Histogram total = newHistogram();
    private Histogram interval;

    /** @param name the metric's name in reports ({@code roundTrip}, {@code breakNotify}, ...) */
    public LatencyRecorder(String name) {
        this.name = name;
    }

    /** @return a histogram with this class's range and precision (ns) */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    }

    /** @return the metric's name */
    public String name() {
        return name;
    }

    /** Records one latency, ns; thread-safe, wait-free, allocation-free. */
    public void record(long nanos) {
        recorder.recordValue(nanos < 0 ? 0 : Math.min(nanos, HIGHEST_TRACKABLE_NANOS));
    }

    /**
     * Takes the values recorded since the previous call, adds them to the total and returns them.
     *
     * @return the interval's histogram (ns); reused by the next call, so read it before calling again
     */
    public Histogram sampleInterval() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** @return every value sampled so far (ns); call {@link #sampleInterval()} first to include the latest */
    public Histogram total() {
        return total;
    }
}
