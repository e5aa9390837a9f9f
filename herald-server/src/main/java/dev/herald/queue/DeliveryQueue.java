package dev.herald.queue;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.sealedSecrets;
import static dev.herald.store.JsonColumns.stringMap;

import dev.herald.domain.Attempt;
import dev.herald.domain.DeliveryStatus;
import dev.herald.store.DeletePurge;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * The durable delivery queue on PostgreSQL: one narrow {@code delivery_queue} row per pending delivery (the wide
 * {@code delivery} row keeps its state for the API). A claim takes due rows with {@code FOR UPDATE SKIP LOCKED}
 * and moves {@code next_attempt_at} to the lease end in the same statement, so the row leaves the due
 * set at once and returns by itself if the claiming node dies. Completions are fenced by the attempt
 * count, so a node whose lease ran out cannot overwrite the work of the node that took over; a finished
 * delivery's queue row is deleted.
 */
public final class DeliveryQueue {
    private final Jdbi hotPath;
    private final Jdbi jdbi;

    /**
     * The rows a claim may take: due, pending, not of an excluded, paused or deleted endpoint, not while all delivery is
     * paused, and for an ordered endpoint only its oldest pending delivery. Every test here is a plain filter on
     * the rows of {@code delivery_queue_due_idx} (paused endpoints as an array read once per claim, not an anti-join):
     * with a join, the planner's estimate for it (a few rows) made it sort every due row instead of reading
     * the index in due order, 260 ms instead of 6 ms for a claim over half a million due rows.
     */
    private static final String CLAIMABLE = """
            q.next_attempt_at <= :now
              and q.endpoint_id <> all(:excluded)
              and q.endpoint_id <> all(array(select p.endpoint_id from endpoint_pause p))
              -- a deleted endpoint's rows wait for the purge (DeletePurge): cancelling them one claim at a time held
              -- up every other endpoint's deliveries (200,000 rows: 9 s of claims, a healthy endpoint's up to 3.3 s)
              and q.<not_deleted>
              and not exists (select 1 from herald_flag f where f.name = 'delivery_paused')
              -- ordered endpoints take only their oldest pending delivery (none in flight or waiting before it); the
              -- row comparison only the (endpoint_id, delivery_id) index can serve: "o.delivery_id < q.delivery_id" let
              -- a generic plan made on an empty queue read every older row of the queue by its key instead
              and (not q.fifo or not exists (select 1 from delivery_queue o where o.endpoint_id = q.endpoint_id and o.fifo
                                               and (o.endpoint_id, o.delivery_id) < (q.endpoint_id, q.delivery_id)))"""
            .replace("<not_deleted>", DeletePurge.NOT_OF_A_DELETED_ENDPOINT);

    /** Due rows in due order, locked; rows another node holds are skipped. */
    private static final String PICK_DUE = """
            select delivery_id, next_attempt_at as due from delivery_queue q
            where <claimable>
            order by next_attempt_at
            limit :limit
            for update skip locked""".replace("<claimable>", CLAIMABLE);

    /**
     * The claim: due rows picked and leased in one statement (only their narrow queue rows are written), returned
     * with what sending needs (delivery, message, endpoint, application, live secrets). Package-private for the plan test.
     */
    static final String CLAIM = """
            with picked as (
                <picked>
            ), picks as (
                -- sorted by key, so that width_bucket finds each row's due time by binary search
                select array_agg(delivery_id order by delivery_id) as ids, array_agg(due order by delivery_id) as dues from picked
            ), claimed as (
                -- the picked rows found by key through an array, as the results' are: a join to the picked rows let a
                -- generic plan made on an empty queue read the whole table's key index for them
                update delivery_queue q
                set next_attempt_at = :leaseUntil, attempt_count = q.attempt_count + 1
                where q.delivery_id = any(cast((select ids from picks) as bigint[]))
                returning q.delivery_id as id, q.msg_id, q.endpoint_id, q.app_id, q.trigger_type, q.attempt_count, q.fifo,
                          ((select dues from picks))[width_bucket(q.delivery_id, (select ids from picks))] as due
            ), async_commit as materialized (
                -- this statement's commit does not wait for its WAL to reach the disk (a claim lost in a crash leaves
                -- its rows due, to be sent again: at least once holds); set for this transaction only
                select set_config('synchronous_commit', 'off', true) as setting
            ), secrets as materialized (
                -- live signing secrets, current first, once per endpoint (base64: plain text arrays for the driver),
                -- found by key through an array: "in (select ... from claimed)" let a generic plan made on an empty
                -- table read the secrets' whole index for every claim
                select s.endpoint_id,
                       array_agg(s.key_id order by s.expires_at desc nulls first) as secret_key_ids,
                       array_agg(encode(s.ciphertext, 'base64') order by s.expires_at desc nulls first) as secret_ciphertexts
                from endpoint_secret s
                where s.endpoint_id = any(cast((select array_agg(distinct endpoint_id) from claimed) as text[]))
                  and (s.expires_at is null or s.expires_at > :now)
                group by s.endpoint_id
            )
            -- outer joins: a delivery written as its endpoint or message was deleted comes back without them
            -- (as disabled, or without payload) and is cancelled instead of being claimed again at every lease.
            -- Each a lateral lookup by its whole key: as plain joins, a generic plan made on empty tables (one row
            -- expected everywhere) read the message table's whole key index once per claimed row; and by id alone it
            -- may pick the (app_id, id) index and skip through every application's part of it.
            select c.*, m.event_type, m.event_id, m.payload, m.created_at as msg_created_at, e.url, e.headers, e.headers_key_id, e.headers_sealed,
                   coalesce(e.disabled, true) as disabled, e.transformation, a.uid as app_uid, a.name as app_name,
                   -- the stricter of throttleRate and Svix's older rateLimit (Endpoint.throttle); least() passes over nulls
                   least(nullif(e.throttle_rate, 0), nullif(e.rate_limit, 0)) as endpoint_throttle,
                   least(nullif(a.throttle_rate, 0), nullif(a.rate_limit, 0)) as app_throttle,
                   sec.secret_key_ids, sec.secret_ciphertexts
            from claimed c
            cross join async_commit
            left join secrets sec on sec.endpoint_id = c.endpoint_id
            left join lateral (select * from message m where m.id = c.msg_id and m.app_id = c.app_id limit 1) m on true
            left join lateral (select * from endpoint e where e.id = c.endpoint_id and e.app_id = c.app_id limit 1) e on true
            left join lateral (select * from application a where a.id = c.app_id limit 1) a on true
            order by c.due, c.id
            """.replace("<picked>", PICK_DUE);

    /** The results of a batch in one statement (see {@link #complete}). Package-private for the plan test. */
    static final String COMPLETE = """
            with args as materialized (
                -- the per-delivery arrays converted once: each reads them through a scalar subquery (evaluated once per
                -- statement); a cast written in a row's expression converted the whole array again for every row
                select cast(:ids as bigint[]) as ids, cast(:attemptNumbers as int[]) as attempt_numbers,
                       cast(:statuses as smallint[]) as statuses, cast(:nexts as timestamptz[]) as nexts
            ), existing as materialized (
                -- the batch's deliveries that still exist, sorted for the binary search below
                select array(select d.id from delivery d where d.id = any(cast(:ids as bigint[])) order by d.id) as ids
            ), attempts as (
                insert into attempt (id, msg_id, endpoint_id, app_id, delivery_id, url, attempt_number, status,
                                     response_status_code, response, response_duration_ms, error_message,
                                     trigger_type, next_attempt, created_at)
                select u.* from unnest(cast(:id as text[]), cast(:msgId as text[]), cast(:endpointId as text[]),
                                     cast(:appId as text[]), cast(:deliveryId as bigint[]), cast(:url as text[]),
                                     cast(:attemptNumber as int[]), cast(:status as smallint[]), cast(:code as int[]),
                                     cast(:response as text[]), cast(:durationMs as bigint[]), cast(:error as text[]),
                                     cast(:trigger as smallint[]), cast(:next as timestamptz[]), cast(:createdAt as timestamptz[]))
                       as u(id, msg_id, endpoint_id, app_id, delivery_id)
                cross join existing x
                -- the delivery is deleted with its endpoint or message: then the attempt has nothing to belong to
                where case when cardinality(x.ids) = 0 then false
                           else (x.ids)[width_bucket(u.delivery_id, x.ids)] = u.delivery_id end
                /*again*/
                returning 1
            ), retried as (
                -- each row's new state found by its position in the arrays: no join, so the only way to the rows
                -- is the key (a join let an empty table's statistics put a full scan of delivery on the outside).
                -- The ids come sorted, and width_bucket finds a row's position by binary search (array_position
                -- reads the array from its start, so a batch's lookups grew with its square).
                -- Only rows still this attempt's (the fence) change: a retry gets its time, a finished one leaves
                -- Each part reads only its own rows: the ids still pending (retries) and the others (finished), so that a
                -- batch of successes does not fetch every row once more only to find none of them retried.
                update delivery_queue q
                set next_attempt_at = coalesce(((select nexts from args))[width_bucket(q.delivery_id, (select ids from args))], :now)
                where q.delivery_id = any(cast(:retriedIds as bigint[]))
                  and q.attempt_count = ((select attempt_numbers from args))[width_bucket(q.delivery_id, (select ids from args))]
                returning q.delivery_id
            ), finished as (
                delete from delivery_queue q
                where q.delivery_id = any(cast(:finishedIds as bigint[]))
                  and q.attempt_count = ((select attempt_numbers from args))[width_bucket(q.delivery_id, (select ids from args))]
                returning q.delivery_id
            ), states as (
                -- no indexed column changes here: the update can stay on the row's page (HOT)
                update delivery d
                set status = ((select statuses from args))[width_bucket(d.id, (select ids from args))],
                    next_attempt_at = ((select nexts from args))[width_bucket(d.id, (select ids from args))],
                    attempt_count = ((select attempt_numbers from args))[width_bucket(d.id, (select ids from args))],
                    updated_at = :now
                where d.id = any(array(select delivery_id from retried union all select delivery_id from finished))
                returning 1
            ), health as (
                update endpoint e
                set failing_since = case when e.id = any(:succeeded) then null else coalesce(e.failing_since, :now) end
                -- one index probe per endpoint (an OR of two would need a bitmap scan). The applications key the
                -- (app_id, id) index too: with the ids alone a plan made on empty tables could read all of that index
                -- (a skip scan over every application)
                where e.id = any(:touched) and e.app_id = any(:touchedApps)
                  and case when e.id = any(:succeeded) then e.failing_since is not null else e.failing_since is null end
                returning 1
            )
            select (select count(*) from states)
            """;

    /**
     * {@link #COMPLETE} for a batch a try of which may have committed before its answer was lost: an attempt already
     * written (the same id: a result keeps its attempt id across tries) is left as it is. Apart, so that the hot path's
     * inserts need no conflict check.
     */
    static final String COMPLETE_AGAIN = COMPLETE.replace("/*again*/", "on conflict (msg_id, id) do nothing");

    /**
     * The oldest pending rows of one endpoint due within {@code [:lo, :hi]} (ordered endpoints excepted: only their head
     * is ever claimable), the k-th moved to {@code from + min(k × step, horizon)}. Pacing, parking and releasing are
     * all this move over different ranges (see {@link #pace}, {@link #park}, {@link #release}).
     */
    static final String MOVE = """
            with due as (
                select delivery_id, next_attempt_at from delivery_queue
                where endpoint_id = :endpoint and not fifo
                  and next_attempt_at >= cast(:lo as timestamptz) and next_attempt_at <= cast(:hi as timestamptz)
                order by next_attempt_at
                limit :maxRows
                for update skip locked
            ), numbered as (
                select delivery_id, row_number() over (order by next_attempt_at, delivery_id) as k from due
            )
            update delivery_queue q
            set next_attempt_at = cast(:from as timestamptz)
                    + least(numbered.k * cast(:stepMicros as bigint), cast(:horizonMicros as bigint)) * interval '1 microsecond'
            from numbered
            where q.delivery_id = numbered.delivery_id
            """;

    /** The oldest parked row of one endpoint made due at {@code :until}: the breaker's next probe (see {@link #readyProbe}). */
    static final String READY_PROBE = """
            update delivery_queue q
            set next_attempt_at = :until
            where q.delivery_id = (select delivery_id from delivery_queue
                          where endpoint_id = :endpoint and not fifo
                            and next_attempt_at >= cast(:lo as timestamptz) and next_attempt_at <= cast(:hi as timestamptz)
                          order by next_attempt_at
                          limit 1
                          for update skip locked)
            """;

    /**
     * {@code hotPath} runs claims and results ({@code Database.hotPathJdbi()}: generic plans restricted to index access,
     * checked by HotPathPlanTest); {@code jdbi}, planning each execution, runs the rarer statements.
     */
    public DeliveryQueue(Jdbi hotPath, Jdbi jdbi) {
        this.hotPath = hotPath;
        this.jdbi = jdbi;
    }

    /**
     * Claims up to {@code limit} due deliveries, in due order, of endpoints other than {@code excludedEndpoints}. The
     * caller keeps each endpoint's share by the limit it asks for and the endpoints it leaves out (see the dispatcher).
     */
    public List<ClaimedDelivery> claim(int limit, Instant now, Duration lease, Collection<String> excludedEndpoints) {
        return hotPath.withHandle(h -> {
            var query = h.createQuery(CLAIM);
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
                        rs.getObject("app_throttle", Long.class),
                        sealedSecrets(rs),
                        rs.getBoolean("fifo"),
                        dev.herald.store.JsonColumns.sealedHeaders(rs)))
                .list();
        });
    }

    /**
     * Puts claimed rows back as they were, due when they were due (so their order is kept), undoing the
     * claim's attempt count (nothing was sent).
     */
    public void handBack(Collection<ClaimedDelivery> deliveries, Instant now) {
        var dueTimes = new java.util.LinkedHashMap<ClaimedDelivery, Instant>();
        for (var d : deliveries) dueTimes.put(d, d.due() == null || d.due().isAfter(now) ? now : d.due());
        putBack(dueTimes);
    }

    /**
     * Puts claimed rows back due at the given times (a throttled endpoint or application has no free slot
     * before then), undoing the claim's attempt count: nothing was sent, so nothing failed.
     */
    public void deferUntil(Map<ClaimedDelivery, Instant> dueTimes, Instant now) {
        var notBeforeNow = new java.util.LinkedHashMap<ClaimedDelivery, Instant>();
        dueTimes.forEach((d, due) -> notBeforeNow.put(d, due.isBefore(now) ? now : due));
        putBack(notBeforeNow);
    }

    /**
     * Claimed rows put back due at the given times with the claim's attempt count undone; a row another node took over
     * meanwhile (its attempt count moved on), or already finished (gone from the queue), is left alone. One statement
     * for the batch, its rows found by key as the results' are. Package-private for the plan test.
     */
    static final String PUT_BACK = """
            update delivery_queue q
            set next_attempt_at = (cast(:dues as timestamptz[]))[width_bucket(q.delivery_id, cast(:ids as bigint[]))],
                attempt_count = q.attempt_count - 1
            where q.delivery_id = any(cast(:ids as bigint[]))
              and q.attempt_count = (cast(:attemptNumbers as int[]))[width_bucket(q.delivery_id, cast(:ids as bigint[]))]
            """;

    /**
     * Runs on the dispatcher's thread between claims, so it is one round trip with the hot path's plan. It was a batch
     * of single-row updates, each planned on execution: in two of seven isolation benchmark runs they averaged 15 ms
     * per row (cause not found; 0.03 ms in the others), and no claim was made meanwhile.
     */
    private void putBack(Map<ClaimedDelivery, Instant> dueTimes) {
        if (dueTimes.isEmpty()) return;
        int n = dueTimes.size();
        var ids = new Long[n];
        var attemptNumbers = new Integer[n];
        var dues = new String[n];
        int i = 0;
        // sorted by key: the statement finds each row's place in the arrays by binary search (width_bucket)
        var byId = dueTimes.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.comparingLong(ClaimedDelivery::id))).toList();
        for (var e : byId) {
            ids[i] = e.getKey().id();
            attemptNumbers[i] = e.getKey().attemptNumber();
            dues[i] = e.getValue().toString();
            i++;
        }
        hotPath.useHandle(h -> h.createUpdate(PUT_BACK)
                .bindByType("ids", ids, Long[].class)
                .bindByType("attemptNumbers", attemptNumbers, Integer[].class)
                .bindByType("dues", dues, String[].class)
                .execute());
    }

    /** A row a pacing moved ahead: its key, and its attempt count then (a later claim or retry changes it). */
    public record PacedRow(long id, int attemptCount) {}

    /**
     * Spreads the due deliveries of one slow, saturated endpoint over the time it will take to send them: the
     * k-th oldest becomes due {@code k × step} from now (at most {@code horizon} ahead), in the order they
     * were due. Left due, they would sit at the head of the due index, and every claim would read past all of
     * them to reach other endpoints' work. Nothing else changes: no attempt is counted, no lease is taken.
     * Only rows due at or after {@code dueSince} are looked at (null: all): the index is read in due order, and rows
     * due earlier were moved last time, so the scan need not read past every other endpoint's backlog again (55 ms
     * instead of a few). Returns the rows moved (see {@link #unpace}).
     */
    public List<PacedRow> pace(String endpointId, Instant now, Instant dueSince, Duration step, Duration horizon, int maxRows) {
        return jdbi.withHandle(h -> bindMove(h.createQuery(MOVE + "\nreturning q.delivery_id, q.attempt_count"),
                        endpointId, dueSince, now, now, step, horizon, maxRows)
                .map((rs, ctx) -> new PacedRow(rs.getLong(1), rs.getInt(2)))
                .list());
    }

    /**
     * Makes rows that a pacing moved ahead due now again, in their order, when their endpoint turned out not to be slow
     * (a burst that met a cold start, a hiccup): paced, they would have waited up to the pacing's horizon. A row counts
     * only while it is still ahead of {@code now} with the attempt count it was paced with, so a row claimed or retried
     * since keeps its lease or its retry time. Returns the number of rows made due.
     */
    public int unpace(String endpointId, List<PacedRow> rows, Instant now) {
        if (rows.isEmpty()) return 0;
        Long[] ids = new Long[rows.size()];
        Integer[] counts = new Integer[rows.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rows.get(i).id();
            counts[i] = rows.get(i).attemptCount();
        }
        return jdbi.withHandle(h -> h.createUpdate(UNPACE)
                .bind("endpoint", endpointId)
                .bindByType("ids", ids, Long[].class)
                .bindByType("counts", counts, Integer[].class)
                .bind("now", now)
                .bind("from", now.minus(MICROSECOND.multipliedBy(ids.length)))
                .execute());
    }

    /** Paced rows still ahead with the attempt count they were paced with, made due a microsecond apart in their order. */
    static final String UNPACE = """
            with paced as (
                select q.delivery_id, q.next_attempt_at
                from delivery_queue q
                join unnest(cast(:ids as bigint[]), cast(:counts as int[])) as p(id, attempts)
                  on q.delivery_id = p.id and q.attempt_count = p.attempts
                -- a row parked for a pause since it was paced stays parked (PauseStore)
                where q.endpoint_id = :endpoint and q.next_attempt_at > :now and q.next_attempt_at <> 'infinity'
                for update of q skip locked
            ), numbered as (
                select delivery_id, row_number() over (order by next_attempt_at, delivery_id) as k from paced
            )
            update delivery_queue q
            set next_attempt_at = cast(:from as timestamptz) + numbered.k * interval '1 microsecond'
            from numbered
            where q.delivery_id = numbered.delivery_id
            """;

    /**
     * Parks the due deliveries of one endpoint whose breaker is open (due at or after {@code dueSince}, null: all): the
     * k-th oldest becomes due at {@code slot + k µs}, so a park is one short run of the due index, well after the
     * due rows, in the order they were due. As {@link #pace}, nothing else changes. Returns the number of rows parked.
     */
    public int park(String endpointId, Instant now, Instant dueSince, Instant slot, int maxRows) {
        return move(endpointId, dueSince, now, slot, MICROSECOND, MICROSECOND.multipliedBy(maxRows), maxRows);
    }

    /**
     * The deliveries queued after an ordered endpoint's delivery {@code deliveryId} made due no sooner than {@code until},
     * when it is retried: none of them may go before it, and left due, every claim read past them.
     */
    public void holdFollowers(Handle h, String endpointId, long deliveryId, int attemptNumber, Instant until) {
        // only while the head is this attempt's still (a late result of a claim another node took over holds nothing),
        // by the (endpoint_id, delivery_id) key the fifo index serves (a bare "delivery_id >" let a generic plan read the
        // primary key over every newer row), and a bounded number per result (the recorder's batch waits for it)
        h.createUpdate("""
                update delivery_queue q set next_attempt_at = :until
                where q.delivery_id in (
                    select f.delivery_id from delivery_queue f
                    where f.endpoint_id = :endpoint and f.fifo and (f.endpoint_id, f.delivery_id) > (:endpoint, :id)
                    order by f.endpoint_id, f.delivery_id
                    limit :most)
                  and q.next_attempt_at < :until
                  and exists (select 1 from delivery_queue h where h.delivery_id = :id and h.attempt_count = :attempt)
                """).bind("endpoint", endpointId).bind("id", deliveryId).bind("attempt", attemptNumber)
                .bind("until", until).bind("most", MAX_HELD_FOLLOWERS).execute();
    }

    /** How many of an ordered endpoint's queued deliveries one retry holds back; the rest stay due (read past by claims). */
    static final int MAX_HELD_FOLLOWERS = 10_000;

    /** Whether the endpoint is deleted (its row gone, or it or its application waiting to be purged). */
    public boolean endpointGone(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select not exists (select 1 from endpoint e where e.id = :endpoint)
                    or exists (select 1 from purge_pending p where p.kind = 'endpoint' and p.id = :endpoint)
                    or exists (select 1 from purge_pending p join endpoint e on e.app_id = p.id
                               where p.kind = 'application' and e.id = :endpoint)
                """).bind("endpoint", endpointId).mapTo(Boolean.class).one());
    }

    /**
     * Makes the oldest row of one endpoint parked within {@code [from, through]} due at {@code until}, so the breaker's
     * probe has a delivery to take then without the park being moved. Returns whether there was one.
     */
    public boolean readyProbe(String endpointId, Instant from, Instant through, Instant until) {
        return jdbi.withHandle(h -> h.createUpdate(READY_PROBE)
                .bind("endpoint", endpointId)
                .bind("lo", from)
                .bind("hi", through)
                .bind("until", until)
                .execute()) > 0;
    }

    /**
     * Makes the oldest {@code maxRows} rows of one endpoint parked within {@code [from, through]} due now, in their
     * order (one microsecond apart, the last at {@code now} at the latest). Returns the number of rows released.
     */
    public int release(String endpointId, Instant now, Instant from, Instant through, int maxRows) {
        Duration span = MICROSECOND.multipliedBy(maxRows);
        return move(endpointId, from, through, now.minus(span), MICROSECOND, span, maxRows);
    }

    private static final Duration MICROSECOND = Duration.ofNanos(1_000);

    /** The k-th oldest row of the endpoint due within {@code [lo, hi]} becomes due at {@code from + min(k × step, horizon)}. */
    private int move(String endpointId, Instant lo, Instant hi, Instant from, Duration step, Duration horizon, int maxRows) {
        return jdbi.withHandle(h -> bindMove(h.createUpdate(MOVE), endpointId, lo, hi, from, step, horizon, maxRows).execute());
    }

    private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindMove(T statement, String endpointId, Instant lo,
            Instant hi, Instant from, Duration step, Duration horizon, int maxRows) {
        return statement
                .bind("endpoint", endpointId)
                .bind("lo", lo == null ? Instant.EPOCH : lo)
                .bind("hi", hi)
                .bind("from", from)
                .bind("maxRows", maxRows)
                .bind("stepMicros", Math.max(1, step.toNanos() / 1_000))
                .bind("horizonMicros", horizon.toNanos() / 1_000);
    }

    /** Which of these deliveries still exist: deleting an endpoint, message or app deletes its deliveries. */
    public Set<Long> existing(Collection<Long> deliveryIds) {
        if (deliveryIds.isEmpty()) return Set.of();
        return jdbi.withHandle(h -> h.createQuery("select id from delivery where id in (<ids>)")
                .bindList("ids", List.copyOf(deliveryIds))
                .mapTo(Long.class)
                .set());
    }

    /** {@link #complete(Handle, List, Collection, Collection, Collection, Instant)} with no endpoint health to record. */
    public void complete(Handle h, List<CompletedDelivery> completed, Instant now) {
        complete(h, completed, List.of(), List.of(), List.of(), now, false);
    }

    /**
     * Writes the results of a batch in one statement (one round trip, one plan): the attempt rows, the deliveries'
     * new states, and the endpoints' health (the auto-disable clock): a success stops an endpoint's failing clock, a
     * failure starts it if it is not running, and an endpoint with both in the batch ends up not failing. Each part
     * works over arrays. A delivery whose attempt count moved on (another node took it over after its lease ran out)
     * keeps its state; an attempt whose delivery is gone (deleted with its endpoint or message) is not written.
     *
     * @param endpointApps the applications of the failed and succeeded endpoints (more do no harm): with them the
     *                     endpoints are found by either index's full key
     * @param again        a try of this batch may have committed already ({@link #COMPLETE_AGAIN})
     */
    public void complete(Handle h, List<CompletedDelivery> completed, Collection<String> failedEndpoints,
                        Collection<String> succeededEndpoints, Collection<String> endpointApps, Instant now, boolean again) {
        List<Attempt> attempts = completed.stream().map(CompletedDelivery::attempt).filter(a -> a != null).toList();
        completed = completed.stream().sorted(java.util.Comparator.comparingLong(CompletedDelivery::deliveryId)).toList();
        int n = completed.size();
        var ids = new Long[n];
        var attemptNumbers = new Integer[n];
        var statuses = new Integer[n];
        var nexts = new String[n];
        var retriedIds = new java.util.ArrayList<Long>();
        var finishedIds = new java.util.ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            var c = completed.get(i);
            ids[i] = c.deliveryId();
            attemptNumbers[i] = c.attemptNumber();
            statuses[i] = c.newStatus();
            boolean retried = c.newStatus() == DeliveryStatus.PENDING;
            nexts[i] = retried && c.nextAttemptAt() != null ? c.nextAttemptAt().toString() : null;
            (retried ? retriedIds : finishedIds).add(c.deliveryId());
        }
        var query = h.createQuery(again ? COMPLETE_AGAIN : COMPLETE)
                .bindByType("ids", ids, Long[].class)
                .bindByType("retriedIds", retriedIds.toArray(Long[]::new), Long[].class)
                .bindByType("finishedIds", finishedIds.toArray(Long[]::new), Long[].class)
                .bindByType("attemptNumbers", attemptNumbers, Integer[].class)
                .bindByType("statuses", statuses, Integer[].class)
                .bindByType("nexts", nexts, String[].class)
                .bindByType("touched", touched(failedEndpoints, succeededEndpoints), String[].class)
                .bindByType("touchedApps", endpointApps.toArray(String[]::new), String[].class)
                .bindByType("succeeded", succeededEndpoints.toArray(String[]::new), String[].class)
                .bind("now", now);
        bindAttempts(query, attempts);
        query.mapTo(Long.class).one();
    }

    private static String[] touched(Collection<String> failedEndpoints, Collection<String> succeededEndpoints) {
        var touched = new java.util.LinkedHashSet<String>(failedEndpoints);
        touched.addAll(succeededEndpoints);
        return touched.toArray(String[]::new);
    }

    private static void bindAttempts(SqlStatement<?> statement, List<Attempt> attempts) {
        int n = attempts.size();
        var id = new String[n];
        var msgId = new String[n];
        var endpointId = new String[n];
        var appId = new String[n];
        var deliveryId = new Long[n];
        var url = new String[n];
        var attemptNumber = new Integer[n];
        var status = new Integer[n];
        var code = new Integer[n];
        var response = new String[n];
        var durationMs = new Long[n];
        var error = new String[n];
        var trigger = new Integer[n];
        var next = new String[n];
        var createdAt = new String[n];
        for (int i = 0; i < n; i++) {
            Attempt a = attempts.get(i);
            id[i] = a.id();
            msgId[i] = a.msgId();
            endpointId[i] = a.endpointId();
            appId[i] = a.appId();
            deliveryId[i] = a.deliveryId();
            url[i] = a.url();
            attemptNumber[i] = a.attemptNumber();
            status[i] = a.status();
            code[i] = a.responseStatusCode();
            response[i] = a.response();
            durationMs[i] = a.responseDurationMs();
            error[i] = a.errorMessage();
            trigger[i] = a.triggerType();
            next[i] = a.nextAttempt() == null ? null : a.nextAttempt().toString();
            createdAt[i] = a.createdAt().toString();
        }
        statement.bindByType("id", id, String[].class)
                .bindByType("msgId", msgId, String[].class)
                .bindByType("endpointId", endpointId, String[].class)
                .bindByType("appId", appId, String[].class)
                .bindByType("deliveryId", deliveryId, Long[].class)
                .bindByType("url", url, String[].class)
                .bindByType("attemptNumber", attemptNumber, Integer[].class)
                .bindByType("status", status, Integer[].class)
                .bindByType("code", code, Integer[].class)
                .bindByType("response", response, String[].class)
                .bindByType("durationMs", durationMs, Long[].class)
                .bindByType("error", error, String[].class)
                .bindByType("trigger", trigger, Integer[].class)
                .bindByType("next", next, String[].class)
                .bindByType("createdAt", createdAt, String[].class);
    }

    /** A message and an endpoint: the pair a delivery and its retries are for. */
    public record Pair(String msgId, String endpointId) {}

    /**
     * What a successful manual attempt (a resend, a recovery, a replay) ends besides its own delivery: the message's
     * scheduled delivery to that endpoint, should it still be pending, is done too, its queue row deleted. As
     * svix-server, whose worker skips a retry whose destination a resend made successful: else the endpoint got the
     * message once more when the retry came due, and the message's state there read "success" with a retry queued.
     * Not fenced by attempt number: a try of it under way elsewhere is recorded as an attempt and changes no state,
     * its row being gone (see {@link #COMPLETE}).
     */
    static final String END_SCHEDULED = """
            with pending as materialized (
                -- each pair looked up in the (msg_id, endpoint_id) index, and the rows after by key: as joins, a plan
                -- made on empty tables read both tables' whole primary keys
                -- (a subquery per pair, which the planner cannot flatten into a join)
                select array(
                    select x.id from unnest(cast(:msgIds as text[]), cast(:endpointIds as text[])) as r(msg_id, endpoint_id)
                    cross join lateral unnest(array(
                        select d.id from delivery d
                        where d.msg_id = r.msg_id and d.endpoint_id = r.endpoint_id and d.status = 1 and d.trigger_type = 0
                    )) as x(id)
                ) as ids
            ), ended as (
                delete from delivery_queue q where q.delivery_id = any(cast((select ids from pending) as bigint[]))
                returning q.delivery_id
            )
            update delivery d set status = 0, next_attempt_at = null, updated_at = :now
            where d.id = any(array(select delivery_id from ended))
            """;

    /** See {@link #END_SCHEDULED}; run in the transaction that records the manual attempts' successes. */
    public void endScheduledOf(Handle h, List<Pair> resent, Instant now) {
        h.createUpdate(END_SCHEDULED)
                .bindByType("msgIds", resent.stream().map(Pair::msgId).toArray(String[]::new), String[].class)
                .bindByType("endpointIds", resent.stream().map(Pair::endpointId).toArray(String[]::new), String[].class)
                .bind("now", now)
                .execute();
    }

    /** The handle results are written on (see {@link #complete}). */
    public Jdbi hotPath() {
        return hotPath;
    }
}
