package dev.herald.client.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The relay's statements on {@code herald_outbox}: claim due rows, record outcomes, purge, count the backlog. */
final class OutboxStore {
    static final int PURGE_CHUNK = 1000;

    /** One statement claims and leases: a relay that dies leaves rows that fall due again when the lease ends. */
    private static final NamedSql CLAIM = NamedSql.of("""
            update herald_outbox o
               set next_attempt_at = :leaseEnd, attempts = o.attempts + 1
             where o.id in (select id from herald_outbox
                             where sent_at is null and next_attempt_at <= :now
                             order by next_attempt_at, id
                             for update skip locked
                             limit :limit)
            returning o.id, o.app_id, o.event_id, o.event_type, o.payload::text as payload, o.channels, o.tags, o.attempts
            """);
    private static final NamedSql MARK_SENT = NamedSql.of("""
            update herald_outbox
               set sent_at = :now, herald_msg_id = :messageId, last_error = null
             where id = :id and sent_at is null
            """);
    private static final NamedSql RESCHEDULE = NamedSql.of("""
            update herald_outbox
               set next_attempt_at = :at, last_error = :error
             where id = :id and sent_at is null
            """);
    private static final NamedSql PURGE = NamedSql.of("""
            delete from herald_outbox
             where id in (select id from herald_outbox where sent_at < :cutoff limit :chunk)
            """);
    private static final NamedSql BACKLOG = NamedSql.of("select count(*) from herald_outbox where sent_at is null");

    List<ClaimedEvent> claim(Connection c, Instant now, Instant leaseEnd, int limit) throws SQLException {
        var claimed = CLAIM.on(c).set("now", now).set("leaseEnd", leaseEnd).set("limit", limit).query(OutboxStore::event);
        // RETURNING follows no order: publish oldest first
        return claimed.stream().sorted(Comparator.comparingLong(ClaimedEvent::id)).toList();
    }

    void apply(Connection c, ClaimedEvent event, RelayOutcome outcome, Instant now) throws SQLException {
        switch (outcome) {
            case RelayOutcome.Sent sent -> MARK_SENT.on(c)
                    .set("now", now).set("messageId", sent.heraldMessageId()).set("id", event.id()).update();
            case RelayOutcome.RetryAt retry -> RESCHEDULE.on(c)
                    .set("at", retry.at()).set("error", retry.reason()).set("id", event.id()).update();
        }
    }

    /** Deletes up to one chunk of sent rows older than {@code cutoff}: the caller commits each chunk on its own. */
    int purgeSentChunk(Connection c, Instant cutoff) throws SQLException {
        return PURGE.on(c).set("cutoff", cutoff).set("chunk", PURGE_CHUNK).update();
    }

    long backlog(Connection c) throws SQLException {
        return BACKLOG.on(c).query(row -> row.getLong(1)).getFirst();
    }

    private static ClaimedEvent event(ResultSet row) throws SQLException {
        return new ClaimedEvent(row.getLong("id"), row.getString("app_id"), row.getString("event_id"),
                row.getString("event_type"), row.getString("payload"), textSet(row.getArray("channels")),
                textSet(row.getArray("tags")), row.getInt("attempts"));
    }

    private static Set<String> textSet(Array array) throws SQLException {
        if (array == null) return null;
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList((String[]) array.getArray())));
    }
}
