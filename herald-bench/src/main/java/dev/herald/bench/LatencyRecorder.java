package dev.herald.bench;

import java.util.Arrays;

/** Collects latencies (nanoseconds) and reports percentiles in milliseconds. */
final class LatencyRecorder {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void record(long nanos) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = nanos;
    }

    record Summary(int count, double p50, double p99, double max) {}

    synchronized Summary summary() {
        if (size == 0) return new Summary(0, Double.NaN, Double.NaN, Double.NaN);
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        return new Summary(size, ms(sorted[(int) (size * 0.50)]), ms(sorted[Math.min(size - 1, (int) (size * 0.99))]),
                ms(sorted[size - 1]));
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
