package dev.herald.metrics;

import dev.herald.store.HealthStore;
import dev.herald.store.HealthStore.Snapshot;
import dev.herald.store.SharedRead;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue's backlog and lag and the failing endpoints as gauges, and for the dashboard: read from the database at
 * most once per {@link #FRESH_FOR} however often they are scraped, since every node answers for the whole queue.
 */
public final class HealthGauges {
    static final Duration FRESH_FOR = Duration.ofSeconds(5);
    /**
     * How long a scrape waits for the database: half of Prometheus's default scrape timeout, so a database that stopped
     * answering makes the gauges NaN (and herald_database_reachable say why) instead of the whole node's scrape fail.
     */
    static final Duration PATIENCE = Duration.ofSeconds(5);
    private final Clock clock;
    private final SharedRead<Snapshot> reads;
    /** Guards the fields below; never held while the database is read (see {@link SharedRead}). */
    private final ReentrantLock lock = new ReentrantLock();
    private Snapshot last;
    private Instant readAt;
    private RuntimeException failure;
    private Instant failedAt;

    public HealthGauges(HealthStore store, Clock clock) {
        this(store, clock, PATIENCE);
    }

    HealthGauges(HealthStore store, Clock clock, Duration patience) {
        this.clock = clock;
        this.reads = new SharedRead<>(() -> store.snapshot(clock.instant()), patience);
    }

    public HealthGauges register(MeterRegistry registry) {
        // strong references: Micrometer holds a gauge's object weakly, and on a node without the API (no dashboard to
        // hold this) the gauges read NaN after the first full collection
        gauge(registry, "herald.queue.due", Snapshot::due,
                "deliveries due now and not yet sent (counted up to " + HealthStore.COUNT_CAP + "; paused endpoints' left out)");
        Gauge.builder("herald.queue.lag", this, g -> g.read(Snapshot::lagSeconds)).baseUnit("seconds").strongReference(true)
                .description("how long the delivery due longest has waited (paused endpoints' left out)").register(registry);
        gauge(registry, "herald.queue.later", Snapshot::later, "deliveries waiting for a later time: retries, schedules, leases"
                + " (counted up to " + HealthStore.COUNT_CAP + ")");
        gauge(registry, "herald.endpoints.failing", Snapshot::failingEndpoints,
                "enabled endpoints whose attempts fail, with no success since");
        gauge(registry, "herald.endpoints.disabled", Snapshot::disabledEndpoints,
                "disabled endpoints: by an operator, by Herald after failing for HERALD_DISABLE_AFTER, or on a 410");
        gauge(registry, "herald.deletes.pending", Snapshot::deletesPending, "deleted endpoints, applications and pollers whose"
                + " deliveries, attempts, messages or entries are still being removed");
        return this;
    }

    private void gauge(MeterRegistry registry, String name, java.util.function.ToDoubleFunction<Snapshot> figure, String description) {
        Gauge.builder(name, this, g -> g.read(figure)).strongReference(true).description(description).register(registry);
    }

    /** One figure of the snapshot; NaN while the database cannot give one (no stack trace per gauge per scrape). */
    private double read(java.util.function.ToDoubleFunction<Snapshot> figure) {
        try {
            return figure.applyAsDouble(snapshot());
        } catch (RuntimeException unavailable) {
            return Double.NaN;
        }
    }

    /**
     * The latest snapshot, read again when older than {@link #FRESH_FOR} (counted from when the last read ended). One
     * read at a time: the six gauges of a scrape, and scrapes at once, wait for it rather than each reading the database,
     * for at most {@link #PATIENCE}; a read that failed or did not answer is not tried again for {@link #FRESH_FOR}
     * either (its failure is thrown again at once).
     */
    public Snapshot snapshot() {
        lock.lock();
        try {
            var now = clock.instant();
            if (failedAt != null && !failedAt.plus(FRESH_FOR).isBefore(now) && !failedAt.isAfter(now)) throw failure;
            if (last != null && !readAt.plus(FRESH_FOR).isBefore(now) && !readAt.isAfter(now)) return last;
        } finally {
            lock.unlock();
        }
        Snapshot read;
        try {
            read = reads.get();
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) throw e; // this caller's stop, not the database's answer: not kept
            lock.lock();
            try {
                failure = e;
                failedAt = clock.instant();
            } finally {
                lock.unlock();
            }
            throw e;
        }
        lock.lock();
        try {
            last = read;
            readAt = clock.instant();
            failedAt = null;
            return read;
        } finally {
            lock.unlock();
        }
    }
}
