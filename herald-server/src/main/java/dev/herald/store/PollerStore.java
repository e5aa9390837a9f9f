package dev.herald.store;

import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.ConflictException;
import dev.herald.domain.Message;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.domain.Poller;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
            from poll_entry e
            -- the message's key is (app_id, id): by its id alone each lookup read the key of every application (a skip
            -- scan; all of the index before PostgreSQL 18)
            join message m on m.app_id = (select p.app_id from poller p where p.id = :poller) and m.id = e.msg_id
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
                AppLimit.check(h, poller.appId(), "poller", maxPerApp,
                        "An application may have at most " + maxPerApp + " polling endpoints");
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

    /** Whether a deleted endpoint or poller of this id still has rows to be purged (see DeletePurge). */
    public boolean removalPending(String id) {
        return DeletePurge.sinkPending(jdbi, id);
    }

    /**
     * Whether a polling endpoint of the application would take a message of this type and channels: the rule of the
     * publish's {@code polled} insert (no types is every type; channels, when set, must overlap).
     */
    public boolean anyAccepts(String appId, String eventType, java.util.Set<String> channels) {
        return jdbi.withHandle(h -> h.createQuery("""
                select exists (select 1 from poller p where p.app_id = :app
                  and (coalesce(cardinality(p.filter_types), 0) = 0 or :type = any(p.filter_types))
                  and (coalesce(cardinality(p.channels), 0) = 0 or p.channels && cast(:channels as text[])))
                """).bind("app", appId).bind("type", eventType)
                .bindByType("channels", channels == null ? null : channels.toArray(String[]::new), String[].class)
                .mapTo(Boolean.class).one());
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
            long fence = fence(h);
            var positions = new ArrayList<Position>();
            var messages = page(h, pollerId, from, fence, limit, eventType, channel, positions);
            boolean done = messages.size() < limit;
            Position next = positions.isEmpty() ? from : positions.getLast();
            if (done) {
                Position settled = lastSettled(h, pollerId, fence);
                if (settled != null && settled.after(next)) next = settled;
            }
            return new Read(messages, next, done);
        });
    }

    /** Up to {@code limit} messages after {@code from} below {@code fence}; each one's entry is added to {@code positions}. */
    private static List<Message> page(Handle h, String pollerId, Position from, long fence, int limit, String eventType,
                                      String channel, List<Position> positions) {
        return h.createQuery(PAGE)
                .bind("poller", pollerId).bind("xid", from.xid()).bind("seq", from.seq()).bind("fence", fence)
                .bind("eventType", eventType).bind("channel", channel).bind("limit", limit)
                .map((rs, ctx) -> {
                    positions.add(position(rs, ctx));
                    return MessageStore.map(rs, ctx);
                })
                .list();
    }

    /** The oldest transaction still running: entries below it are settled, no more can appear among them. */
    private static long fence(Handle h) {
        return h.createQuery("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint").mapTo(Long.class).one();
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
    static final Duration COMMIT_SKEW = Duration.ofMinutes(1);

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
            // and the entry just before it; none created after then: the newest, so reading starts with what comes.
            // Settled entries only (below the fence, as reads go): a transaction still open may commit entries below
            // an unsettled one, and a place past them would pass them over
            Position before = firstLater == null ? Position.MAX : firstLater;
            return h.createQuery("""
                    select xid::text::bigint as entry_xid, seq as entry_seq from poll_entry
                    where poller_id = :poller and (xid, seq) < (cast(cast(:xid as text) as xid8), :seq)
                      and xid < cast(cast(:fence as text) as xid8)
                    order by xid desc, seq desc limit 1
                    """).bind("poller", pollerId).bind("xid", before.xid()).bind("seq", before.seq()).bind("fence", fence(h))
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

    /** Sets where the consumer reads from next (Svix's first consumer poll, and seek); a lease it held ends. */
    public void saveConsumerPosition(String pollerId, String consumerId, Position position, Instant now) {
        jdbi.useTransaction(h -> {
            makeRoomFor(h, pollerId, consumerId);
            saveConsumerPosition(h, pollerId, consumerId, position, now);
        });
    }

    private static void saveConsumerPosition(Handle h, String pollerId, String consumerId, Position position, Instant now) {
        h.createUpdate("""
                insert into poll_consumer (poller_id, consumer_id, xid, seq, updated_at)
                values (:poller, :consumer, cast(cast(:xid as text) as xid8), :seq, :now)
                on conflict (poller_id, consumer_id) do update
                set xid = excluded.xid, seq = excluded.seq, updated_at = :now,
                    committed_offset = null, lease_until = null, lease_offsets = null, lease_xids = null, lease_seqs = null
                """).bind("poller", pollerId).bind("consumer", consumerId).bind("xid", position.xid())
                .bind("seq", position.seq()).bind("now", now).execute();
    }

    /**
     * The most named consumers a poller keeps: each is a row that a reader makes by naming it, so a key holder polling
     * with a new name each time must not grow the table without end. Retention forgets idle ones.
     */
    public static final int MAX_CONSUMERS = 1_000;

    /**
     * Refuses a consumer new to the poller once it has {@link #MAX_CONSUMERS}. New consumers of one poller are counted
     * one at a time, under a lock on the poller's row that leaves readers of known consumers alone.
     */
    private static void makeRoomFor(Handle h, String pollerId, String consumerId) {
        boolean known = h.createQuery("select true from poll_consumer where poller_id = :poller and consumer_id = :consumer")
                .bind("poller", pollerId).bind("consumer", consumerId).mapTo(Boolean.class).findOne().isPresent();
        if (known) return;
        h.createQuery("select true from poller where id = :poller for no key update").bind("poller", pollerId)
                .mapTo(Boolean.class).findOne();
        int count = h.createQuery("select count(*) from poll_consumer where poller_id = :poller")
                .bind("poller", pollerId).mapTo(Integer.class).one();
        if (count >= MAX_CONSUMERS) {
            throw new ConflictException("limit_reached", "A polling endpoint keeps at most " + MAX_CONSUMERS
                    + " named consumers: read as one it already has (they are forgotten after the retention period idle)");
        }
    }

    /**
     * Bits of an offset below the entry's transaction: an offset is {@code xid << 10 | rank}, the rank being the entry's
     * place among the poller's entries of that transaction. A publish transaction writes at most 500 messages
     * (PublishBatcher.MAX_BATCH), below 2^10. Offsets stay below 2^53, so that a JavaScript client reads them exactly,
     * until the database has run 2^43 (8.8 trillion) transactions.
     */
    public static final int OFFSET_RANK_BITS = 10;

    /** A lease poll's answer: the messages with their offsets; or, while another poll's lease runs, when it ends. */
    public record Leased(List<Message> messages, List<Long> offsets, boolean done, Instant heldUntil) {}

    /**
     * Svix's second consumer poll: up to {@code limit} of the poller's messages after the consumer's committed place,
     * leased to it until {@code now + lease}. While a lease runs, another poll is refused ({@link Leased#heldUntil});
     * once it has run out, the next poll answers the uncommitted messages again. A consumer polling for the first time
     * starts at the poller's first entry, or with {@code latest} after its newest settled one. An empty answer takes no
     * lease.
     */
    public Leased leasePoll(String pollerId, String consumerId, int limit, Duration lease, boolean latest, Instant now) {
        return jdbi.inTransaction(h -> {
            h.execute(Database.INDEX_ACCESS_ONLY_IN_TRANSACTION);
            // read before this transaction writes (and so takes an xid of its own): an earlier fence is only lower
            long fence = fence(h);
            Position start = latest ? Objects.requireNonNullElse(lastSettled(h, pollerId, fence), Position.START)
                    : Position.START;
            makeRoomFor(h, pollerId, consumerId);
            h.createUpdate("""
                    insert into poll_consumer (poller_id, consumer_id, xid, seq, updated_at)
                    values (:poller, :consumer, cast(cast(:xid as text) as xid8), :seq, :now)
                    on conflict (poller_id, consumer_id) do nothing
                    """).bind("poller", pollerId).bind("consumer", consumerId).bind("xid", start.xid())
                    .bind("seq", start.seq()).bind("now", now).execute();
            var consumer = h.createQuery("""
                    select xid::text::bigint as entry_xid, seq as entry_seq, lease_until from poll_consumer
                    where poller_id = :poller and consumer_id = :consumer for update
                    """).bind("poller", pollerId).bind("consumer", consumerId)
                    .map((rs, ctx) -> new Place(position(rs, ctx), JsonColumns.instant(rs, "lease_until"))).one();
            if (consumer.leaseUntil() != null && consumer.leaseUntil().isAfter(now)) {
                return new Leased(List.of(), List.of(), false, consumer.leaseUntil());
            }
            Position from = consumer.committed();

            var positions = new ArrayList<Position>();
            var messages = page(h, pollerId, from, fence, limit, null, null, positions);
            boolean done = messages.size() < limit;
            if (messages.isEmpty()) return new Leased(List.of(), List.of(), true, null);

            var offsets = offsets(h, pollerId, positions);
            h.createUpdate("""
                    update poll_consumer
                    set lease_until = :until, lease_offsets = :offsets, lease_xids = :xids, lease_seqs = :seqs,
                        updated_at = :now
                    where poller_id = :poller and consumer_id = :consumer
                    """).bind("poller", pollerId).bind("consumer", consumerId).bind("until", now.plus(lease))
                    .bindByType("offsets", offsets.toArray(Long[]::new), Long[].class)
                    .bindByType("xids", positions.stream().map(Position::xid).toArray(Long[]::new), Long[].class)
                    .bindByType("seqs", positions.stream().map(Position::seq).toArray(Long[]::new), Long[].class)
                    .bind("now", now).execute();
            return new Leased(messages, offsets, done, null);
        });
    }

    /**
     * The offsets of consecutive entries: each one's transaction and its rank among the poller's entries of that
     * transaction. Only the first transaction of the page may have entries before it (a count in the key's index); the
     * others start within the page.
     */
    private static List<Long> offsets(Handle h, String pollerId, List<Position> positions) {
        var offsets = new ArrayList<Long>(positions.size());
        Position first = positions.getFirst();
        long rank = h.createQuery("""
                select count(*) from poll_entry
                where poller_id = :poller and xid = cast(cast(:xid as text) as xid8) and seq < :seq
                """).bind("poller", pollerId).bind("xid", first.xid()).bind("seq", first.seq())
                .mapTo(Long.class).one();
        long xid = first.xid();
        for (Position p : positions) {
            if (p.xid() != xid) {
                xid = p.xid();
                rank = 0;
            }
            offsets.add(xid << OFFSET_RANK_BITS | rank++);
        }
        return offsets;
    }

    /** What a commit did: moved the consumer's place, found it already there or past, or named no leased offset. */
    public enum Commit { MOVED, ALREADY, NOT_LEASED }

    /**
     * Moves the consumer's place past the entry the lease handed out as {@code offset}. The lease goes on for the
     * entries after it, and ends when none are left. An offset at or below the committed one changes nothing (a commit
     * sent again); any other offset was not handed out by the consumer's last poll.
     */
    public Commit commit(String pollerId, String consumerId, long offset, Instant now) {
        return jdbi.inTransaction(h -> {
            var row = h.createQuery("""
                    select committed_offset, lease_offsets, lease_xids, lease_seqs from poll_consumer
                    where poller_id = :poller and consumer_id = :consumer for update
                    """).bind("poller", pollerId).bind("consumer", consumerId)
                    .map((rs, ctx) -> new LeaseRow((Long) rs.getObject("committed_offset"),
                            longs(rs, "lease_offsets"), longs(rs, "lease_xids"), longs(rs, "lease_seqs")))
                    .findOne().orElse(null);
            if (row == null) return Commit.NOT_LEASED;
            int i = row.offsets().indexOf(offset);
            if (i < 0) {
                return row.committed() != null && offset <= row.committed() ? Commit.ALREADY : Commit.NOT_LEASED;
            }
            int rest = i + 1;
            boolean leaseEnds = rest == row.offsets().size();
            h.createUpdate("""
                    update poll_consumer
                    set xid = cast(cast(:xid as text) as xid8), seq = :seq, committed_offset = :offset,
                        lease_until = case when :ends then null else lease_until end,
                        lease_offsets = :offsets, lease_xids = :xids, lease_seqs = :seqs, updated_at = :now
                    where poller_id = :poller and consumer_id = :consumer
                    """).bind("poller", pollerId).bind("consumer", consumerId)
                    .bind("xid", row.xids().get(i)).bind("seq", row.seqs().get(i)).bind("offset", offset)
                    .bind("ends", leaseEnds)
                    .bindByType("offsets", leaseEnds ? null : tail(row.offsets(), rest), Long[].class)
                    .bindByType("xids", leaseEnds ? null : tail(row.xids(), rest), Long[].class)
                    .bindByType("seqs", leaseEnds ? null : tail(row.seqs(), rest), Long[].class)
                    .bind("now", now).execute();
            return Commit.MOVED;
        });
    }

    private record Place(Position committed, Instant leaseUntil) {}

    private record LeaseRow(Long committed, List<Long> offsets, List<Long> xids, List<Long> seqs) {}

    private static List<Long> longs(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : List.of((Long[]) array.getArray());
    }

    private static Long[] tail(List<Long> values, int from) {
        return values.subList(from, values.size()).toArray(Long[]::new);
    }

    /**
     * A named consumer of a poller: its committed offset (null for one that reads by iterator), its lease (null when
     * none runs), when it last moved, and how many entries lie after its place, counted up to {@link #BEHIND_CAP}.
     */
    public record ConsumerView(String consumerId, Long committedOffset, Instant leaseUntil, Instant updatedAt, int behind) {}

    /** How far the count of entries behind a consumer goes: an index range read, bounded. */
    public static final int BEHIND_CAP = 10_000;

    /** The poller's consumers, by name, at most 100. */
    public List<ConsumerView> consumers(String pollerId, Instant now) {
        return jdbi.inTransaction(h -> {
            h.execute(Database.INDEX_ACCESS_ONLY_IN_TRANSACTION);
            return h.createQuery("""
                    select c.consumer_id, c.committed_offset, c.lease_until, c.updated_at,
                           (select count(*) from (select 1 from poll_entry e
                                                  where e.poller_id = c.poller_id and (e.xid, e.seq) > (c.xid, c.seq)
                                                  limit :cap) behind) as behind
                    from poll_consumer c where c.poller_id = :poller
                    order by c.consumer_id limit 100
                    """).bind("poller", pollerId).bind("cap", BEHIND_CAP)
                    .map((rs, ctx) -> {
                        Instant lease = JsonColumns.instant(rs, "lease_until");
                        return new ConsumerView(rs.getString("consumer_id"), (Long) rs.getObject("committed_offset"),
                                lease != null && lease.isAfter(now) ? lease : null, JsonColumns.instant(rs, "updated_at"),
                                rs.getInt("behind"));
                    })
                    .list();
        });
    }

    static Poller map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Poller(rs.getString("id"), rs.getString("app_id"), rs.getString("uid"), rs.getString("description"),
                stringSet(rs, "filter_types"), stringSet(rs, "channels"), JsonColumns.instant(rs, "created_at"),
                JsonColumns.instant(rs, "updated_at"));
    }
}
