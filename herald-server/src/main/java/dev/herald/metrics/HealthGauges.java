package dev.herald.metrics;

import dev.herald.store.HealthStore;
import dev.herald.store.HealthStore.Snapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The queue's backlog and lag and the failing endpoints as gauges, and for the dashboard: read from the database at
 * most once per {@link #FRESH_FOR} however often they are scraped, since every node answers for the whole queue.
 */
public final class HealthGauges {
    static final Duration FRESH_FOR = Duration.ofSeconds(5);
    private final HealthStore store;
    private final Clock clock;
    private volatile Snapshot last;

    public HealthGauges(HealthStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public HealthGauges register(MeterRegistry registry) {
        Gauge.builder("herald.queue.due", this, g -> g.snapshot().due())
                .description("deliveries due now and not yet sent (counted up to " + HealthStore.COUNT_CAP + ")")
                .register(registry);
        Gauge.builder("herald.queue.lag", this, g -> g.snapshot().lagSeconds()).baseUnit("seconds")
                .description("how long the delivery due longest has waited").register(registry);
        Gauge.builder("herald.queue.later", this, g -> g.snapshot().later())
                .description("deliveries waiting for a later time: retries, schedules, leases (counted up to "
                        + HealthStore.COUNT_CAP + ")")
                .register(registry);
        Gauge.builder("herald.endpoints.failing", this, g -> g.snapshot().failingEndpoints())
                .description("enabled endpoints whose attempts fail, with no success since").register(registry);
        Gauge.builder("herald.endpoints.disabled", this, g -> g.snapshot().disabledEndpoints())
                .description("disabled endpoints: by an operator, by Herald after failing for HERALD_DISABLE_AFTER, or on a 410").register(registry);
        Gauge.builder("herald.deletes.pending", this, g -> g.snapshot().deletesPending())
                .description("deleted endpoints, applications and pollers whose deliveries, attempts, messages or "
                        + "entries are still being removed").register(registry);
        return this;
    }

    /** The latest snapshot, read again when older than {@link #FRESH_FOR}. */
    public Snapshot snapshot() {
        var now = clock.instant();
        var current = last;
        if (current == null || current.at().plus(FRESH_FOR).isBefore(now) || current.at().isAfter(now)) {
            current = store.snapshot(now);
            last = current;
        }
        return current;
    }
}
