package org.irpemu.bench;

import java.util.Locale;

/**
 * Durations as the command line writes them: a decimal number and a unit, {@code ns}, {@code us},
 * {@code ms}, {@code s}, {@code m} or {@code h} ({@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 1m}).
 */
public final class Durations {
    private Durations() {
    }

    /**
     * @param text a duration such as {@code 500ms}, {@code 5s} or {@code 1m}
     * @return the duration, ns (0 or more)
     * @throws IllegalArgumentException when the text is not a number followed by one of the units, is
     *     negative, or exceeds about 292 years
     */
    public static long parseNanos(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        String number = t.substring(0, i);
        String unit = t.substring(i).trim();
        long scale;
        switch (unit) {
            case "ns": scale = 1L; break;
            case "us": case "µs": scale = 1_000L; break;
            case "ms": scale = 1_000_000L; break;
            case "s": scale = 1_000_000_000L; break;
            case "m": case "min": scale = 60_000_000_000L; break;
            case "h": scale = 3_600_000_000_000L; break;
            default: throw malformed(text);
        }
        double value;
        try {
            value = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw malformed(text);
        }
        double nanos = value * scale;
        if (!(nanos >= 0) || nanos >= Long.MAX_VALUE) {
            throw malformed(text);
        }
        return Math.round(nanos);
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("malformed duration '" + text
                + "': use a number with a unit ns, us, ms, s, m or h, e.g. 500ms, 5s, 1m");
    }

    /** Three significant digits for a value from 1 to 999.9. */
    private static String digits(double v) {
        return v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f";
    }

    /** @return a short human form of a duration in ns: {@code 812 ns}, {@code 21.5 us}, {@code 1.20 ms}, {@code 5.00 s} */
    public static String format(long nanos) {
        double v = nanos;
        if (nanos < 1_000L) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000L) {
            return String.format(Locale.ROOT, digits(v / 1e3) + " us", v / 1e3);
        }
        if (nanos < 1_000_000_000L) {
            return String.format(Locale.ROOT, digits(v / 1e6) + " ms", v / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", v / 1e9);
    }
}
