package dev.herald.bench;

import java.util.Arrays;

/** Collects latencies (nanoseconds) with when each began, and reports percentiles in milliseconds. */
final class LatencyRecorder {
    private long[] values = new long[1 << 16];
    private long[] starts = new long[1 << 16];
    private int size;

    synchronized void record(long startNanos, long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
            starts = Arrays.copyOf(starts, size * 2);
        }
        starts[size] = startNanos;
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

    /**
     * Whether the slowest 1% came in bursts (stalls) or spread out (queueing): the share of them that began in the
     * worst {@code windows} 100 ms windows, e.g. "slowest 1% (>12.3 ms): 80% within 3 windows of 100 ms".
     */
    synchronized String tailConcentration(int windows) {
        if (size < 100) return "too few samples";
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        long threshold = sorted[Math.min(size - 1, (int) (size * 0.99))];
        long first = Arrays.stream(starts, 0, size).min().orElse(0);
        var perWindow = new java.util.HashMap<Long, Integer>();
        int slow = 0;
        for (int i = 0; i < size; i++) {
            if (values[i] < threshold) continue;
            slow++;
            perWindow.merge((starts[i] - first) / 100_000_000L, 1, Integer::sum);
        }
        var worst = perWindow.entrySet().stream().sorted(java.util.Map.Entry.<Long, Integer>comparingByValue().reversed())
                .limit(windows).toList();
        int inWorst = worst.stream().mapToInt(java.util.Map.Entry::getValue).sum();
        String at = worst.stream().map(e -> String.format("%.1f s", e.getKey() / 10.0)).collect(java.util.stream.Collectors.joining(", "));
        return String.format("slowest 1%% (>= %.1f ms) began in %d windows of 100 ms, %d%% of them in the worst %d (at %s)",
                ms(threshold), perWindow.size(), 100 * inWorst / slow, windows, at);
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
