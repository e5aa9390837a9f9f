package dev.herald.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The delivery pipeline's meters, in one place so every part records under the same names. */
public final class DeliveryMetrics {
    private final Timer claim;
    private final Timer record;
    private final Counter delivered;
    private final Counter failedAttempts;
    private final Counter exhausted;
    private final Counter handedBack;

    public DeliveryMetrics(MeterRegistry registry) {
        this.claim = Timer.builder("herald.queue.claim").description("time of one claim statement")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.record = Timer.builder("herald.queue.record").description("time of one batch of results written")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.delivered = Counter.builder("herald.deliveries.succeeded").register(registry);
        this.failedAttempts = Counter.builder("herald.attempts.failed").register(registry);
        this.exhausted = Counter.builder("herald.deliveries.exhausted").register(registry);
        this.handedBack = Counter.builder("herald.deliveries.handed_back").register(registry);
    }

    public void claimed(Duration took) {
        claim.record(took);
    }

    public void recorded(Duration took, int succeeded, int failed, int exhaustedCount) {
        record.record(took);
        delivered.increment(succeeded);
        failedAttempts.increment(failed);
        exhausted.increment(exhaustedCount);
    }

    public void handedBack(int count) {
        handedBack.increment(count);
    }

    public Timer claimTimer() {
        return claim;
    }

    public double succeeded() {
        return delivered.count();
    }
}
