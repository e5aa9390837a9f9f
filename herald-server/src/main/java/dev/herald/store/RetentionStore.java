package dev.herald.store;

import java.time.Instant;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Retention sweeps in bounded batches, so removal stays cheap at millions of rows and never holds long
 * locks: expired payloads are blanked, old attempts, finished old messages and old background tasks are deleted, and
 * background tasks whose node stopped while running them are marked failed.
 */
public final class RetentionStore {
    static final int BATCH = 5_000;
    /** Only one node sweeps at a time. */
    static final long LOCK = 7_243_002L;

    private final Jdbi jdbi;

    public RetentionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A background task still running with no heartbeat for this long is taken for lost with its node. */
    public static final java.time.Duration TASK_LOST_AFTER = java.time.Duration.ofMinutes(10);

    public record Swept(long purged, long payloadsExpired, long attemptsDeleted, long messagesDeleted, long idempotencyKeysDeleted,
                        long tasksDeleted, long tasksLost, long tokensDeleted, long pollEntriesDeleted,
                        long pollConsumersDeleted) {}

    /** An ended token's row is kept this long after its end (a portal link, a dashboard session). */
    static final java.time.Duration ENDED_TOKENS_KEPT = java.time.Duration.ofDays(1);

    /** Returns null when another node holds the sweep lock. */
    public Swept sweep(Instant now, Instant retainAfter, Instant idempotencyAfter) {
        return jdbi.withHandle(h -> {
            boolean locked = h.createQuery("select pg_try_advisory_lock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            if (!locked) return null;
            try {
                long purged = purgeDeleted(h);
                long payloads = repeat(h, """
                        update message set payload = null
                        where (app_id, id) in (select app_id, id from message where payload is not null and payload_expires_at <= :now limit :batch)
                        """, now);
                long attempts = repeat(h, """
                        delete from attempt where (msg_id, id) in (select msg_id, id from attempt where created_at < :now limit :batch)
                        """, retainAfter);
                long messages = repeat(h, """
                        delete from message where (app_id, id) in (
                            select m.app_id, m.id from message m
                            where m.created_at < :now
                              and not exists (select 1 from delivery d where d.msg_id = m.id and d.status = 1)
                            limit :batch)
                        """, retainAfter);
                // a polling endpoint's entries go with the messages they name (the read joins the message: one gone is skipped)
                long pollEntries = repeat(h, """
                        delete from poll_entry where (poller_id, xid, seq) in (
                            select poller_id, xid, seq from poll_entry where created_at < :now limit :batch)
                        """, retainAfter);
                // a named consumer that has not read for the whole retention period is forgotten (its place is older
                // than anything it could still read)
                long pollConsumers = repeat(h, """
                        delete from poll_consumer where (poller_id, consumer_id) in (
                            select poller_id, consumer_id from poll_consumer where updated_at < :now limit :batch)
                        """, retainAfter);
                long keys = repeat(h, """
                        delete from idempotency_key where (scope, key) in (
                            select scope, key from idempotency_key where created_at < :now limit :batch)
                        """, idempotencyAfter);
                long tasks = repeat(h, """
                        delete from background_task where id in (select id from background_task where created_at < :now limit :batch)
                        """, retainAfter);
                int lost = h.createUpdate("""
                        update background_task set status = 'failed', updated_at = :now,
                               data = data || jsonb_build_object('error', 'the node running it stopped before it ended')
                        where status = 'running' and updated_at < :lostBefore
                        """).bind("now", now).bind("lostBefore", now.minus(TASK_LOST_AFTER)).execute();
                // idle throttle buckets (their next slot long past) hold nothing worth keeping
                h.createUpdate("delete from throttle_bucket where next_free_at < :cutoff")
                        .bind("cutoff", now.minus(java.time.Duration.ofHours(1))).execute();
                // every app-portal link and dashboard sign-in leaves a token; an integration's key has no end and is
                // deleted with its rotation, and the test keeps a cascade from ever taking an integration with it
                long tokens = repeat(h, """
                        delete from api_token where id in (
                            select t.id from api_token t
                            where t.expires_at < :now and not exists (select 1 from integration i where i.token_id = t.id)
                            limit :batch)
                        """, now.minus(ENDED_TOKENS_KEPT));
                return new Swept(purged, payloads, attempts, messages, keys, tasks, lost, tokens, pollEntries, pollConsumers);
            } finally {
                h.createQuery("select pg_advisory_unlock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            }
        });
    }

    /**
     * Runs {@link #purgeDeleted} alone, when something is noted and no node is sweeping: the Janitor checks every few
     * seconds, so a delete's rows go soon after it rather than at the next sweep. Returns how many rows were removed.
     */
    public long purge() {
        return jdbi.withHandle(h -> {
            boolean noted = h.createQuery("select exists (select 1 from purge_pending)").mapTo(Boolean.class).one();
            if (!noted) return 0L;
            boolean locked = h.createQuery("select pg_try_advisory_lock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            if (!locked) return 0L;
            try {
                return purgeDeleted(h);
            } finally {
                h.createQuery("select pg_advisory_unlock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            }
        });
    }

    /** Rows of deleted endpoints, applications and pollers removed per statement: each a short transaction. */
    static final int PURGE_BATCH = 1_000;
    /** How long a purge waits for a row the delivery path holds before it leaves the rest for the next sweep. */
    static final String PURGE_LOCK_TIMEOUT = "500ms";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RetentionStore.class);

    /**
     * Removes what hung on deleted endpoints, applications and pollers (noted in {@code purge_pending} by their delete,
     * V28): an endpoint's deliveries with their queue rows, and its attempts; an application's messages, each taking its
     * deliveries, queue rows and attempts with it (the message trigger); a poller's entries. A delivery row in use (being claimed or
     * recorded) is skipped, and a statement that would wait longer than {@link #PURGE_LOCK_TIMEOUT} gives up: the
     * delivery path never waits on a purge for long, and what is left goes in the next sweep. A note is dropped once
     * nothing is left. Returns how many rows were removed.
     */
    public long purgeDeleted(Handle h) {
        var pending = h.createQuery("select kind, id from purge_pending order by deleted_at, kind, id limit 100")
                .map((rs, ctx) -> Map.entry(rs.getString("kind"), rs.getString("id"))).list();
        if (pending.isEmpty()) return 0;
        long removed = 0;
        h.execute("set lock_timeout = '" + PURGE_LOCK_TIMEOUT + "'");
        try {
            for (var deleted : pending) {
                String kind = deleted.getKey();
                String id = deleted.getValue();
                try {
                    removed += switch (kind) {
                        case "endpoint" -> purgeEndpoint(h, id);
                        case "application" -> purgeApplication(h, id);
                        default -> purgePoller(h, id);
                    };
                } catch (RuntimeException e) {
                    if (!SqlErrors.isLockConflict(e)) throw e;
                    log.debug("purge of deleted {} {} met a row in use; the rest goes in the next sweep", kind, id);
                    continue;
                }
                h.createUpdate("""
                        delete from purge_pending p where p.kind = :kind and p.id = :id and case p.kind
                            when 'endpoint' then not exists (select 1 from delivery d where d.endpoint_id = :id)
                                                 and not exists (select 1 from attempt a where a.endpoint_id = :id)
                            when 'application' then not exists (select 1 from message m where m.app_id = :id)
                            else not exists (select 1 from poll_entry e where e.poller_id = :id) end
                        """).bind("kind", kind).bind("id", id).execute();
            }
        } finally {
            h.execute("reset lock_timeout");
        }
        return removed;
    }

    private static long purgeEndpoint(Handle h, String endpointId) {
        long removed = 0;
        while (true) {
            // the queue rows go with their deliveries, found through the delivery's key
            int deliveries = h.createUpdate("""
                    with batch as (
                        select id from delivery where endpoint_id = :endpoint limit :batch for update skip locked
                    ), queued as (
                        delete from delivery_queue where delivery_id in (select id from batch)
                    )
                    delete from delivery where id in (select id from batch)
                    """).bind("endpoint", endpointId).bind("batch", PURGE_BATCH).execute();
            removed += deliveries;
            if (deliveries < PURGE_BATCH) break;
        }
        while (true) {
            int attempts = h.createUpdate("""
                    delete from attempt where (msg_id, id) in (
                        select msg_id, id from attempt where endpoint_id = :endpoint limit :batch)
                    """).bind("endpoint", endpointId).bind("batch", PURGE_BATCH).execute();
            removed += attempts;
            if (attempts < PURGE_BATCH) return removed;
        }
    }

    private static long purgeApplication(Handle h, String appId) {
        long removed = 0;
        while (true) {
            int messages = h.createUpdate("""
                    delete from message where (app_id, id) in (select app_id, id from message where app_id = :app limit :batch)
                    """).bind("app", appId).bind("batch", PURGE_BATCH).execute();
            removed += messages;
            if (messages < PURGE_BATCH) return removed;
        }
    }

    private static long purgePoller(Handle h, String pollerId) {
        long removed = 0;
        while (true) {
            int entries = h.createUpdate("""
                    delete from poll_entry where (poller_id, xid, seq) in (
                        select poller_id, xid, seq from poll_entry where poller_id = :poller limit :batch)
                    """).bind("poller", pollerId).bind("batch", PURGE_BATCH).execute();
            removed += entries;
            if (entries < PURGE_BATCH) return removed;
        }
    }

    private static long repeat(Handle h, String sql, Instant cutoff) {
        long total = 0;
        while (true) {
            int changed = h.createUpdate(sql).bind("now", cutoff).bind("batch", BATCH).execute();
            total += changed;
            if (changed < BATCH) return total;
        }
    }
}
