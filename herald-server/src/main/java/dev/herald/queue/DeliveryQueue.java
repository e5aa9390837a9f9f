package dev.herald.queue;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringMap;

import dev.herald.domain.Attempt;
import dev.herald.domain.DeliveryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The durable delivery queue on PostgreSQL. A claim takes due rows with {@code FOR UPDATE SKIP LOCKED}
 * and moves {@code next_attempt_at} to the lease end in the same statement, so the row leaves the due
 * set at once and returns by itself if the claiming node dies. Completions are fenced by the attempt
 * count, so a node whose lease ran out cannot overwrite the work of the node that took over.
 */
public final class DeliveryQueue {
    private final Jdbi jdbi;

    /** Due rows in due order, locked; rows another node holds are skipped. */
    private static final String PICK_DUE = """
            select id, next_attempt_at as due from delivery
            where status = 1 and next_attempt_at <= :now and endpoint_id <> all(:excluded)
              and not exists (select 1 from endpoint_pause p where p.endpoint_id = delivery.endpoint_id)
              and not exists (select 1 from herald_flag f where f.name = 'delivery_paused')
              -- ordered endpoints take only their oldest pending delivery (none in flight or waiting before it)
              and (not fifo or not exists (select 1 from delivery o where o.endpoint_id = delivery.endpoint_id
                                             and o.status = 1 and o.fifo and o.id < delivery.id))
            order by next_attempt_at
            limit :limit
            for update skip locked""";

    /** The same, but reading a few times more candidates and keeping the first {@code :perEndpoint} of each endpoint. */
    private static final String PICK_DUE_PER_ENDPOINT = """
            select d.id, d.next_attempt_at as due from delivery d
            where d.id in (
                select id from (
                    select id, row_number() over (partition by endpoint_id order by next_attempt_at, id) as rn
                    from (
                        select id, endpoint_id, next_attempt_at from delivery
                        where status = 1 and next_attempt_at <= :now and endpoint_id <> all(:excluded)
                          and not exists (select 1 from endpoint_pause p where p.endpoint_id = delivery.endpoint_id)
                          and not exists (select 1 from herald_flag f where f.name = 'delivery_paused')
              -- ordered endpoints take only their oldest pending delivery (none in flight or waiting before it)
              and (not fifo or not exists (select 1 from delivery o where o.endpoint_id = delivery.endpoint_id
                                             and o.status = 1 and o.fifo and o.id < delivery.id))
                        order by next_attempt_at
                        limit :scan
                    ) candidates
                ) ranked
                where rn <= :perEndpoint)
              and d.status = 1 and d.next_attempt_at <= :now
            order by d.next_attempt_at
            limit :limit
            for update of d skip locked""";

    public DeliveryQueue(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public List<ClaimedDelivery> claim(int limit, Instant now, Duration lease, Collection<String> excludedEndpoints) {
        return claim(limit, now, lease, excludedEndpoints, limit);
    }

    /**
     * Claims up to {@code limit} due deliveries, at most {@code perEndpoint} of them for any one endpoint
     * (so one busy endpoint cannot fill a batch the node would only have to hand back).
     */
    public List<ClaimedDelivery> claim(int limit, Instant now, Duration lease, Collection<String> excludedEndpoints,
                                       int perEndpoint) {
        String picked = perEndpoint >= limit ? PICK_DUE : PICK_DUE_PER_ENDPOINT;
        return jdbi.withHandle(h -> {
            var query = h.createQuery("""
                with picked as (
                    <picked>
                ), claimed as (
                    update delivery d
                    set next_attempt_at = :leaseUntil, attempt_count = d.attempt_count + 1, updated_at = :now
                    from picked p
                    where d.id = p.id
                    returning d.id, d.msg_id, d.endpoint_id, d.app_id, d.trigger_type, d.attempt_count, p.due
                )
                select c.*, m.event_type, m.event_id, m.payload, m.created_at as msg_created_at, e.url, e.headers,
                       e.disabled, e.transformation, a.uid as app_uid, a.name as app_name,
                       e.throttle_rate as endpoint_throttle, a.throttle_rate as app_throttle
                from claimed c
                join message m on m.id = c.msg_id
                join endpoint e on e.id = c.endpoint_id
                join application a on a.id = c.app_id
                order by c.due, c.id
                """)
                .define("picked", picked);
            if (picked == PICK_DUE_PER_ENDPOINT) query.bind("perEndpoint", perEndpoint).bind("scan", limit * 4);
            return query
                .bind("leaseUntil", now.plus(lease))
                .bind("now", now)
                .bind("limit", limit)
                .bindByType("excluded", excludedEndpoints.toArray(String[]::new), String[].class)
                .map((rs, ctx) -> new ClaimedDelivery(
                        rs.getLong("id"),
                        rs.getString("msg_id"),
                        rs.getString("endpoint_id"),
                        rs.getString("app_id"),
                        rs.getInt("trigger_type"),
                        rs.getInt("attempt_count"),
                        rs.getString("event_type"),
                        rs.getString("payload"),
                        instant(rs, "msg_created_at"),
                        rs.getString("url"),
                        stringMap(rs, "headers"),
                        rs.getBoolean("disabled"),
                        instant(rs, "due"),
                        rs.getString("event_id"),
                        rs.getString("transformation"),
                        rs.getString("app_uid"),
                        rs.getString("app_name"),
                        rs.getObject("endpoint_throttle", Long.class),
                        rs.getObject("app_throttle", Long.class)))
                .list();
        });
    }

    /**
     * Puts claimed rows back as they were, due when they were due (so their order is kept), undoing the
     * claim's attempt count (nothing was sent).
     */
    public void handBack(Collection<ClaimedDelivery> deliveries, Instant now) {
        if (deliveries.isEmpty()) return;
        jdbi.useHandle(h -> {
            var batch = h.prepareBatch("""
                    update delivery set next_attempt_at = :due, attempt_count = attempt_count - 1, updated_at = :now
                    where id = :id and attempt_count = :attemptNumber and status = 1
                    """);
            for (var d : deliveries) {
                batch.bind("id", d.id()).bind("attemptNumber", d.attemptNumber()).bind("now", now)
                        .bind("due", d.due() == null || d.due().isAfter(now) ? now : d.due()).add();
            }
            batch.execute();
        });
    }

    /**
     * Puts claimed rows back due at the given times (a throttled endpoint or application has no free slot
     * before then), undoing the claim's attempt count: nothing was sent, so nothing failed.
     */
    public void deferUntil(Map<ClaimedDelivery, Instant> dueTimes, Instant now) {
        if (dueTimes.isEmpty()) return;
        jdbi.useHandle(h -> {
            var batch = h.prepareBatch("""
                    update delivery set next_attempt_at = :due, attempt_count = attempt_count - 1, updated_at = :now
                    where id = :id and attempt_count = :attemptNumber and status = 1
                    """);
            dueTimes.forEach((d, due) -> batch.bind("id", d.id()).bind("attemptNumber", d.attemptNumber())
                    .bind("now", now).bind("due", due.isBefore(now) ? now : due).add());
            batch.execute();
        });
    }

    /** Which of these deliveries still exist: deleting an endpoint, message or app deletes its deliveries. */
    public Set<Long> existing(Collection<Long> deliveryIds) {
        if (deliveryIds.isEmpty()) return Set.of();
        return jdbi.withHandle(h -> h.createQuery("select id from delivery where id in (<ids>)")
                .bindList("ids", List.copyOf(deliveryIds))
                .mapTo(Long.class)
                .set());
    }

    /** Writes attempts and new delivery states of a batch in one transaction (group commit). */
    public void complete(Handle h, List<CompletedDelivery> completed, Instant now) {
        var attempts = h.prepareBatch("""
                insert into attempt (id, msg_id, endpoint_id, app_id, delivery_id, url, attempt_number, status,
                                     response_status_code, response, response_duration_ms, error_message,
                                     trigger_type, next_attempt, created_at)
                values (:id, :msgId, :endpointId, :appId, :deliveryId, :url, :attemptNumber, :status,
                        :responseStatusCode, :response, :responseDurationMs, :errorMessage,
                        :triggerType, :nextAttempt, :createdAt)
                """);
        int attemptRows = 0;
        for (var c : completed) {
            Attempt a = c.attempt();
            if (a == null) continue;
            attempts.bindMethods(a).add();
            attemptRows++;
        }
        if (attemptRows > 0) attempts.execute();
        var updates = h.prepareBatch("""
                update delivery set status = :status, next_attempt_at = :next, updated_at = :now
                where id = :id and attempt_count = :attemptNumber
                """);
        for (var c : completed) {
            updates.bind("id", c.deliveryId())
                    .bind("attemptNumber", c.attemptNumber())
                    .bind("status", c.newStatus())
                    .bindByType("next", c.newStatus() == DeliveryStatus.PENDING ? c.nextAttemptAt() : null, Instant.class)
                    .bind("now", now)
                    .add();
        }
        updates.execute();
    }

    public Jdbi jdbi() {
        return jdbi;
    }
}
