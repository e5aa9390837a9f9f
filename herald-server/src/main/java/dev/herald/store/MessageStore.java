package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Message;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.routing.EndpointFilters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Messages and the fan-out that turns one message into a delivery row per matching endpoint. */
public final class MessageStore {
    private final Jdbi jdbi;
    private final Jdbi hotPath;
    private final EndpointFilters filters = new EndpointFilters();

    /** The endpoints a batch fans out to, in the order of endpoint_app_id_idx (so no plan needs anything else). */
    public static final String ENDPOINTS_OF_APPS = "select * from endpoint where app_id = any(:apps) and not disabled order by app_id, id";

    /** {@code hotPath}: the handle group commits run on ({@link Database#hotPathJdbi()}); all else runs on {@code jdbi}. */
    public MessageStore(Jdbi jdbi, Jdbi hotPath) {
        this.jdbi = jdbi;
        this.hotPath = hotPath;
    }

    /** Svix's rules (type filter, channels), then Herald's payload filter (parsed once per endpoint filter, not per message). */
    private boolean accepts(Endpoint endpoint, Message message, EndpointFilters.View view) {
        return endpoint.accepts(message.eventType(), message.channels()) && filters.passes(endpoint, view);
    }

    private static EndpointFilters.View viewOf(Message message) {
        return new EndpointFilters.View(message.eventType(), message.channels(), message.payload());
    }

    /**
     * Publishes many messages in one transaction (group commit): one insert for the messages, one read of
     * the apps' endpoints, one insert for every delivery. A duplicate eventId skips only its own message.
     * Returns, per message, the number of deliveries queued, or -1 for a duplicate eventId.
     */
    public int[] publishBatch(List<Message> batch, List<Instant> dues) {
        return hotPath.inTransaction(h -> {
            var rows = new java.util.ArrayList<java.util.Map<String, Object>>(batch.size());
            for (Message m : batch) {
                var row = new java.util.HashMap<String, Object>();
                row.put("id", m.id());
                row.put("app_id", m.appId());
                row.put("event_type", m.eventType());
                row.put("event_id", m.eventId());
                row.put("payload", m.payload());
                row.put("channels", m.channels());
                row.put("tags", m.tags());
                row.put("created_at", m.createdAt().toString());
                row.put("deliver_at", m.deliverAt() == null ? null : m.deliverAt().toString());
                row.put("payload_expires_at", m.payloadExpiresAt() == null ? null : m.payloadExpiresAt().toString());
                rows.add(row);
            }
            Set<String> inserted = new java.util.HashSet<>(h.createQuery("""
                    insert into message (id, app_id, event_type, event_id, payload, channels, tags, created_at,
                                         deliver_at, payload_expires_at)
                    select r.id, r.app_id, r.event_type, r.event_id, r.payload, r.channels, r.tags, r.created_at,
                           r.deliver_at, r.payload_expires_at
                    from jsonb_to_recordset(cast(:rows as jsonb)) as r(id text, app_id text, event_type text,
                         event_id text, payload text, channels text[], tags text[], created_at timestamptz,
                         deliver_at timestamptz, payload_expires_at timestamptz)
                    on conflict (app_id, event_id) where event_id is not null do nothing
                    returning id
                    """).bind("rows", JsonColumns.toJsonValue(rows)).mapTo(String.class).list());
            Set<String> apps = new java.util.HashSet<>();
            for (Message m : batch) if (inserted.contains(m.id())) apps.add(m.appId());
            var endpointsByApp = new java.util.HashMap<String, List<Endpoint>>();
            if (!apps.isEmpty()) {
                h.createQuery(ENDPOINTS_OF_APPS)
                        .bindByType("apps", apps.toArray(String[]::new), String[].class)
                        .map(EndpointStore::map)
                        .forEach(e -> endpointsByApp.computeIfAbsent(e.appId(), k -> new java.util.ArrayList<>()).add(e));
            }
            int[] queued = new int[batch.size()];
            var msgIds = new java.util.ArrayList<String>();
            var endpointIds = new java.util.ArrayList<String>();
            var appIds = new java.util.ArrayList<String>();
            var due = new java.util.ArrayList<String>();
            var fifo = new java.util.ArrayList<Boolean>();
            for (int i = 0; i < batch.size(); i++) {
                Message m = batch.get(i);
                if (!inserted.contains(m.id())) {
                    queued[i] = -1;
                    continue;
                }
                var view = viewOf(m);
                for (Endpoint e : endpointsByApp.getOrDefault(m.appId(), List.of())) {
                    if (!accepts(e, m, view)) continue;
                    msgIds.add(m.id());
                    endpointIds.add(e.id());
                    appIds.add(m.appId());
                    due.add(dues.get(i).toString());
                    fifo.add(e.fifo());
                    queued[i]++;
                }
            }
            if (!msgIds.isEmpty()) {
                Instant now = batch.get(0).createdAt();
                h.createUpdate("""
                        with queued as (
                            insert into delivery (msg_id, endpoint_id, app_id, trigger_type, status, attempt_count,
                                                  next_attempt_at, created_at, updated_at, fifo)
                            select d.msg_id, d.endpoint_id, d.app_id, 0, 1, 0, d.due, :now, :now, d.fifo
                            from unnest(cast(:msgIds as text[]), cast(:endpointIds as text[]), cast(:appIds as text[]),
                                        cast(:due as timestamptz[]), cast(:fifo as boolean[])) as d(msg_id, endpoint_id, app_id, due, fifo)
                            returning id, endpoint_id, next_attempt_at, fifo, msg_id, app_id, trigger_type
                        )
                        """ + QUEUE_ROWS)
                        .bindByType("msgIds", msgIds.toArray(String[]::new), String[].class)
                        .bindByType("endpointIds", endpointIds.toArray(String[]::new), String[].class)
                        .bindByType("appIds", appIds.toArray(String[]::new), String[].class)
                        .bindByType("due", due.toArray(String[]::new), String[].class)
                        .bindByType("fifo", fifo.toArray(Boolean[]::new), Boolean[].class)
                        .bind("now", now)
                        .execute();
            }
            return queued;
        });
    }

    /** Each new delivery's row in the work queue (see V9__narrow_queue.sql), from the rows of {@code queued}. */
    private static final String QUEUE_ROWS = """
            insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id, trigger_type)
            select id, endpoint_id, next_attempt_at, 0, fifo, msg_id, app_id, trigger_type from queued
            """;

    public void insertDeliveries(Handle h, String msgId, String appId, Collection<String> endpointIds, int trigger,
                                 Instant due, Instant now) {
        if (endpointIds.isEmpty()) return;
        var batch = h.prepareBatch("""
                with queued as (
                    insert into delivery (msg_id, endpoint_id, app_id, trigger_type, status, attempt_count,
                                          next_attempt_at, created_at, updated_at, fifo)
                    values (:msgId, :endpointId, :appId, :trigger, 1, 0, :due, :now, :now,
                            -- manual attempts (resend, recover) stay outside the order
                            :trigger = 0 and coalesce((select e.ordering = 'fifo' from endpoint e where e.id = :endpointId), false))
                    returning id, endpoint_id, next_attempt_at, fifo, msg_id, app_id, trigger_type
                )
                """ + QUEUE_ROWS);
        for (String endpointId : endpointIds) {
            batch.bind("msgId", msgId).bind("endpointId", endpointId).bind("appId", appId)
                    .bind("trigger", trigger).bind("due", due).bind("now", now).add();
        }
        batch.execute();
    }

    /** Queues one manual delivery (resend, recover, send-example): a single attempt, never retried. */
    public void enqueueManual(String msgId, String appId, Collection<String> endpointIds, Instant now) {
        jdbi.useTransaction(h -> insertDeliveries(h, msgId, appId, endpointIds, DeliveryStatus.TRIGGER_MANUAL, now, now));
    }

    public void insert(Message message) {
        jdbi.useHandle(h -> h.createUpdate("""
                insert into message (id, app_id, event_type, event_id, payload, channels, tags, created_at,
                                     deliver_at, payload_expires_at)
                values (:id, :appId, :eventType, :eventId, :payload, :channelsArray, :tagsArray, :createdAt,
                        :deliverAt, :payloadExpiresAt)
                """)
                .bindMethods(message)
                .bindByType("channelsArray", textArray(message.channels()), String[].class)
                .bindByType("tagsArray", textArray(message.tags()), String[].class)
                .execute());
    }

    public Optional<Message> find(String appId, String idOrEventId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from message where app_id = :app and (id = :key or event_id = :key)
                order by (id = :key) desc limit 1
                """)
                .bind("app", appId).bind("key", idOrEventId)
                .map(MessageStore::map).findOne());
    }

    public record MessageFilter(Set<String> eventTypes, String channel, Instant before, Instant after, String tag) {}

    public Page<Message> list(String appId, PageRequest page, MessageFilter filter) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from message
                where app_id = :app
                  and (cast(:cursor as text) is null or id <cmp> :cursor)
                  and (cast(:eventTypes as text[]) is null or event_type = any(:eventTypes))
                  and (cast(:channel as text) is null or :channel = any(channels))
                  and (cast(:tag as text) is null or :tag = any(tags))
                  and (cast(:before as timestamptz) is null or created_at < :before)
                  and (cast(:after as timestamptz) is null or created_at > :after)
                order by id <dir>
                limit :limit
                """), page)
                .bind("app", appId)
                .bindByType("eventTypes", textArray(filter.eventTypes()), String[].class)
                .bind("channel", filter.channel())
                .bind("tag", filter.tag())
                .bindByType("before", filter.before(), Instant.class)
                .bindByType("after", filter.after(), Instant.class)
                .map(MessageStore::map).list());
        return Keyset.page(rows, page, Message::id);
    }

    public static Message map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(
                rs.getString("id"),
                rs.getString("app_id"),
                rs.getString("event_type"),
                rs.getString("event_id"),
                rs.getString("payload"),
                stringSet(rs, "channels"),
                stringSet(rs, "tags"),
                instant(rs, "created_at"),
                instant(rs, "deliver_at"),
                instant(rs, "payload_expires_at"));
    }
}
