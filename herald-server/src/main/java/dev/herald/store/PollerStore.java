package dev.herald.store;

import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.ConflictException;
import dev.herald.domain.Message;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.domain.Poller;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Polling endpoints and what they hold. A poller's entries are written with the messages themselves
 * ({@link MessageStore#INSERT_MESSAGES}); reading them follows V22__polling_endpoints.sql: in (xid, seq) order, and only
 * below the oldest transaction still running, so that no entry can ever appear behind a position already read.
 */
public final class PollerStore {
    private final Jdbi jdbi;

    public PollerStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A place in a poller's entries: after the entry (xid, seq); (0, 0) is before the first. */
    public record Position(long xid, long seq) {
        public static final Position START = new Position(0, 0);
        /** After every entry there can be (a bound for searching backwards). */
        static final Position MAX = new Position(Long.MAX_VALUE, Long.MAX_VALUE);

        boolean after(Position other) {
            return xid != other.xid ? Long.compareUnsigned(xid, other.xid) > 0 : seq > other.seq;
        }
    }

    /** A page of a poller's entries after a position, with their messages, below the fence of settled transactions. */
    static final String PAGE = """
            select e.xid::text::bigint as entry_xid, e.seq as entry_seq, m.*
            from poll_entry e join message m on m.id = e.msg_id
            where e.poller_id = :poller
              and (e.xid, e.seq) > (cast(cast(:xid as text) as xid8), :seq)
              and e.xid < cast(cast(:fence as text) as xid8)
              and (cast(:eventType as text) is null or m.event_type = :eventType)
              and (cast(:channel as text) is null or :channel = any(m.channels))
            order by e.xid, e.seq
            limit :limit
            """;

    /** A page read: the messages, the position after the last entry considered, and whether the reader caught up. */
    public record Read(List<Message> messages, Position next, boolean done) {}

    /**
     * Inserts under a row lock on the application, as endpoints are, so concurrent creates cannot pass
     * {@code maxPerApp} together.
     */
    public Poller insert(Poller poller, int maxPerApp) {
        try {
            return jdbi.inTransaction(h -> {
                boolean appExists = h.createQuery("select true from application where id = :app for update")
                        .bind("app", poller.appId()).mapTo(Boolean.class).findOne().isPresent();
                if (!appExists) throw new NotFoundException("application");
                int count = h.createQuery("select count(*) from poller where app_id = :app")
                        .bind("app", poller.appId()).mapTo(Integer.class).one();
                if (count >= maxPerApp) {
                    throw new ConflictException("limit_reached",
                            "An application may have at most " + maxPerApp + " polling endpoints");
                }
                return insertRow(h, poller);
            });
        } catch (RuntimeException e) {
            throw conflictOrRethrow(e);
        }
    }

    private static RuntimeException conflictOrRethrow(RuntimeException e) {
        return SqlErrors.isUniqueViolation(e) ? new ConflictException("A polling endpoint with this uid already exists") : e;
    }

    private static Poller insertRow(Handle h, Poller poller) {
        return h.createQuery("""
                insert into poller (id, app_id, uid, description, filter_types, channels, created_at, updated_at)
                values (:id, :appId, :uid, :description, :types, :channels, :createdAt, :updatedAt)
                returning *
                """)
                .bindMethods(poller)
                .bindByType("types", textArray(poller.filterTypes()), String[].class)
                .bindByType("channels", textArray(poller.channels()), String[].class)
                .map(PollerStore::map).one();
    }

    public Optional<Poller> update(Poller poller) {
        try {
            return updateRow(poller);
        } catch (RuntimeException e) {
            throw conflictOrRethrow(e);
        }
    }

    private Optional<Poller> updateRow(Poller poller) {
        return jdbi.withHandle(h -> h.createQuery("""
                update poller set uid = :uid, description = :description, filter_types = :types, channels = :channels,
                                  updated_at = :updatedAt
                where app_id = :appId and id = :id
                returning *
                """)
                .bindMethods(poller)
                .bindByType("types", textArray(poller.filterTypes()), String[].class)
                .bindByType("channels", textArray(poller.channels()), String[].class)
                .map(PollerStore::map).findOne());
    }

    /** By id or uid, within the application. */
    public Optional<Poller> find(String appId, String idOrUid) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from poller where app_id = :app and (id = :key or uid = :key) order by (id = :key) desc limit 1
                """).bind("app", appId).bind("key", idOrUid).map(PollerStore::map).findOne());
    }

    public Page<Poller> list(String appId, PageRequest page) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from poller
                where app_id = :app and (cast(:cursor as text) is null or id <cmp> :cursor)
                order by id <dir>
                limit :limit
                """), page).bind("app", appId).map(PollerStore::map).list());
        return Keyset.page(rows, page, Poller::id);
    }

    /** Deletes the poller, its entries (a trigger) and its consumers' positions. */
    public boolean delete(String appId, String id) {
        return jdbi.withHandle(h -> h.createUpdate("delete from poller where app_id = :app and id = :id")
                .bind("app", appId).bind("id", id).execute()) > 0;
    }

    /**
     * Up to {@code limit} of the poller's messages after {@code from}, oldest entry first, narrowed by an event type and
     * a channel (null: any). When fewer than {@code limit} match, the reader has caught up and the position moves past
     * every settled entry, matching or not, so that a narrow reader does not scan the same entries again.
     */
    public Read read(String pollerId, Position from, int limit, String eventType, String channel) {
        return jdbi.inTransaction(h -> {
            // a page is an index range scan and a key lookup per entry; with the planner's figures from before the
            // tables filled, it chose a hash join over every message instead: 130 ms a page (BENCHMARKS.md, session 29)
            h.execute(Database.INDEX_ACCESS_ONLY_IN_TRANSACTION);
            long fence = h.createQuery("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .mapTo(Long.class).one();
            var messages = new ArrayList<Message>();
            Position[] last = {from};
            h.createQuery(PAGE)
                    .bind("poller", pollerId).bind("xid", from.xid()).bind("seq", from.seq()).bind("fence", fence)
                    .bind("eventType", eventType).bind("channel", channel).bind("limit", limit)
                    .map((rs, ctx) -> {
                        last[0] = position(rs, ctx);
                        return MessageStore.map(rs, ctx);
                    })
                    .forEach(messages::add);
            boolean done = messages.size() < limit;
            Position next = last[0];
            if (done) {
                Position settled = lastSettled(h, pollerId, fence);
                if (settled != null && settled.after(next)) next = settled;
            }
            return new Read(messages, next, done);
        });
    }

    /** The newest entry below the fence: everything up to it has been written or never will be. */
    private static Position lastSettled(Handle h, String pollerId, long fence) {
        return h.createQuery("""
                select xid::text::bigint as entry_xid, seq as entry_seq from poll_entry
                where poller_id = :poller and xid < cast(cast(:fence as text) as xid8)
                order by xid desc, seq desc limit 1
                """).bind("poller", pollerId).bind("fence", fence)
                .map(PollerStore::position)
                .findOne().orElse(null);
    }

    /**
     * How far a message's commit can trail its creation. Entries are in commit order; a message created before another
     * can commit after it, but never by this much (a publish is one short transaction).
     */
    static final java.time.Duration COMMIT_SKEW = java.time.Duration.ofMinutes(1);

    /**
     * The position just before the first entry, in reading order, of a message created after {@code after} (Svix's
     * {@code after} and seek): reading from it gives every message created after then, and perhaps a few created just
     * before then that committed late, never fewer. The search starts at the last entry created {@link #COMMIT_SKEW}
     * before then, found from the newest end, so it reads the entries near that time, not the poller's whole history.
     */
    public Position positionAfter(String pollerId, Instant after) {
        return jdbi.inTransaction(h -> {
            h.execute(Database.INDEX_ACCESS_ONLY_IN_TRANSACTION);
            Position floor = h.createQuery("""
                    select xid::text::bigint as entry_xid, seq as entry_seq from poll_entry
                    where poller_id = :poller and created_at <= :floor
                    order by xid desc, seq desc limit 1
                    """).bind("poller", pollerId).bind("floor", after.minus(COMMIT_SKEW))
                    .map(PollerStore::position).findOne().orElse(Position.START);
            // from there on, the first entry created after then: the entries read are those of about COMMIT_SKEW
            Position firstLater = h.createQuery("""
                    select xid::text::bigint as entry_xid, seq as entry_seq from poll_entry
                    where poller_id = :poller and (xid, seq) > (cast(cast(:xid as text) as xid8), :seq) and created_at > :after
                    order by xid, seq limit 1
                    """).bind("poller", pollerId).bind("xid", floor.xid()).bind("seq", floor.seq()).bind("after", after)
                    .map(PollerStore::position).findOne().orElse(null);
            // and the entry just before it; none created after then: the newest, so reading starts with what comes
            Position before = firstLater == null ? Position.MAX : firstLater;
            return h.createQuery("""
                    select xid::text::bigint as entry_xid, seq as entry_seq from poll_entry
                    where poller_id = :poller and (xid, seq) < (cast(cast(:xid as text) as xid8), :seq)
                    order by xid desc, seq desc limit 1
                    """).bind("poller", pollerId).bind("xid", before.xid()).bind("seq", before.seq())
                    .map(PollerStore::position).findOne().orElse(Position.START);
        });
    }

    private static Position position(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Position(rs.getLong("entry_xid"), rs.getLong("entry_seq"));
    }

    /** Where the named consumer has read to; the start if it has not read yet. */
    public Position consumerPosition(String pollerId, String consumerId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select xid::text::bigint as entry_xid, seq as entry_seq from poll_consumer
                where poller_id = :poller and consumer_id = :consumer
                """).bind("poller", pollerId).bind("consumer", consumerId)
                .map(PollerStore::position)
                .findOne().orElse(Position.START));
    }

    public void saveConsumerPosition(String pollerId, String consumerId, Position position, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                insert into poll_consumer (poller_id, consumer_id, xid, seq, updated_at)
                values (:poller, :consumer, cast(cast(:xid as text) as xid8), :seq, :now)
                on conflict (poller_id, consumer_id) do update set xid = excluded.xid, seq = excluded.seq, updated_at = :now
                """).bind("poller", pollerId).bind("consumer", consumerId).bind("xid", position.xid())
                .bind("seq", position.seq()).bind("now", now).execute());
    }

    static Poller map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Poller(rs.getString("id"), rs.getString("app_id"), rs.getString("uid"), rs.getString("description"),
                stringSet(rs, "filter_types"), stringSet(rs, "channels"), JsonColumns.instant(rs, "created_at"),
                JsonColumns.instant(rs, "updated_at"));
    }
}
