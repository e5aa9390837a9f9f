package dev.herald.store;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what hung on deleted endpoints, applications and pollers, noted in {@code purge_pending} by their delete
 * (V28): an endpoint's deliveries with their queue rows, and its attempts; an application's messages, each taking its
 * deliveries, queue rows and attempts with it (the message trigger); a poller's entries. Each statement removes at most
 * {@link #BATCH} rows in its own short transaction. A delivery row in use (being claimed or recorded) is skipped, and a
 * statement that would wait longer than {@link #LOCK_TIMEOUT} gives up, so the delivery path never waits on a purge for
 * long; what is left goes in the next round. A note is dropped once nothing of its owner is left.
 */
public final class DeletePurge {
    private static final Logger log = LoggerFactory.getLogger(DeletePurge.class);

    /**
     * A queue row's filter that leaves out a deleted endpoint's rows until they are purged: no claim takes them
     * (DeliveryQueue), and the health figures do not count them as backlog (HealthStore).
     */
    public static final String NOT_OF_A_DELETED_ENDPOINT =
            "endpoint_id <> all(array(select p.id from purge_pending p where p.kind = 'endpoint'))";

    /** Rows removed per statement. */
    static final int BATCH = 1_000;
    /** How long a statement waits for a row the delivery path holds. */
    static final String LOCK_TIMEOUT = "500ms";

    /** Each kind's statements, run in turn until each removes less than a batch; {@code :id} is the deleted owner. */
    private static final Map<String, List<String>> STATEMENTS = Map.of(
            "endpoint", List.of("""
                    -- the queue rows go with their deliveries, found through the delivery's key
                    with batch as (
                        select id from delivery where endpoint_id = :id limit :batch for update skip locked
                    ), queued as (
                        delete from delivery_queue where delivery_id in (select id from batch)
                    )
                    delete from delivery where id in (select id from batch)
                    """, """
                    delete from attempt where (msg_id, id) in (select msg_id, id from attempt where endpoint_id = :id limit :batch)
                    """),
            "application", List.of("""
                    delete from message where (app_id, id) in (select app_id, id from message where app_id = :id limit :batch)
                    """),
            "poller", List.of("""
                    delete from poll_entry where (poller_id, xid, seq) in (
                        select poller_id, xid, seq from poll_entry where poller_id = :id limit :batch)
                    """));

    /** Drops the note once nothing of its owner is left. */
    private static final String DONE = """
            delete from purge_pending p where p.kind = :kind and p.id = :id and case p.kind
                when 'endpoint' then not exists (select 1 from delivery d where d.endpoint_id = :id)
                                     and not exists (select 1 from attempt a where a.endpoint_id = :id)
                when 'application' then not exists (select 1 from message m where m.app_id = :id)
                else not exists (select 1 from poll_entry e where e.poller_id = :id) end
            """;

    private final Jdbi jdbi;

    public DeletePurge(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Whether an endpoint or poller of this id was deleted and its rows are still to be purged. An AutoConfig subscription
     * makes its sink under a fixed id: made again meanwhile, its new rows would be purged with the old ones.
     */
    static boolean sinkPending(Jdbi jdbi, String id) {
        return jdbi.withHandle(h -> h.createQuery(
                "select exists (select 1 from purge_pending where kind in ('endpoint', 'poller') and id = :id)")
                .bind("id", id).mapTo(Boolean.class).one());
    }

    /**
     * Purges now, when a delete is noted and no node is sweeping or purging (the sweep's lock); the Janitor asks every
     * few seconds, so a delete's rows go soon after it rather than at the next sweep. Returns how many rows were removed.
     */
    public long purge() {
        return jdbi.withHandle(h -> {
            boolean noted = h.createQuery("select exists (select 1 from purge_pending)").mapTo(Boolean.class).one();
            if (!noted) return 0L;
            boolean locked = h.createQuery("select pg_try_advisory_lock(:lock)")
                    .bind("lock", RetentionStore.LOCK).mapTo(Boolean.class).one();
            if (!locked) return 0L;
            try {
                return purgeIn(h);
            } finally {
                h.createQuery("select pg_advisory_unlock(:lock)").bind("lock", RetentionStore.LOCK).mapTo(Boolean.class).one();
            }
        });
    }

    /** Purges on {@code h}, whose session holds the sweep's lock (or needs none: a test). Returns how many rows were removed. */
    public long purgeIn(Handle h) {
        long removed = 0;
        long deadline = System.nanoTime() + ROUND.toNanos();
        h.execute("set lock_timeout = '" + LOCK_TIMEOUT + "'");
        try {
            // a page of notes at a time, on while time is left: many deletes at once (an application's endpoints) each
            // widen every claim's filter until purged, 100 every 5 s was too slow to drain them
            Note after = null;
            while (true) {
                var pending = page(h, after);
                for (var deleted : pending) removed += purgeOne(h, deleted.kind(), deleted.id());
                if (pending.size() < PAGE || System.nanoTime() - deadline > 0) return removed;
                after = pending.get(pending.size() - 1);
            }
        } finally {
            h.execute("reset lock_timeout");
        }
    }

    /** Notes read per statement; a round reads on for up to {@link #ROUND}. */
    static final int PAGE = 100;
    static final java.time.Duration ROUND = java.time.Duration.ofSeconds(2);

    private record Note(java.time.Instant deletedAt, String kind, String id) {}

    /** The notes after {@code after}, oldest delete first (each note widens every claim's filter until purged). */
    private static List<Note> page(Handle h, Note after) {
        return h.createQuery("""
                select deleted_at, kind, id from purge_pending
                where cast(:deletedAt as timestamptz) is null
                   or (deleted_at, kind, id) > (cast(:deletedAt as timestamptz), cast(:kind as text), cast(:id as text))
                order by deleted_at, kind, id limit :page
                """).bind("deletedAt", after == null ? null : after.deletedAt())
                .bind("kind", after == null ? null : after.kind()).bind("id", after == null ? null : after.id())
                .bind("page", PAGE)
                .map((rs, ctx) -> new Note(rs.getTimestamp("deleted_at").toInstant(), rs.getString("kind"), rs.getString("id")))
                .list();
    }

    /** A failure that meets every note (a full disk, a read-only server) is logged once per interval, not per note. */
    private static final dev.herald.logging.LogThrottle FAILURE_LOG = new dev.herald.logging.LogThrottle(java.time.Duration.ofSeconds(30));

    private long purgeOne(Handle h, String kind, String id) {
        long removed = 0;
        try {
            for (String statement : STATEMENTS.get(kind)) removed += RetentionStore.repeat(h, statement, BATCH, "id", id);
            h.useTransaction(t -> {
                // a replay or recovery writes its pages under this lock and stops once the endpoint is gone: taken
                // here, no page lands after the note is dropped
                if (kind.equals("endpoint")) {
                    t.createQuery("select pg_advisory_xact_lock(hashtext(:id))").bind("id", id).mapTo(String.class).one();
                }
                t.createUpdate(DONE).bind("kind", kind).bind("id", id).execute();
            });
        } catch (RuntimeException e) {
            if (SqlErrors.isConnectionLost(e)) throw e;
            if (SqlErrors.isLockConflict(e)) {
                log.debug("purge of deleted {} {} met a row in use; the rest goes in the next round", kind, id);
            } else {
                // one note that cannot be purged (a statement_timeout of the role, say) must not hold back the others
                long leftOut = FAILURE_LOG.admit();
                if (leftOut >= 0) {
                    log.warn("purge of deleted {} {} failed; tried again next round: {}{}", kind, id, e.getMessage(),
                            dev.herald.logging.LogThrottle.leftOutNote(leftOut));
                }
            }
        }
        return removed;
    }
}
