package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.routing.EndpointFilters;
import dev.herald.security.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Messages and the fan-out that turns one message into a delivery row per matching endpoint. */
public final class MessageStore {
    private final Jdbi jdbi;
    private final Jdbi hotPath;
    private final EndpointFilters filters;

    /** The endpoints a batch fans out to, in the order of endpoint_app_id_idx (so no plan needs anything else). */
    public static final String ENDPOINTS_OF_APPS = "select * from endpoint where app_id = any(:apps) and not disabled order by app_id, id";

    /** {@code hotPath}: the handle group commits run on ({@link Database#hotPathJdbi()}); all else runs on {@code jdbi}. */
    public MessageStore(Jdbi jdbi, Jdbi hotPath) {
        this(jdbi, hotPath, java.time.Clock.systemUTC());
    }

    /** {@code clock}: what refills applications' filter allowances ({@link EndpointFilters}). */
    public MessageStore(Jdbi jdbi, Jdbi hotPath, java.time.Clock clock) {
        this.jdbi = jdbi;
        this.hotPath = hotPath;
        this.filters = new EndpointFilters(clock);
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
     * Returns, per message, the number of deliveries queued, {@link #DUPLICATE} or {@link #APPLICATION_GONE}.
     */
    public int[] publishBatch(List<Message> batch, List<Instant> dues) {
        return publishBatch(batch, dues, null).queued();
    }

    /**
     * A lease the publishing node takes on the deliveries it publishes that are due by {@code from}: they are written
     * already claimed by it until {@code until}, and it sends them without claiming them (see the dispatcher). A node
     * that dies first leaves them to come back when the lease runs out, as a claimed delivery does. The deliveries of
     * {@code notLeased} endpoints are written due (the node's claims hold them back: slow, failing or full), except
     * those of {@code parkedAt}: endpoints a breaker holds, whose deliveries (unordered, and not due later anyway) are
     * written straight to their park, due at the time given. Written due, each was moved there by the next park. And
     * except those of {@code pacedAt}: slow endpoints, whose unordered deliveries are written where their pacing puts
     * them (see {@link Pace}) instead of due and then moved by the next pacing.
     */
    public record Lease(Instant from, Instant until, Collection<String> notLeased, Map<String, Instant> parkedAt,
                        Map<String, Pace> pacedAt) {
        public Lease(Instant from, Instant until) {
            this(from, until, List.of());
        }

        public Lease(Instant from, Instant until, Collection<String> notLeased) {
            this(from, until, notLeased, Map.of(), Map.of());
        }
    }

    /**
     * Where a slow endpoint's next deliveries go: each one gets a due time of its own, not before the time it was to be
     * due, spaced as the endpoint can take them. Called once per delivery, in order, by any of the publish writers.
     */
    public interface Pace {
        /** The due time for the endpoint's next delivery, due at {@code due} otherwise; later than {@code due}. */
        Instant next(Instant due);
    }

    /** A delivery written already leased to the publishing node, with what sending it needs. */
    public record LeasedDelivery(long id, Message message, Endpoint endpoint, Instant due, String appUid, String appName,
                                 Long appThrottle, List<SecretBox.Sealed> secrets) {}

    /**
     * Per message, what {@link #publishBatch(List, List)} answers; the deliveries written leased; how many were written
     * due for the claims besides those of the endpoints the lease named; which of those named got rows written due; and
     * the keys of the rows written paced, by endpoint (see {@link Lease#pacedAt}).
     */
    public record Published(int[] queued, List<LeasedDelivery> leased, int forClaims, Set<String> heldBackWithRows,
                            Map<String, List<Long>> paced) {
        public Published(int[] queued, List<LeasedDelivery> leased, int forClaims, Set<String> heldBackWithRows) {
            this(queued, leased, forClaims, heldBackWithRows, Map.of());
        }
    }

    /**
     * {@link #publishBatch(List, List)}, with the deliveries due by {@code lease.from()} written leased to this node
     * (null: none), except an ordered or paused endpoint's or one the lease names, and none while delivery is paused.
     */
    public Published publishBatch(List<Message> batch, List<Instant> dues, Lease lease) {
        return publishBatch(batch, dues, lease, null);
    }

    /**
     * {@link #publishBatch(List, List, Lease)}, storing besides, in the same transaction, the idempotency answer of each
     * message inserted whose request carried a key ({@code answers} parallel to {@code batch}, null where none; a null
     * list: none): the answer is durable exactly when the message is. A message whose key is sent with its answer
     * ({@link IdempotencyStore.ClaimingAnswer}) and that another request has or had is not written: {@link #KEY_TAKEN}.
     */
    public Published publishBatch(List<Message> batch, List<Instant> dues, Lease lease, List<IdempotencyStore.KeyedAnswer> answers) {
        return hotPath.inTransaction(h -> {
            boolean[] taken = keysTaken(h, answers);
            if (taken == null) return write(h, batch, dues, lease, answers);
            // the messages whose key another request has or had are not written: their requests settle the key
            var keptBatch = new java.util.ArrayList<Message>();
            var keptDues = new java.util.ArrayList<Instant>();
            var keptAnswers = new java.util.ArrayList<IdempotencyStore.KeyedAnswer>();
            for (int i = 0; i < batch.size(); i++) {
                if (taken[i]) continue;
                keptBatch.add(batch.get(i));
                keptDues.add(dues.get(i));
                keptAnswers.add(answers.get(i));
            }
            Published written = keptBatch.isEmpty() ? new Published(new int[0], List.of(), 0, Set.of())
                    : write(h, keptBatch, keptDues, lease, keptAnswers);
            int[] queued = new int[batch.size()];
            for (int i = 0, k = 0; i < batch.size(); i++) queued[i] = taken[i] ? KEY_TAKEN : written.queued()[k++];
            return new Published(queued, written.leased(), written.forClaims(), written.heldBackWithRows(), written.paced());
        });
    }

    /**
     * Claims the keys the batch's requests send with their answers ({@link IdempotencyStore.ClaimingAnswer}), first in
     * the transaction; per message, whether another request has or had its key. Null when none was taken.
     */
    private static boolean[] keysTaken(Handle h, List<IdempotencyStore.KeyedAnswer> answers) {
        if (answers == null) return null;
        var claiming = new java.util.ArrayList<IdempotencyStore.ClaimingAnswer>();
        var at = new java.util.ArrayList<Integer>();
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) instanceof IdempotencyStore.ClaimingAnswer c) {
                claiming.add(c);
                at.add(i);
            }
        }
        if (claiming.isEmpty()) return null;
        boolean[] claimed = IdempotencyStore.claimWithAnswers(h, claiming);
        boolean[] taken = new boolean[answers.size()];
        boolean any = false;
        for (int j = 0; j < claimed.length; j++) {
            if (!claimed[j]) {
                taken[at.get(j)] = true;
                any = true;
            }
        }
        return any ? taken : null;
    }

    private Published write(Handle h, List<Message> batch, List<Instant> dues, Lease lease,
                            List<IdempotencyStore.KeyedAnswer> answers) {
        int n = batch.size();
        var ids = new String[n];
        var messageAppIds = new String[n];
        var eventTypes = new String[n];
        var eventIds = new String[n];
        var payloads = new String[n];
        var channels = new String[n];
        var tags = new String[n];
        var createdAt = new String[n];
        var deliverAt = new String[n];
        var payloadExpiresAt = new String[n];
        for (int i = 0; i < n; i++) {
            Message m = batch.get(i);
            ids[i] = m.id();
            messageAppIds[i] = m.appId();
            eventTypes[i] = m.eventType();
            eventIds[i] = m.eventId();
            payloads[i] = m.payload();
            channels[i] = JsonColumns.arrayLiteral(m.channels());
            tags[i] = JsonColumns.arrayLiteral(m.tags());
            createdAt[i] = m.createdAt().toString();
            deliverAt[i] = m.deliverAt() == null ? null : m.deliverAt().toString();
            payloadExpiresAt[i] = m.payloadExpiresAt() == null ? null : m.payloadExpiresAt().toString();
        }
        Set<String> inserted = new java.util.HashSet<>(h.createQuery(INSERT_MESSAGES)
                .bindByType("ids", ids, String[].class)
                .bindByType("appIds", messageAppIds, String[].class)
                .bindByType("eventTypes", eventTypes, String[].class)
                .bindByType("eventIds", eventIds, String[].class)
                .bindByType("payloads", payloads, String[].class)
                .bindByType("channels", channels, String[].class)
                .bindByType("tags", tags, String[].class)
                .bindByType("createdAt", createdAt, String[].class)
                .bindByType("deliverAt", deliverAt, String[].class)
                .bindByType("payloadExpiresAt", payloadExpiresAt, String[].class)
                .mapTo(String.class).list());
        if (answers != null) {
            var toStore = new java.util.ArrayList<IdempotencyStore.Answer>();
            var noEffect = new java.util.ArrayList<IdempotencyStore.ClaimingAnswer>();
            for (int i = 0; i < n; i++) {
                boolean written = inserted.contains(batch.get(i).id());
                if (answers.get(i) instanceof IdempotencyStore.Answer a && written) toStore.add(a);
                if (answers.get(i) instanceof IdempotencyStore.ClaimingAnswer c && !written) noEffect.add(c);
            }
            IdempotencyStore.complete(h, toStore);
            IdempotencyStore.unclaim(h, noEffect); // a duplicate eventId or a deleted application: no 202 to keep
        }
        Set<String> liveApps = inserted.size() == n ? Set.of() : existingApps(h, batch, inserted);
        Set<String> apps = new java.util.HashSet<>();
        for (Message m : batch) if (inserted.contains(m.id())) apps.add(m.appId());
        var endpointsByApp = new java.util.HashMap<String, List<Endpoint>>();
        var sendingNeeds = new java.util.HashMap<String, SendingNeeds>(); // by endpoint id, with a lease only
        if (!apps.isEmpty() && lease == null) {
            h.createQuery(ENDPOINTS_OF_APPS)
                    .bindByType("apps", apps.toArray(String[]::new), String[].class)
                    .map(EndpointStore::map)
                    .forEach(e -> endpointsByApp.computeIfAbsent(e.appId(), k -> new java.util.ArrayList<>()).add(e));
        } else if (!apps.isEmpty()) {
            h.createQuery(ENDPOINTS_OF_APPS_TO_SEND)
                    .bindByType("apps", apps.toArray(String[]::new), String[].class)
                    .bind("now", lease.from())
                    .map((rs, ctx) -> {
                        var e = EndpointStore.map(rs, ctx);
                        sendingNeeds.put(e.id(), new SendingNeeds(e, rs.getString("app_uid"), rs.getString("app_name"),
                                rs.getObject("app_throttle", Long.class), JsonColumns.sealedSecrets(rs)));
                        return e;
                    })
                    .forEach(e -> endpointsByApp.computeIfAbsent(e.appId(), k -> new java.util.ArrayList<>()).add(e));
        }
        int[] queued = new int[batch.size()];
        var msgIds = new java.util.ArrayList<String>();
        var endpointIds = new java.util.ArrayList<String>();
        var appIds = new java.util.ArrayList<String>();
        var due = new java.util.ArrayList<String>();
        var fifo = new java.util.ArrayList<Boolean>();
        Map<String, Instant> parkedAt = lease == null ? Map.of() : lease.parkedAt();
        Map<String, Pace> pacedAt = lease == null ? Map.of() : lease.pacedAt();
        var writtenDue = new java.util.HashSet<String>(); // endpoints with a row not written to a park or a pace
        var writtenPaced = new java.util.HashSet<String>(); // the rows written paced: message id, space, endpoint id
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            if (!inserted.contains(m.id())) {
                queued[i] = liveApps.contains(m.appId()) ? DUPLICATE : APPLICATION_GONE;
                continue;
            }
            var view = viewOf(m);
            for (Endpoint e : endpointsByApp.getOrDefault(m.appId(), List.of())) {
                if (!accepts(e, m, view)) continue;
                msgIds.add(m.id());
                endpointIds.add(e.id());
                appIds.add(m.appId());
                Instant parked = e.fifo() ? null : parkedAt.get(e.id());
                // only what is due now: a scheduled message is paced, if need be, when it comes due
                Pace pace = pacedAt.isEmpty() || e.fifo() || parked != null || dues.get(i).isAfter(lease.from()) ? null
                        : pacedAt.get(e.id());
                if (parked != null && parked.isAfter(dues.get(i))) {
                    due.add(parked.toString());
                } else if (pace != null) {
                    due.add(pace.next(dues.get(i)).toString());
                    writtenPaced.add(m.id() + " " + e.id());
                } else {
                    due.add(dues.get(i).toString());
                    writtenDue.add(e.id());
                }
                fifo.add(e.fifo());
                queued[i]++;
            }
        }
        var leased = new java.util.ArrayList<LeasedDelivery>();
        int[] forClaims = {0};
        Set<String> heldBack = lease == null ? Set.of() : Set.copyOf(lease.notLeased());
        var heldBackWithRows = new java.util.HashSet<String>();
        var paced = new java.util.HashMap<String, List<Long>>();
        if (!msgIds.isEmpty()) {
            Instant now = batch.get(0).createdAt();
            var byMessage = new java.util.HashMap<String, Integer>();
            for (int i = 0; i < n; i++) byMessage.put(batch.get(i).id(), i);
            h.createQuery(INSERT_DELIVERIES)
                    .bindByType("msgIds", msgIds.toArray(String[]::new), String[].class)
                    .bindByType("endpointIds", endpointIds.toArray(String[]::new), String[].class)
                    .bindByType("appIds", appIds.toArray(String[]::new), String[].class)
                    .bindByType("due", due.toArray(String[]::new), String[].class)
                    .bindByType("fifo", fifo.toArray(Boolean[]::new), Boolean[].class)
                    .bind("now", now)
                    .bindByType("leaseFrom", lease == null ? null : lease.from(), Instant.class)
                    .bindByType("leaseUntil", lease == null ? null : lease.until(), Instant.class)
                    .bindByType("notLeased", lease == null ? new String[0] : lease.notLeased().toArray(String[]::new), String[].class)
                    .map((rs, ctx) -> new QueuedRow(rs.getLong("delivery_id"), rs.getString("msg_id"),
                            rs.getString("endpoint_id"), rs.getBoolean("leased")))
                    .forEach(row -> {
                        if (!row.leased()) {
                            if (!writtenPaced.isEmpty() && writtenPaced.contains(row.msgId() + " " + row.endpointId())) {
                                paced.computeIfAbsent(row.endpointId(), k -> new java.util.ArrayList<>()).add(row.deliveryId());
                            } else if (!heldBack.contains(row.endpointId())) {
                                forClaims[0]++;
                            } else if (writtenDue.contains(row.endpointId())) {
                                heldBackWithRows.add(row.endpointId());
                            }
                            return;
                        }
                        int i = byMessage.get(row.msgId());
                        SendingNeeds needs = sendingNeeds.get(row.endpointId());
                        leased.add(new LeasedDelivery(row.deliveryId(), batch.get(i), needs.endpoint(), dues.get(i),
                                needs.appUid(), needs.appName(), needs.appThrottle(), needs.secrets()));
                    });
        }
        return new Published(queued, leased, forClaims[0], heldBackWithRows, paced);
    }

    /** What sending to an endpoint needs: its row, and what the lease's endpoint query reads with it. */
    private record SendingNeeds(Endpoint endpoint, String appUid, String appName, Long appThrottle, List<SecretBox.Sealed> secrets) {}

    /** A queue row {@link #INSERT_DELIVERIES} wrote, and whether it was written leased. */
    private record QueuedRow(long deliveryId, String msgId, String endpointId, boolean leased) {}

    /**
     * {@link #ENDPOINTS_OF_APPS} with what sending needs besides (as the claim reads it): the application's uid, name
     * and throttle, and the endpoint's live signing secrets, current first. Each a lookup by key. Public for the plan test.
     */
    public static final String ENDPOINTS_OF_APPS_TO_SEND = """
            select e.*, a.uid as app_uid, a.name as app_name,
                   least(nullif(a.throttle_rate, 0), nullif(a.rate_limit, 0)) as app_throttle, -- as the claim reads it
                   sec.secret_key_ids, sec.secret_ciphertexts
            from endpoint e
            left join lateral (select * from application a where a.id = e.app_id limit 1) a on true
            left join lateral (
                select array_agg(s.key_id order by s.expires_at desc nulls first) as secret_key_ids,
                       array_agg(encode(s.ciphertext, 'base64') order by s.expires_at desc nulls first) as secret_ciphertexts
                from endpoint_secret s
                where s.endpoint_id = e.id and (s.expires_at is null or s.expires_at > :now)
            ) sec on true
            where e.app_id = any(:apps) and not e.disabled
            order by e.app_id, e.id
            """;

    /**
     * A batch's deliveries and their queue rows. With a lease ({@code :leaseUntil} not null) each row due by its start
     * is written claimed by this node (attempt 1, due again when the lease ends), except an ordered endpoint's (its
     * order is the claim's to keep), a paused endpoint's or one the lease names, and all while delivery is paused: as a
     * claim would skip them. Public for the plan test.
     */
    public static final String INSERT_DELIVERIES = """
            with queued as (
                insert into delivery (msg_id, endpoint_id, app_id, trigger_type, status, attempt_count,
                                      next_attempt_at, created_at, updated_at, fifo)
                select d.msg_id, d.endpoint_id, d.app_id, 0, 1, 0, d.due, :now, :now, d.fifo
                from unnest(cast(:msgIds as text[]), cast(:endpointIds as text[]), cast(:appIds as text[]),
                            cast(:due as timestamptz[]), cast(:fifo as boolean[])) as d(msg_id, endpoint_id, app_id, due, fifo)
                returning id, endpoint_id, next_attempt_at, fifo, msg_id, app_id, trigger_type
            ), paused as materialized (
                select array(select p.endpoint_id from endpoint_pause p) as ids
            ), leasing as materialized (
                select cast(:leaseFrom as timestamptz) as lease_from, cast(:leaseUntil as timestamptz) as lease_until,
                       (select ids from paused) || cast(:notLeased as text[]) as not_leased
                where cast(:leaseUntil as timestamptz) is not null
                  and not exists (select 1 from herald_flag f where f.name = 'delivery_paused')
            ), rows as (
                select q.*, l.lease_until,
                       coalesce(not q.fifo and q.next_attempt_at <= l.lease_from and q.endpoint_id <> all(l.not_leased), false) as leased,
                       q.endpoint_id = any(p.ids) as parked
                from queued q cross join paused p left join leasing l on true
            )
            -- a paused endpoint's row is written parked (PauseStore), its due time kept in paused_due
            insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id, trigger_type,
                                        paused_due)
            select id, endpoint_id, case when leased then lease_until when parked then 'infinity' else next_attempt_at end,
                   case when leased then 1 else 0 end, fifo, msg_id, app_id, trigger_type,
                   case when parked then next_attempt_at end
            from rows
            returning delivery_id, msg_id, endpoint_id, attempt_count = 1 as leased
            """;

    /** {@link #publishBatch}'s answer for a message whose eventId its application already has. */
    public static final int DUPLICATE = -1;
    /** {@link #publishBatch}'s answer for a message whose application is gone (deleted since the API looked it up). */
    public static final int APPLICATION_GONE = -2;
    /** {@link #publishBatch}'s answer for a message not written because another request has or had its idempotency key. */
    public static final int KEY_TAKEN = -3;

    /**
     * The messages of a batch, one array per column (cheaper for the database than a JSON document of rows: BENCHMARKS.md,
     * session 13), each only while its application exists. That check replaces a foreign key
     * (V10__message_without_foreign_key.sql): no row lock on the application per message.
     */
    static final String INSERT_MESSAGES = """
            with inserted as (
                insert into message (id, app_id, event_type, event_id, payload, channels, tags, created_at, deliver_at,
                                     payload_expires_at)
                select r.id, r.app_id, r.event_type, r.event_id, r.payload, cast(r.channels as text[]), cast(r.tags as text[]),
                       r.created_at, r.deliver_at, r.payload_expires_at
                from unnest(cast(:ids as text[]), cast(:appIds as text[]), cast(:eventTypes as text[]), cast(:eventIds as text[]),
                            cast(:payloads as text[]), cast(:channels as text[]), cast(:tags as text[]),
                            cast(:createdAt as timestamptz[]), cast(:deliverAt as timestamptz[]),
                            cast(:payloadExpiresAt as timestamptz[]))
                     as r(id, app_id, event_type, event_id, payload, channels, tags, created_at, deliver_at, payload_expires_at)
                where exists (select 1 from application a where a.id = r.app_id)
                on conflict (app_id, event_id) where event_id is not null do nothing
                returning id, app_id, event_type, channels, created_at
            ), polled as (
                -- the polling endpoints' entries, in the same statement and transaction as their messages
                insert into poll_entry (poller_id, msg_id, created_at)
                select p.id, i.id, i.created_at
                from inserted i join poller p on p.app_id = i.app_id
                -- Svix's rule, as Endpoint.accepts: no types is every type; channels, when set, must overlap
                where (coalesce(cardinality(p.filter_types), 0) = 0 or i.event_type = any(p.filter_types))
                  and (coalesce(cardinality(p.channels), 0) = 0 or p.channels && i.channels)
                order by i.id
            )
            select id from inserted
            """;

    /** The applications, of a batch's messages not inserted, that still exist (the others' messages were turned away for them). */
    private static Set<String> existingApps(Handle h, List<Message> batch, Set<String> inserted) {
        var apps = batch.stream().filter(m -> !inserted.contains(m.id())).map(Message::appId).distinct().toArray(String[]::new);
        return new java.util.HashSet<>(h.createQuery("select id from application where id = any(:apps)")
                .bindByType("apps", apps, String[].class)
                .mapTo(String.class).list());
    }

    /** Each new delivery's row in the work queue (see V9__narrow_queue.sql), from the rows of {@code queued}. */
    private static final String QUEUE_ROWS = """
            insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id, trigger_type,
                                        paused_due)
            select id, endpoint_id, case when p.paused then 'infinity' else next_attempt_at end, 0, fifo, msg_id, app_id,
                   trigger_type, case when p.paused then next_attempt_at end
            from queued
            -- a paused endpoint's row parked, as publishing writes it
            cross join lateral (select exists (select 1 from endpoint_pause e where e.endpoint_id = queued.endpoint_id) as paused) p
            """;

    /** A delivery to queue: a message to an endpoint. */
    private record Target(String msgId, String endpointId) {}

    private static void insertDeliveries(Handle h, List<Target> targets, String appId, int trigger, Instant due, Instant now) {
        if (targets.isEmpty()) return;
        var batch = h.prepareBatch("""
                with queued as (
                    insert into delivery (msg_id, endpoint_id, app_id, trigger_type, status, attempt_count,
                                          next_attempt_at, created_at, updated_at, fifo)
                    values (:msgId, :endpointId, :appId, :trigger, 1, 0, :due, :now, :now,
                            -- manual attempts (resend, recover, replay) stay outside the order
                            :trigger = 0 and coalesce((select e.ordering = 'fifo' from endpoint e where e.id = :endpointId), false))
                    returning id, endpoint_id, next_attempt_at, fifo, msg_id, app_id, trigger_type
                )
                """ + QUEUE_ROWS);
        for (Target target : targets) {
            batch.bind("msgId", target.msgId()).bind("endpointId", target.endpointId()).bind("appId", appId)
                    .bind("trigger", trigger).bind("due", due).bind("now", now).add();
        }
        batch.execute();
    }

    /** Queues one manual delivery (resend, recover, send-example): a single attempt, never retried. */
    public void enqueueManual(String msgId, String appId, Collection<String> endpointIds, Instant now) {
        var targets = endpointIds.stream().map(endpointId -> new Target(msgId, endpointId)).toList();
        jdbi.useTransaction(h -> insertDeliveries(h, targets, appId, DeliveryStatus.TRIGGER_MANUAL, now, now));
    }

    /**
     * Which messages of an endpoint's application a replay sends it, created from {@code since} (until {@code until},
     * if given). Replay-missing ({@link #missing}) takes those it never had a delivery of and its filters accept now.
     * A bulk replay takes those it had a delivery of, narrowed by the others when given: that delivery's status, an
     * attempt's status-code class (0 for no response, 1 to 5), the event types, a channel, a tag.
     */
    public record ReplayWindow(Instant since, Instant until, boolean missingOnly, Integer status, Integer codeClass,
                               Set<String> eventTypes, String channel, String tag) {
        public static ReplayWindow missing(Instant since, Instant until) {
            return new ReplayWindow(since, until, true, null, null, null, null, null);
        }
    }

    /**
     * Svix's replay-missing and bulk-replay: queues a manual delivery to {@code endpoint} of each message the window
     * selects whose payload is still kept. Returns how many were queued; {@code perPage} runs after each full page.
     */
    public int replay(Endpoint endpoint, ReplayWindow window, Instant now, Runnable perPage) {
        // ids order by the second they were made in, so the window's ids start near since's first id and end near
        // until's: read from there (from the application's first message, each replay read every older one first) to
        // there (the last page read on to the newest). A minute either way: an id is made a moment before its time is set
        String from = Ids.firstAt(Ids.MESSAGE, window.since().minus(ID_TIME_MARGIN));
        String upTo = window.until() == null ? null : Ids.firstAt(Ids.MESSAGE, window.until().plus(ID_TIME_MARGIN));
        return queueManualPages(endpoint, now, perPage, from, (h, cursor) -> {
            List<Message> selected = h.createQuery("""
                    select m.* from message m
                    where m.app_id = :app and m.created_at >= :since
                      and (cast(:until as timestamptz) is null or m.created_at < :until)
                      and m.id > :cursor and (cast(:upTo as text) is null or m.id < :upTo)
                      and m.payload is not null
                      and (cast(:eventTypes as text[]) is null or m.event_type = any(:eventTypes))
                      and (cast(:channel as text) is null or :channel = any(m.channels))
                      and (cast(:tag as text) is null or :tag = any(m.tags))
                      and case when :missingOnly
                          then not exists (select 1 from delivery d where d.msg_id = m.id and d.endpoint_id = :endpoint)
                          else exists (select 1 from delivery d where d.msg_id = m.id and d.endpoint_id = :endpoint
                                       and (cast(:status as int) is null or d.status = :status))
                               and (cast(:codeClass as int) is null or exists (
                                       select 1 from attempt a where a.msg_id = m.id and a.endpoint_id = :endpoint
                                         and a.response_status_code / 100 = :codeClass))
                          end
                    order by m.id
                    limit :limit
                    """)
                    .bind("app", endpoint.appId()).bind("since", window.since())
                    .bindByType("until", window.until(), Instant.class)
                    .bind("cursor", cursor).bind("upTo", upTo).bind("endpoint", endpoint.id()).bind("limit", MANUAL_PAGE)
                    .bind("missingOnly", window.missingOnly())
                    .bindByType("status", window.status(), Integer.class)
                    .bindByType("codeClass", window.codeClass(), Integer.class)
                    .bindByType("eventTypes", textArray(window.eventTypes()), String[].class)
                    .bind("channel", window.channel()).bind("tag", window.tag())
                    .map(MessageStore::map).list();
            var queue = selected.stream().filter(m -> !window.missingOnly()
                            || (endpoint.accepts(m.eventType(), m.channels()) && filters.passesReplaying(endpoint, viewOf(m))))
                    .map(Message::id).toList();
            return new ManualPage(selected.size(), queue, selected.isEmpty() ? null : selected.get(selected.size() - 1).id());
        });
    }

    /**
     * Svix's recover: queues a manual delivery to {@code endpoint} of each message whose delivery there failed in
     * [since, until) and which has none delivered or still pending there, nor an expired payload. Failed includes
     * cancelled unsent (4): a delivery waiting for its retry when the endpoint was disabled (by hand, or after days of
     * failure) is cancelled, and recovering after enabling it again must send those too (an expunged message is
     * cancelled as well, and passed over here for its blank payload). Returns how many were queued; {@code perPage}
     * runs after each full page.
     */
    public int recover(Endpoint endpoint, Instant since, Instant until, Instant now, Runnable perPage) {
        // by the deliveries' times, not the messages' (a resend's delivery is newer than its message): no id bound
        return queueManualPages(endpoint, now, perPage, null, (h, cursor) -> {
            var failed = h.createQuery("""
                    select d.msg_id,
                           exists (select 1 from message m where m.app_id = :app and m.id = d.msg_id
                                   and m.payload is not null) as kept
                    from delivery d
                    where d.endpoint_id = :endpoint and d.status in (2, 4)
                      and d.created_at >= :since and (cast(:until as timestamptz) is null or d.created_at < :until)
                      and (cast(:cursor as text) is null or d.msg_id > :cursor)
                    group by d.msg_id
                    having not exists (select 1 from delivery s where s.endpoint_id = :endpoint and s.msg_id = d.msg_id
                                       and s.status in (0, 1))
                    order by d.msg_id
                    limit :limit
                    """)
                    .bind("app", endpoint.appId()).bind("endpoint", endpoint.id()).bind("since", since)
                    .bindByType("until", until, Instant.class).bind("cursor", cursor).bind("limit", MANUAL_PAGE)
                    .map((rs, ctx) -> Map.entry(rs.getString("msg_id"), rs.getBoolean("kept"))).list();
            var queue = failed.stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
            return new ManualPage(failed.size(), queue, failed.isEmpty() ? null : failed.get(failed.size() - 1).getKey());
        });
    }

    /** How far a message's id may be made before its created_at (see {@link #replay}). */
    static final java.time.Duration ID_TIME_MARGIN = java.time.Duration.ofMinutes(1);

    /** Messages a recovery or replay reads and queues per transaction. */
    static final int MANUAL_PAGE = 1_000;

    /** One page of a recovery or replay: how many rows it read, the messages to queue, and the cursor past it. */
    private record ManualPage(int read, List<String> queue, String lastId) {}

    /** Reads the page after a cursor (null: the first), in the page's transaction. */
    private interface ManualSelection {
        ManualPage select(Handle h, String cursor);
    }

    /**
     * Queues the manual deliveries a recovery or replay selects, a page per transaction, under a lock per endpoint:
     * one cut short leaves the rest unqueued, so running it again finishes it, and two at once take turns, so the
     * second sees what the first queued and queues nothing twice.
     */
    private int queueManualPages(Endpoint endpoint, Instant now, Runnable perPage, String from, ManualSelection selection) {
        int queued = 0;
        String after = from;
        while (true) {
            String cursor = after;
            var page = jdbi.inTransaction(h -> {
                h.createQuery("select pg_advisory_xact_lock(hashtext(:endpoint))").bind("endpoint", endpoint.id())
                        .mapTo(String.class).one();
                // deleted meanwhile: its purge may already have dropped its note (under this lock), and rows written now
                // would be nobody's to remove (a replay-missing finds every message again once the purge took its rows)
                boolean live = h.createQuery("select exists (select 1 from endpoint where id = :endpoint)")
                        .bind("endpoint", endpoint.id()).mapTo(Boolean.class).one();
                if (!live) return new ManualPage(0, List.of(), null);
                var selected = selection.select(h, cursor);
                insertDeliveries(h, selected.queue().stream().map(msgId -> new Target(msgId, endpoint.id())).toList(),
                        endpoint.appId(), DeliveryStatus.TRIGGER_MANUAL, now, now);
                return selected;
            });
            queued += page.queue().size();
            if (page.read() < MANUAL_PAGE) return queued;
            after = page.lastId();
            perPage.run();
        }
    }

    /**
     * Svix's expunge content: the message's payload is blanked at once, as retention would (the API then shows
     * {@code {"expired":true}}, and its deliveries still queued are cancelled when claimed). False if there is no such
     * message.
     */
    public boolean expungeContent(String appId, String msgId) {
        return jdbi.withHandle(h -> h.createUpdate("update message set payload = null where app_id = :app and id = :id")
                .bind("app", appId).bind("id", msgId).execute()) > 0;
    }

    /**
     * Svix's bulk expunge: blanks the payloads of the messages named by id or by {@code eventId}, in one statement.
     * Returns the keys that named a message (one already blank counts: its content is gone either way).
     */
    public Set<String> expungeContents(String appId, Collection<String> keys) {
        if (keys.isEmpty()) return Set.of();
        var hit = jdbi.withHandle(h -> h.createQuery("""
                update message set payload = null
                where app_id = :app and (id = any(:keys) or event_id = any(:keys))
                returning id, event_id
                """)
                .bind("app", appId).bindByType("keys", keys.toArray(String[]::new), String[].class)
                .map((rs, c) -> new String[] {rs.getString("id"), rs.getString("event_id")}).list());
        var found = new java.util.HashSet<String>();
        for (String[] ids : hit) {
            found.add(ids[0]);
            if (ids[1] != null) found.add(ids[1]);
        }
        found.retainAll(keys);
        return found;
    }

    /**
     * Blanks every payload of the application (Svix's expunge-all-contents), in bounded batches ({@code perBatch} runs
     * after each full one); returns how many.
     */
    public long expungeAllContents(String appId, Runnable perBatch) {
        long total = 0;
        while (true) {
            int changed = jdbi.withHandle(h -> h.createUpdate("""
                    update message set payload = null
                    where (app_id, id) in (select app_id, id from message where app_id = :app and payload is not null limit :batch)
                    """).bind("app", appId).bind("batch", RetentionStore.BATCH).execute());
            total += changed;
            if (changed < RetentionStore.BATCH) return total;
            perBatch.run();
        }
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

    /** The application's messages with these ids, by id, in one statement (a list page's, not one query a row). */
    public Map<String, Message> findAll(String appId, Collection<String> ids) {
        if (ids.isEmpty()) return Map.of();
        var found = new java.util.HashMap<String, Message>();
        jdbi.useHandle(h -> h.createQuery("select * from message where app_id = :app and id = any(:ids)")
                .bind("app", appId).bindByType("ids", ids.toArray(String[]::new), String[].class)
                .map(MessageStore::map).forEach(m -> found.put(m.id(), m)));
        return found;
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
