package dev.herald.store;

import java.time.Instant;
import java.util.List;
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
    /** Only one node sweeps (or purges) at a time: the session advisory lock they hold (public: tests hold a purge off). */
    public static final long LOCK = 7_243_002L;

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RetentionStore.class);
    private final Jdbi jdbi;
    private final DeletePurge deletes;
    /** BRIN indexes whose summaries this node may not take away (not their owner): their sweeps go on as before. */
    private final java.util.Set<String> notOwned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A failure to take summaries away other than VACUUM holding the table, logged once per interval. */
    private static final dev.herald.logging.LogThrottle DESUMMARIZE_FAILURES =
            new dev.herald.logging.LogThrottle(java.time.Duration.ofMinutes(10));
    /** Per BRIN index, the first block of each range a sweep emptied whose summary is not taken away yet. */
    private final java.util.Map<String, java.util.TreeSet<Long>> emptiedBlocks = new java.util.concurrent.ConcurrentHashMap<>();
    /** PostgreSQL's default pages_per_range, which the BRIN indexes were made with (V8, V13). */
    static final long PAGES_PER_RANGE = 128;
    /**
     * Ranges collected at most before their summaries are taken away in the middle of a step, and kept for a later
     * sweep at most (a table VACUUM held for long: the rest read more, as before).
     */
    static final int MAX_EMPTIED_KEPT = 100_000;
    /** How long taking the summaries away waits for the table's lock (VACUUM's) before leaving it to the next sweep. */
    static final String DESUMMARIZE_LOCK_WAIT = "50ms";

    public RetentionStore(Jdbi jdbi) {
        this(jdbi, PURGE_EVERY);
    }

    RetentionStore(Jdbi jdbi, java.time.Duration purgeEvery) {
        this.jdbi = jdbi;
        this.deletes = new DeletePurge(jdbi);
        this.purgeEvery = purgeEvery;
    }

    /**
     * A sweep holds the lock deletes are purged under, and a long one (a lowered retention, a cluster down for days)
     * runs for a long time: it purges the deletes noted meanwhile this often itself, or every claim would read past
     * a deleted endpoint's due rows until it ended.
     */
    static final java.time.Duration PURGE_EVERY = java.time.Duration.ofSeconds(5);
    private final java.time.Duration purgeEvery;

    /** One sweep's session: its steps' batches, and the purges it makes between them. */
    private final class Run {
        final Handle h;
        long purged;
        long nextPurge;

        Run(Handle h) {
            this.h = h;
            this.nextPurge = System.nanoTime() + purgeEvery.toNanos();
        }

        long repeat(String sql, Instant cutoff) {
            return RetentionStore.repeat(h, sql, BATCH, "now", cutoff, this::purgeIfDue);
        }

        /**
         * {@link #repeat} for a delete that finds its rows through the BRIN index {@code brin} and returns the block of
         * each row it deleted. A BRIN summary only widens: a range still summarized from the rows deleted here, once
         * new rows fill the freed space, claims to hold old rows and new ones, and every later batch reads it (all the
         * table, a retention period on). So the ranges emptied lose their summaries, and VACUUM, which summarizes
         * every range without one, sums up what is left in them.
         */
        long repeatNarrowing(String sql, Instant cutoff, String table, String brin) {
            long total = 0;
            var emptied = emptiedBlocks.computeIfAbsent(brin, k -> new java.util.TreeSet<>());
            boolean collecting = !notOwned.contains(brin);
            while (true) {
                List<Long> blocks = h.createQuery(sql).bind("now", cutoff).bind("batch", BATCH).mapTo(Long.class).list();
                total += blocks.size();
                if (collecting) {
                    // one block per range is enough; kept for the next sweep if this one cannot take the summaries away
                    for (long block : blocks) emptied.add(block / PAGES_PER_RANGE * PAGES_PER_RANGE);
                    if (emptied.size() >= MAX_EMPTIED_KEPT) forgetSummaries(table, brin, emptied); // a long catch-up
                    while (emptied.size() > MAX_EMPTIED_KEPT) emptied.pollLast();
                }
                purgeIfDue();
                if (blocks.size() < BATCH) break;
            }
            if (collecting) forgetSummaries(table, brin, emptied);
            return total;
        }

        /**
         * Takes the summaries of the ranges {@code emptied} away, once per step. brin_desummarize_range locks the table
         * as VACUUM does (SHARE UPDATE EXCLUSIVE): waited for, it would have PostgreSQL cancel an autovacuum after a
         * second (and VACUUM is what sums the ranges up afresh), or wait out a manual or anti-wraparound one for hours
         * holding the sweep's lock. So it is tried for a moment only; when VACUUM holds the table, the ranges wait for
         * the next sweep.
         */
        private void forgetSummaries(String table, String brin, java.util.Set<Long> emptied) {
            if (emptied.isEmpty() || notOwned.contains(brin)) return;
            try {
                h.useTransaction(t -> {
                    t.execute("set local lock_timeout = '" + DESUMMARIZE_LOCK_WAIT + "'");
                    // each call takes and lets go the lock VACUUM holds: taken once for the whole list, an autovacuum
                    // cannot start between two calls and make the next wait, and undo the ones done
                    t.execute("lock table " + table + " in share update exclusive mode");
                    t.createQuery("""
                            select count(*) from (
                                select brin_desummarize_range(cast(:brin as regclass), b) from unnest(cast(:blocks as bigint[])) b) x
                            """).bind("brin", brin).bindArray("blocks", Long.class, List.copyOf(emptied)).mapTo(Long.class).one();
                });
                emptied.clear();
            } catch (RuntimeException e) {
                if (SqlErrors.isConnectionLost(e)) throw e;
                String state = SqlErrors.sqlState(e);
                if ("42501".equals(state)) {
                    // only the index's owner may (a database whose migrations ran as another role): sweeps go on as before
                    notOwned.add(brin);
                    emptied.clear();
                    log.warn("the retention sweep may not reset the summaries of {} ({}); on a large table its batches will"
                            + " read more of it", brin, e.getMessage());
                } else if ("55P03".equals(state)) {
                    log.debug("summaries of {} not reset this sweep: VACUUM holds the table", brin);
                } else {
                    long leftOut = DESUMMARIZE_FAILURES.admit();
                    if (leftOut >= 0) {
                        log.warn("the retention sweep could not reset the summaries of {}; tried again next sweep: {}{}", brin,
                                e.getMessage(), dev.herald.logging.LogThrottle.leftOutNote(leftOut));
                    }
                }
            }
        }

        /**
         * Runs one step; a step that fails is logged and the sweep goes on to the next (one failing for good, a role's
         * statement_timeout over a heavy batch say, stopped every later step on every run, token and key expiry
         * among them). A lost connection ends the sweep: nothing more can run on it.
         */
        long step(String name, java.util.function.LongSupplier body) {
            try {
                return body.getAsLong();
            } catch (RuntimeException e) {
                if (SqlErrors.isConnectionLost(e)) throw e;
                log.warn("retention sweep: the {} step failed, the others go on: {}", name, e.getMessage());
                return 0;
            }
        }

        void purgeIfDue() {
            if (System.nanoTime() - nextPurge < 0) return;
            purged += deletes.purgeIn(h);
            nextPurge = System.nanoTime() + purgeEvery.toNanos();
        }
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
                var run = new Run(h);
                run.purged = run.step("purge of deletes", () -> deletes.purgeIn(h));
                // a payload still to be delivered is kept past its retention until no delivery of it is queued: blanked,
                // the queued deliveries (a retry, a deliverAt later than the retention) would be cancelled unsent
                long payloads = run.step("payloads", () -> run.repeat("""
                        update message set payload = null
                        where (app_id, id) in (
                            select m.app_id, m.id from message m
                            where m.payload is not null and m.payload_expires_at <= :now
                              and not exists (select 1 from delivery d where d.msg_id = m.id and d.status = 1)
                            limit :batch)
                        """, now));
                long attempts = run.step("attempts", () -> run.repeatNarrowing("""
                        delete from attempt where (msg_id, id) in (select msg_id, id from attempt where created_at < :now limit :batch)
                        returning (ctid::text::point)[0]::bigint
                        """, retainAfter, "attempt", "attempt_created_brin"));
                long messages = run.step("messages", () -> run.repeatNarrowing("""
                        delete from message where (app_id, id) in (
                            select m.app_id, m.id from message m
                            where m.created_at < :now
                              and not exists (select 1 from delivery d where d.msg_id = m.id and d.status = 1)
                            limit :batch)
                        returning (ctid::text::point)[0]::bigint
                        """, retainAfter, "message", "message_created_brin"));
                // a polling endpoint's entries go with the messages they name (the read joins the message: one gone is skipped)
                long pollEntries = run.step("poll entries", () -> run.repeat("""
                        delete from poll_entry where (poller_id, xid, seq) in (
                            select poller_id, xid, seq from poll_entry where created_at < :now limit :batch)
                        """, retainAfter));
                // a named consumer that has not read for the whole retention period is forgotten (its place is older
                // than anything it could still read)
                long pollConsumers = run.step("poll consumers", () -> run.repeat("""
                        delete from poll_consumer where (poller_id, consumer_id) in (
                            select poller_id, consumer_id from poll_consumer where updated_at < :now limit :batch)
                        """, retainAfter));
                long keys = run.step("idempotency keys", () -> run.repeatNarrowing("""
                        delete from idempotency_key where (scope, key) in (
                            select scope, key from idempotency_key where created_at < :now limit :batch)
                        returning (ctid::text::point)[0]::bigint
                        """, idempotencyAfter, "idempotency_key", "idempotency_key_created_brin"));
                long tasks = run.step("background tasks", () -> run.repeat("""
                        delete from background_task where id in (select id from background_task where created_at < :now limit :batch)
                        """, retainAfter));
                long lost = run.step("lost tasks", () -> h.createUpdate("""
                        update background_task set status = 'failed', updated_at = :now,
                               data = data || jsonb_build_object('error', 'the node running it stopped before it ended')
                        where status = 'running' and updated_at < :lostBefore
                        """).bind("now", now).bind("lostBefore", now.minus(TASK_LOST_AFTER)).execute());
                // idle throttle buckets (their next slot long past) hold nothing worth keeping
                run.step("throttle buckets", () -> h.createUpdate("delete from throttle_bucket where next_free_at < :cutoff")
                        .bind("cutoff", now.minus(java.time.Duration.ofHours(1))).execute());
                // a rotated secret past its grace signs nothing more: its sealed key need not be kept (nor re-sealed)
                run.step("expired secrets", () -> run.repeat("""
                        delete from endpoint_secret where id in (
                            select id from endpoint_secret where expires_at < :now limit :batch)
                        """, now.minus(ENDED_TOKENS_KEPT)));
                // every app-portal link and dashboard sign-in leaves a token; an integration's key has no end and is
                // deleted with its rotation, and the test keeps a cascade from ever taking an integration with it
                long tokens = run.step("tokens", () -> run.repeat("""
                        delete from api_token where id in (
                            select t.id from api_token t
                            where t.expires_at < :now and not exists (select 1 from integration i where i.token_id = t.id)
                            limit :batch)
                        """, now.minus(ENDED_TOKENS_KEPT)));
                return new Swept(run.purged, payloads, attempts, messages, keys, tasks, lost, tokens, pollEntries, pollConsumers);
            } finally {
                h.createQuery("select pg_advisory_unlock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            }
        });
    }

    /**
     * Runs a statement that changes at most {@code :batch} rows, each run its own transaction, until one changes fewer;
     * returns how many rows changed in all.
     */
    static long repeat(Handle h, String sql, int batch, String name, Object value) {
        return repeat(h, sql, batch, name, value, () -> {});
    }

    /** {@link #repeat(Handle, String, int, String, Object)}, running {@code afterBatch} after each run. */
    static long repeat(Handle h, String sql, int batch, String name, Object value, Runnable afterBatch) {
        long total = 0;
        while (true) {
            int changed = h.createUpdate(sql).bind(name, value).bind("batch", batch).execute();
            total += changed;
            afterBatch.run();
            if (changed < batch) return total;
        }
    }
}
