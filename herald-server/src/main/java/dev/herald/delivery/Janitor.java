package dev.herald.delivery;

import dev.herald.store.DeletePurge;
import dev.herald.store.RetentionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies retention on a schedule: what hung on deleted endpoints, applications and pollers is removed, payloads past their
 * {@code payloadRetentionPeriod} are removed once no delivery of them is queued (the API then shows
 * {@code {"expired":true}}), attempts and finished
 * messages older than {@code HERALD_RETENTION_DAYS} are deleted, idempotency keys older than 12 hours are dropped.
 */
public final class Janitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Janitor.class);
    static final Duration IDEMPOTENCY_KEEP = Duration.ofHours(12);

    private final RetentionStore store;
    private final DeletePurge deletes;
    private final dev.herald.store.PauseStore pauses;
    private final Clock clock;
    private final Duration retention;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("herald-janitor").daemon().unstarted(r));

    public Janitor(RetentionStore store, DeletePurge deletes, dev.herald.store.PauseStore pauses, Clock clock, Duration retention) {
        this.store = store;
        this.deletes = deletes;
        this.pauses = pauses;
        this.clock = clock;
        this.retention = retention;
    }

    /** How often a node looks for deletes to purge, and for rows parked for a pause since ended: indexed reads. */
    static final Duration PURGE_CHECK = Duration.ofSeconds(5);

    /** The first sweep comes at most this long after a node starts, whatever the interval (see {@link #firstSweepAfter}). */
    static final Duration FIRST_SWEEP_WITHIN = Duration.ofMinutes(1);

    /**
     * A whole interval after start, a long HERALD_JANITOR_INTERVAL (a day, say) on nodes redeployed more often than that
     * never swept: payloads past their retention were never removed.
     */
    static Duration firstSweepAfter(Duration interval) {
        return interval.compareTo(FIRST_SWEEP_WITHIN) < 0 ? interval : FIRST_SWEEP_WITHIN;
    }

    public Janitor start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::runSafely, firstSweepAfter(interval).toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::purgeSafely, PURGE_CHECK.toMillis(), PURGE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void purgeSafely() {
        try {
            long purged = deletes.purge();
            if (purged > 0) log.info("{} rows of deleted endpoints, applications and pollers removed", purged);
        } catch (RuntimeException | Error e) {
            log.warn("purge of deleted endpoints, applications and pollers failed, trying again: {}", e.toString());
        }
        try {
            int unparked = pauses.unparkResumed();
            if (unparked > 0) log.info("{} deliveries written parked as their endpoint was resumed made due", unparked);
        } catch (RuntimeException | Error e) {
            log.warn("could not look for deliveries parked for a pause since ended, trying again: {}", e.toString());
        }
    }

    private void runSafely() {
        try {
            sweep();
        } catch (RuntimeException | Error e) {
            log.warn("retention sweep failed, trying again next round: {}", e.toString());
        }
    }

    /**
     * One sweep now, on the janitor's own thread, so that it never finds this node's purge holding the sweep lock; null
     * when another node was sweeping.
     */
    public RetentionStore.Swept runOnce() {
        try {
            return scheduler.submit(this::sweep).get();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return sweep(); // closed: nothing else of this node's runs
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sweeping", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private RetentionStore.Swept sweep() {
        Instant now = clock.instant();
        var swept = store.sweep(now, now.minus(retention), now.minus(IDEMPOTENCY_KEEP));
        if (swept != null && swept.purged() > 0) {
            log.info("retention: {} rows of deleted endpoints, applications and pollers removed", swept.purged());
        }
        if (swept != null && (swept.payloadsExpired() + swept.attemptsDeleted() + swept.messagesDeleted() + swept.tasksDeleted()
                + swept.tokensDeleted() + swept.pollEntriesDeleted() + swept.pollConsumersDeleted() > 0)) {
            log.info("retention: {} payloads expired, {} attempts, {} messages, {} polling endpoint entries, {} idle "
                            + "polling consumers, {} background tasks and {} ended tokens deleted", swept.payloadsExpired(),
                    swept.attemptsDeleted(), swept.messagesDeleted(), swept.pollEntriesDeleted(),
                    swept.pollConsumersDeleted(), swept.tasksDeleted(), swept.tokensDeleted());
        }
        if (swept != null && swept.tasksLost() > 0) {
            log.warn("{} background tasks were still running on a node that stopped: marked failed", swept.tasksLost());
        }
        return swept;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
