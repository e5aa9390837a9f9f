package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.ConflictException;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Message;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
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

    public MessageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Stores the message and its deliveries in one transaction: once this returns, every matching
     * endpoint will receive it. Endpoints are read inside the transaction, so the fan-out sees a
     * consistent set. Returns the number of deliveries queued.
     */
    public int publish(Message message, Instant firstAttemptAt) {
        try {
            return jdbi.inTransaction(h -> publish(h, message, firstAttemptAt));
        } catch (RuntimeException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw new ConflictException("A message with this eventId already exists for this application");
            }
            throw e;
        }
    }

    public int publish(Handle h, Message message, Instant firstAttemptAt) {
        h.createUpdate("""
                insert into message (id, app_id, event_type, event_id, payload, channels, tags, created_at,
                                     deliver_at, payload_expires_at)
                values (:id, :appId, :eventType, :eventId, :payload, :channelsArray, :tagsArray, :createdAt,
                        :deliverAt, :payloadExpiresAt)
                """)
                .bindMethods(message)
                .bindByType("channelsArray", textArray(message.channels()), String[].class)
                .bindByType("tagsArray", textArray(message.tags()), String[].class)
                .execute();
        List<Endpoint> endpoints = h.createQuery("select * from endpoint where app_id = :app and not disabled")
                .bind("app", message.appId()).map(EndpointStore::map).list();
        var targets = endpoints.stream().filter(e -> e.accepts(message.eventType(), message.channels())).toList();
        insertDeliveries(h, message.id(), message.appId(), targets.stream().map(Endpoint::id).toList(),
                DeliveryStatus.TRIGGER_SCHEDULED, firstAttemptAt, message.createdAt());
        return targets.size();
    }

    public void insertDeliveries(Handle h, String msgId, String appId, Collection<String> endpointIds, int trigger,
                                 Instant due, Instant now) {
        if (endpointIds.isEmpty()) return;
        var batch = h.prepareBatch("""
                insert into delivery (msg_id, endpoint_id, app_id, trigger_type, status, attempt_count,
                                      next_attempt_at, created_at, updated_at)
                values (:msgId, :endpointId, :appId, :trigger, 1, 0, :due, :now, :now)
                """);
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
