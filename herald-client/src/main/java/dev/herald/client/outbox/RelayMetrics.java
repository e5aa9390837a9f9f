package dev.herald.client.outbox;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one relay since it started, for your metrics system to read (e.g. Micrometer
 * {@code FunctionCounter}s over {@link #snapshot()}). The backlog is {@link OutboxRelay#backlog()}.
 */
public final class RelayMetrics {
    /**
     * @param claimed    rows taken for publishing (a row retried counts each time)
     * @param sent       rows Herald accepted
     * @param duplicates of those, rows Herald already had (an earlier try got through): counted as sent
     * @param failures   tries that did not get a row accepted; it is retried later
     * @param purged     sent rows deleted after the retention period
     * @param lastError  the most recent failure, or null
     * @param lastSentAt when a row was last accepted, or null
     */
    public record Snapshot(long claimed, long sent, long duplicates, long failures, long purged, String lastError,
                           Instant lastSentAt) {}

    private final LongAdder claimed = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder purged = new LongAdder();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Instant> lastSentAt = new AtomicReference<>();

    void claimed(int rows) {
        claimed.add(rows);
    }

    void recorded(RelayOutcome outcome, Instant now) {
        switch (outcome) {
            case RelayOutcome.Sent s -> {
                sent.increment();
                if (s.duplicate()) duplicates.increment();
                lastSentAt.set(now);
            }
            case RelayOutcome.RetryAt r -> failed(r.reason());
        }
    }

    void failed(String reason) {
        failures.increment();
        lastError.set(reason);
    }

    void purged(int rows) {
        purged.add(rows);
    }

    public Snapshot snapshot() {
        return new Snapshot(claimed.sum(), sent.sum(), duplicates.sum(), failures.sum(), purged.sum(), lastError.get(),
                lastSentAt.get());
    }
}
