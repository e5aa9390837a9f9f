package dev.herald.client.outbox;

import java.time.Duration;

/**
 * How an {@link OutboxRelay} works. Every value has a named default; change one with its {@code with…} method.
 *
 * @param batchSize      rows claimed per statement
 * @param pollInterval   how often an idle relay looks for rows besides being woken by NOTIFY
 * @param lease          how long a claimed row is reserved; a relay killed mid-send leaves it due again after this
 * @param initialBackoff wait after a row's first failed publish, doubled per further failure
 * @param maxBackoff     longest wait between tries of one row (rows are never given up on)
 * @param retention      how long sent rows are kept before the purge deletes them
 * @param purgeInterval  how often the purge runs
 */
public record RelaySettings(int batchSize, Duration pollInterval, Duration lease, Duration initialBackoff,
                            Duration maxBackoff, Duration retention, Duration purgeInterval) {
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofHours(1);

    public static final RelaySettings DEFAULTS = new RelaySettings(DEFAULT_BATCH_SIZE, DEFAULT_POLL_INTERVAL,
            DEFAULT_LEASE, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_RETENTION, DEFAULT_PURGE_INTERVAL);

    public RelaySettings {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1");
        for (Duration d : new Duration[]{pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("durations must be > 0");
        }
    }

    public RelaySettings withBatchSize(int batchSize) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    public RelaySettings withPollInterval(Duration pollInterval) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    public RelaySettings withLease(Duration lease) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    public RelaySettings withBackoff(Duration initialBackoff, Duration maxBackoff) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    public RelaySettings withRetention(Duration retention) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    public RelaySettings withPurgeInterval(Duration purgeInterval) {
        return new RelaySettings(batchSize, pollInterval, lease, initialBackoff, maxBackoff, retention, purgeInterval);
    }

    /** Wait after the {@code attempts}-th failed try: initialBackoff doubled per earlier failure, capped. */
    Duration backoffAfter(int attempts) {
        long millis = initialBackoff.toMillis() << Math.min(Math.max(attempts - 1, 0), 30);
        return millis <= 0 || millis > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
    }
}
