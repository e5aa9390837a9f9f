package dev.herald.metrics;

import dev.herald.outbound.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongConsumer;

/** The delivery pipeline's meters, in one place so every part records under the same names. */
public final class DeliveryMetrics {
    private final Timer claim;
    private final Timer record;
    private final Counter delivered;
    /** By {@link FailureReason}, every one registered at start (a reason not seen yet reads 0, not absent). */
    private final Map<FailureReason, Counter> failedAttempts = new EnumMap<>(FailureReason.class);
    private final Counter exhausted;
    private final Counter handedBack;
    private final Counter paced;
    private final Counter unpaced;
    private final Counter leasedAtPublish;
    private final Counter outlivedLeases;
    private final Counter keyElsewhere;
    /** Sees every claim's time as well (the benchmark's window on a node already running); none by default. */
    private volatile LongConsumer claimObserver;

    public DeliveryMetrics(MeterRegistry registry) {
        this.claim = Timer.builder("herald.queue.claim").description("time of one claim statement")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.record = Timer.builder("herald.queue.record").description("time of one batch of results written")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.delivered = Counter.builder("herald.deliveries.succeeded")
                .description("deliveries whose attempt got a 2xx answer, by this node").register(registry);
        for (FailureReason reason : FailureReason.values()) {
            failedAttempts.put(reason, Counter.builder("herald.attempts.failed").tag("reason", reason.label())
                    .description("attempts that failed (an answer other than 2xx, a timeout, no connection), by this node, by reason")
                    .register(registry));
        }
        this.exhausted = Counter.builder("herald.deliveries.exhausted")
                .description("deliveries that failed for good: retries used up, 410 Gone, a manual attempt failed").register(registry);
        this.handedBack = Counter.builder("herald.deliveries.handed_back")
                .description("claimed deliveries handed back unsent because their endpoint had no room in flight").register(registry);
        this.paced = Counter.builder("herald.deliveries.paced").description("deliveries of slow endpoints spread ahead: due ones moved, new ones written so")
                .register(registry);
        this.unpaced = Counter.builder("herald.deliveries.unpaced")
                .description("paced deliveries made due again because their endpoint answered well again").register(registry);
        this.outlivedLeases = Counter.builder("herald.deliveries.outlived_lease")
                .description("deliveries let go unsent because their lease ended while they waited in their endpoint's lane"
                        + " (another claim sends them)").register(registry);
        this.keyElsewhere = Counter.builder("herald.deliveries.key_elsewhere")
                .description("claimed deliveries put back unsent because their endpoint's secret is sealed with an encryption key"
                        + " this node lacks (a node with it sends them)").register(registry);
        this.leasedAtPublish = Counter.builder("herald.deliveries.leased_at_publish")
                .description("deliveries written leased to the node that published them, sent without a claim").register(registry);
    }

    public void claimed(Duration took) {
        claim.record(took);
        LongConsumer observer = claimObserver;
        if (observer != null) observer.accept(took.toNanos());
    }

    /**
     * From now on also hands each claim's time (nanoseconds) to {@code observer} (null: to none). The timer's
     * percentiles cover the last few minutes (Micrometer's window), whatever ran in them; this covers a chosen window.
     */
    public void observeClaims(LongConsumer observer) {
        this.claimObserver = observer;
    }

    public void recorded(Duration took, int succeeded, Map<FailureReason, Integer> failed, int exhaustedCount) {
        record.record(took);
        delivered.increment(succeeded);
        failed.forEach((reason, count) -> failedAttempts.get(reason).increment(count));
        exhausted.increment(exhaustedCount);
    }

    public void keyElsewhere(int count) {
        keyElsewhere.increment(count);
    }

    public double keyElsewhereCount() {
        return keyElsewhere.count();
    }

    public void handedBack(int count) {
        handedBack.increment(count);
    }

    public void paced(int count) {
        paced.increment(count);
    }

    public void unpaced(int count) {
        unpaced.increment(count);
    }

    public void outlivedLease() {
        outlivedLeases.increment();
    }

    /** Deliveries let go unsent so far (see {@link #outlivedLease()}). */
    public double outlivedLeaseCount() {
        return outlivedLeases.count();
    }

    public void leasedAtPublish(int count) {
        leasedAtPublish.increment(count);
    }

    /** Deliveries sent without a claim so far (see {@link #leasedAtPublish(int)}). */
    public double leasedAtPublishCount() {
        return leasedAtPublish.count();
    }

    /** Deliveries of slow endpoints spread ahead so far, moved or written so (see {@link #paced(int)}). */
    public double pacedCount() {
        return paced.count();
    }

    /** Paced deliveries made due again so far (see {@link #unpaced(int)}). */
    public double unpacedCount() {
        return unpaced.count();
    }

    public double succeeded() {
        return delivered.count();
    }
}
