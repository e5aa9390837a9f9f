package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.Attempt;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The attempt log and the per-endpoint/per-message delivery views built on it. */
public final class AttemptStore {
    private final Jdbi jdbi;

    public AttemptStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Filters of the attempt lists; null fields do not filter. {@code statusCodeClass} is 1..5 (x00s) or 0 (no
     * response); {@code eventTypes}, {@code channel} and {@code tag} are about the attempt's message.
     */
    public record AttemptFilter(String msgId, String endpointId, Integer status, Integer statusCodeClass,
                                Set<String> eventTypes, String channel, String tag, Instant before, Instant after) {}

    /** Filters of an endpoint's message list, about the message; null fields do not filter. */
    public record MessageStateFilter(Integer status, Set<String> eventTypes, String channel, String tag,
                                     Instant before, Instant after) {}

    public Page<Attempt> list(String appId, PageRequest page, AttemptFilter f) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select a.* from attempt a
                where a.app_id = :app
                  and (cast(:cursor as text) is null or a.id <cmp> :cursor)
                  and (cast(:msgId as text) is null or a.msg_id = :msgId)
                  and (cast(:endpointId as text) is null or a.endpoint_id = :endpointId)
                  and (cast(:status as int) is null or a.status = :status)
                  and (cast(:codeClass as int) is null
                       or (:codeClass = 0 and a.response_status_code = 0)
                       or (:codeClass > 0 and a.response_status_code / 100 = :codeClass))
                  and (cast(:eventTypes as text[]) is null and cast(:channel as text) is null and cast(:tag as text) is null
                       or exists (select 1 from message m where m.app_id = a.app_id and m.id = a.msg_id
                                  and (cast(:eventTypes as text[]) is null or m.event_type = any(:eventTypes))
                                  and (cast(:channel as text) is null or :channel = any(m.channels))
                                  and (cast(:tag as text) is null or :tag = any(m.tags))))
                  and (cast(:before as timestamptz) is null or a.created_at < :before)
                  and (cast(:after as timestamptz) is null or a.created_at > :after)
                order by a.id <dir>
                limit :limit
                """), page)
                .bind("app", appId)
                .bind("msgId", f.msgId())
                .bind("endpointId", f.endpointId())
                .bindByType("status", f.status(), Integer.class)
                .bindByType("codeClass", f.statusCodeClass(), Integer.class)
                .bindByType("eventTypes", textArray(f.eventTypes()), String[].class)
                .bindByType("channel", f.channel(), String.class)
                .bindByType("tag", f.tag(), String.class)
                .bindByType("before", f.before(), Instant.class)
                .bindByType("after", f.after(), Instant.class)
                .map(AttemptStore::map).list());
        return Keyset.page(rows, page, Attempt::id);
    }

    /** Replaces the response body an attempt recorded with {@code EXPUNGED}, as Svix's expunge content does. */
    public void expungeResponse(String msgId, String attemptId) {
        jdbi.useHandle(h -> h.createUpdate("update attempt set response = 'EXPUNGED' where msg_id = :msg and id = :id")
                .bind("msg", msgId).bind("id", attemptId).execute());
    }

    public Optional<Attempt> find(String appId, String msgId, String attemptId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from attempt where app_id = :app and msg_id = :msg and id = :id
                """).bind("app", appId).bind("msg", msgId).bind("id", attemptId).map(AttemptStore::map).findOne());
    }

    /**
     * The state of a message at one endpoint: its delivery still pending decides if it has one, else its newest (a
     * failed resend, newer than the scheduled delivery it was made beside, does not hide that delivery's next retry;
     * a resend that arrives ends that delivery, see {@code DeliveryQueue.END_SCHEDULED}). Every query here orders so.
     */
    public record DeliveryState(String msgId, String endpointId, int status, Instant nextAttempt) {}

    public List<DeliveryState> statesOfMessage(String msgId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select distinct on (endpoint_id) msg_id, endpoint_id, status, next_attempt_at
                from delivery where msg_id = :msg
                order by endpoint_id, status = 1 desc, id desc
                """).bind("msg", msgId).map(AttemptStore::mapState).list());
    }

    /** Whether the message was ever queued for the endpoint (svix-server resends only such pairs). */
    public boolean wasQueued(String msgId, String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from delivery where msg_id = :msg and endpoint_id = :ep)")
                .bind("msg", msgId).bind("ep", endpointId).mapTo(Boolean.class).one());
    }

    /** {@link #statesOfMessage(String)} a page at a time, keyed by endpoint id (svix-server's attempted destinations). */
    public Page<DeliveryState> statesOfMessage(String msgId, PageRequest page) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select distinct on (endpoint_id) msg_id, endpoint_id, status, next_attempt_at
                from delivery where msg_id = :msg and (cast(:cursor as text) is null or endpoint_id <cmp> :cursor)
                order by endpoint_id <dir>, status = 1 desc, id desc
                limit :limit
                """), page).bind("msg", msgId).map(AttemptStore::mapState).list());
        return Keyset.page(rows, page, DeliveryState::endpointId);
    }

    /**
     * Messages queued for an endpoint of {@code appId} with their state there, newest message first. The application
     * is bound as a constant: joined through the delivery's own column, the planner sorted every message of the table
     * (80 ms a page with 200,000 of them).
     */
    public Page<DeliveryState> statesOfEndpoint(String appId, String endpointId, PageRequest page, MessageStateFilter f) {
        var rows = jdbi.inTransaction(h -> statesOfEndpoint(h, "", appId, endpointId, page, f).map(AttemptStore::mapState).list());
        return Keyset.page(rows, page, DeliveryState::msgId);
    }

    /**
     * The statement of {@link #statesOfEndpoint}, after {@code prefix} ({@code "explain "} in its plan's test), in a
     * transaction restricted to index access: a walk in message order whatever the statistics say (with the figures of
     * 20,000 rows and a status filter the planner hashed every delivery of the endpoint and every message).
     */
    static org.jdbi.v3.core.statement.Query statesOfEndpoint(org.jdbi.v3.core.Handle h, String prefix, String appId,
                                                             String endpointId, PageRequest page, MessageStateFilter f) {
        h.execute(Database.INDEX_ACCESS_ONLY_IN_TRANSACTION);
        return Keyset.apply(h.createQuery(prefix + """
                select s.* from (
                    select distinct on (d.msg_id) d.msg_id, d.app_id, d.endpoint_id, d.status, d.next_attempt_at, d.created_at
                    from delivery d
                    where d.endpoint_id = :endpoint
                      and (cast(:cursor as text) is null or d.msg_id <cmp> :cursor)
                    order by d.msg_id <dir>, d.status = 1 desc, d.id desc
                ) s
                join message m on m.app_id = :app and m.id = s.msg_id
                where (cast(:status as int) is null or s.status = :status)
                  -- the message's time, not its latest delivery's: a resend writes a new delivery row, and a message
                  -- resent after the time bound moved across it (svix-server pages by when it first went to the endpoint)
                  and (cast(:before as timestamptz) is null or m.created_at < :before)
                  and (cast(:after as timestamptz) is null or m.created_at > :after)
                  and (cast(:eventTypes as text[]) is null or m.event_type = any(:eventTypes))
                  and (cast(:channel as text) is null or :channel = any(m.channels))
                  and (cast(:tag as text) is null or :tag = any(m.tags))
                order by s.msg_id <dir>
                limit :limit
                """), page)
                .bind("endpoint", endpointId)
                .bind("app", appId)
                .bindByType("status", f.status(), Integer.class)
                .bindByType("before", f.before(), Instant.class)
                .bindByType("after", f.after(), Instant.class)
                .bindByType("eventTypes", textArray(f.eventTypes()), String[].class)
                .bindByType("channel", f.channel(), String.class)
                .bindByType("tag", f.tag(), String.class);
    }

    /** The statement of {@link #endpointStats} (its plan's test explains it). */
    static final String ENDPOINT_STATS = """
            select status, count(*) as n from (
                select distinct on (msg_id) status from delivery
                where endpoint_id = :endpoint and msg_id >= :from and msg_id < :to
                order by msg_id, status = 1 desc, id desc
            ) s
            group by status
            """;

    /**
     * Counts of the endpoint's deliveries by state (each message's pending delivery, else its newest), for messages whose ids lie in
     * [fromMsgId, toMsgId): ids order by time, so the endpoint's index reads only the window's rows.
     */
    public Map<Integer, Long> endpointStats(String endpointId, String fromMsgId, String toMsgId) {
        return jdbi.withHandle(h -> h.createQuery(ENDPOINT_STATS).bind("endpoint", endpointId)
                .bind("from", fromMsgId)
                .bind("to", toMsgId)
                .reduceRows(new java.util.HashMap<Integer, Long>(), (map, row) -> {
                    map.put(row.getColumn("status", Integer.class), row.getColumn("n", Long.class));
                    return map;
                }));
    }

    private static DeliveryState mapState(ResultSet rs, StatementContext ctx) throws SQLException {
        return new DeliveryState(rs.getString("msg_id"), rs.getString("endpoint_id"), rs.getInt("status"),
                instant(rs, "next_attempt_at"));
    }

    static Attempt map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Attempt(
                rs.getString("id"),
                rs.getString("msg_id"),
                rs.getString("endpoint_id"),
                rs.getString("app_id"),
                rs.getLong("delivery_id"),
                rs.getString("url"),
                rs.getInt("attempt_number"),
                rs.getInt("status"),
                rs.getInt("response_status_code"),
                rs.getString("response"),
                rs.getLong("response_duration_ms"),
                rs.getString("error_message"),
                rs.getInt("trigger_type"),
                instant(rs, "next_attempt"),
                instant(rs, "created_at"));
    }
}
