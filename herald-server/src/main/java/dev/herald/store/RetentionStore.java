package dev.herald.store;

import java.time.Instant;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Retention sweeps in bounded batches, so removal stays cheap at millions of rows and never holds long locks: what hung
 * on deleted endpoints, applications and pollers is removed ({@link DeletePurge}), expired payloads are blanked, old
 * attempts, finished old messages and old background tasks are deleted, and background tasks whose node stopped while
 * running them are marked failed.
 */
public final class RetentionStore {
    static final int BATCH = 5_000;
    /** Only one node sweeps (or purges) at a time. */
    static final long LOCK = 7_243_002L;

    private final Jdbi jdbi;
    private final DeletePurge deletes;

    public RetentionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.deletes = new DeletePurge(jdbi);
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
                long purged = deletes.purgeIn(h);
                // a payload still to be delivered is kept past its retention until no delivery of it is queued: blanked,
                // the queued deliveries (a retry, a deliverAt later than the retention) would be cancelled unsent
                long payloads = repeat(h, """
                        update message set payload = null
                        where (app_id, id) in (
                            select m.app_id, m.id from message m
                            where m.payload is not null and m.payload_expires_at <= :now
                              and not exists (select 1 from delivery d where d.msg_id = m.id and d.status = 1)
                            limit :batch)
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

    private static long repeat(Handle h, String sql, Instant cutoff) {
        return repeat(h, sql, BATCH, "now", cutoff);
    }

    /**
     * Runs a statement that changes at most {@code :batch} rows, each run its own transaction, until one changes fewer;
     * returns how many rows changed in all.
     */
    static long repeat(Handle h, String sql, int batch, String name, Object value) {
        long total = 0;
        while (true) {
            int changed = h.createUpdate(sql).bind(name, value).bind("batch", batch).execute();
            total += changed;
            if (changed < batch) return total;
        }
    }
}
