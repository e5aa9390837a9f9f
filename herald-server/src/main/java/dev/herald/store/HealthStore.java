package dev.herald.store;

import dev.herald.domain.Application;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * What an operator looks at first: how far the queue is behind and which endpoints are failing. Every figure is a read
 * the database answers from an index or a small table, whatever the backlog; counts of queue rows stop at
 * {@link #COUNT_CAP} (a count past it says little more, and would cost a scan of them all).
 */
public final class HealthStore {
    public static final long COUNT_CAP = 100_000;
    private final Jdbi jdbi;

    public HealthStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * The queue at {@code now}: deliveries due (up to the cap), when the one due longest came due (null: none due),
     * those waiting for a later time (a retry, a schedule, a lease; up to the cap), the endpoints failing or disabled, and
     * the deleted endpoints, applications and pollers whose rows are still to be purged.
     */
    public record Snapshot(Instant at, long due, Instant oldestDue, long later, long failingEndpoints, long disabledEndpoints,
                           long deletesPending) {
        /** Seconds the oldest due delivery has waited: 0 when nothing is due. */
        public double lagSeconds() {
            return oldestDue == null ? 0 : Math.max(0, (at.toEpochMilli() - oldestDue.toEpochMilli()) / 1000.0);
        }
    }

    /** An endpoint whose attempts have failed, with no success since {@code failingSince}. */
    public record FailingEndpoint(String appId, String appName, boolean operational, String endpointId, String url,
                                  Instant failingSince) {}

    /**
     * The queue's figures leave out a deleted endpoint's rows, which no claim takes (DeliveryQueue.CLAIMABLE) and the
     * purge removes: they are no backlog.
     */
    private static final String LIVE = DeletePurge.NOT_OF_A_DELETED_ENDPOINT;
    /**
     * Due rows of a paused endpoint wait as asked: any application's token may pause its own endpoint, and its rows
     * counted as lag would page the operator for as long as it stays paused.
     */
    private static final String NOT_PAUSED = "endpoint_id <> all(array(select p.endpoint_id from endpoint_pause p))";
    private static final String DUE = """
            select count(*) from (select 1 from delivery_queue where next_attempt_at <= :now and <live> and <not paused>
                                  limit :cap) d
            """.replace("<live>", LIVE).replace("<not paused>", NOT_PAUSED);
    private static final String OLDEST = """
            select min(next_attempt_at) from delivery_queue where <live> and <not paused>
            """.replace("<live>", LIVE).replace("<not paused>", NOT_PAUSED);
    /**
     * Up to 'infinity', where a paused endpoint's rows are parked (PauseStore): past the range, a pause of a million rows
     * would have each read filter out a million. Public for the plan test.
     */
    public static final String LATER = """
            select count(*) from (select 1 from delivery_queue where next_attempt_at > :now and next_attempt_at < 'infinity'
                                  and <live> and <not paused> limit :cap) d
            """.replace("<live>", LIVE).replace("<not paused>", NOT_PAUSED);

    public Snapshot snapshot(Instant now) {
        return jdbi.withHandle(h -> {
            long due = h.createQuery(DUE).bind("now", now).bind("cap", COUNT_CAP).mapTo(Long.class).one();
            Instant oldest = h.createQuery(OLDEST).mapTo(Instant.class).findOne().orElse(null);
            long later = h.createQuery(LATER).bind("now", now).bind("cap", COUNT_CAP).mapTo(Long.class).one();
            var endpoints = h.createQuery("""
                    select count(*) filter (where failing_since is not null and not disabled) as failing,
                           count(*) filter (where disabled) as disabled
                    from endpoint
                    """).map((rs, ctx) -> new long[] {rs.getLong("failing"), rs.getLong("disabled")}).one();
            long deletes = h.createQuery("select count(*) from purge_pending").mapTo(Long.class).one();
            return new Snapshot(now, due, oldest != null && !oldest.isAfter(now) ? oldest : null, later, endpoints[0],
                    endpoints[1], deletes);
        });
    }

    /** The enabled endpoints failing longest first, with their applications (Herald's own among them). */
    public List<FailingEndpoint> failingEndpoints(int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                select e.app_id, a.name as app_name, a.uid is not distinct from :operational as operational, e.id, e.url,
                       e.failing_since
                from endpoint e join application a on a.id = e.app_id
                where e.failing_since is not null and not e.disabled
                order by e.failing_since, e.id
                limit :limit
                """).bind("limit", limit).bind("operational", Application.OPERATIONAL_UID)
                .map((rs, ctx) -> new FailingEndpoint(rs.getString("app_id"), rs.getString("app_name"),
                        rs.getBoolean("operational"), rs.getString("id"),
                        rs.getString("url"), JsonColumns.instant(rs, "failing_since")))
                .list());
    }
}
