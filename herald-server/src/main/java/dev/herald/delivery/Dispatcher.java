package dev.herald.delivery;

import dev.herald.metrics.DeliveryMetrics;
import dev.herald.outbound.DeliveryResult;
import dev.herald.outbound.OutboundRequest;
import dev.herald.outbound.WebhookClient;
import dev.herald.queue.ClaimedDelivery;
import dev.herald.queue.DeliveryQueue;
import dev.herald.queue.QueueSignal;
import dev.herald.store.EndpointStore;
import dev.herald.store.MessageStore;
import dev.herald.store.ThrottleStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries and sends them. A global cap bounds deliveries claimed but not yet recorded;
 * each endpoint has a lane (see {@link EndpointLane}) capping its concurrent requests, so one slow
 * endpoint cannot hold the others' slots. A claim asks for no more rows than the lanes it includes have room for
 * (a nearly full lane is left out), so claimed rows are rarely handed straight back to the queue. An endpoint that
 * keeps failing is stopped for a while by its lane's {@link CircuitBreaker}, and its due deliveries held back.
 */
public final class Dispatcher implements PublishBatcher.Leases, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * How far a throttled endpoint or application may run ahead of its rate: a bucket holds one second's worth
     * of requests (at least one), so a backlog starts at once but no second ever carries much more than twice
     * the rate, and a node-local pause cannot build up credit.
     */
    static final Duration THROTTLE_BURST = Duration.ofSeconds(1);
    /** Requests in flight to one new or slow endpoint (see {@link EndpointLane}); fast ones may use the configured cap. */
    static final int SLOW_ENDPOINT_IN_FLIGHT = 32;
    /** How often, at most, a full lane's due deliveries are paced or held back; how far ahead; how many at once. */
    static final Duration PACE_INTERVAL = Duration.ofMillis(250);
    static final Duration PACE_HORIZON = Duration.ofSeconds(60);
    static final int PACE_MAX_ROWS = 10_000;
    /** A lane with nothing out for this long is dropped (and its endpoint starts again at the slow cap). */
    static final Duration IDLE_LANE_KEPT = Duration.ofMinutes(10);

    /** @param breakerFailures failed requests in a row after which an endpoint's breaker opens; 0: never */
    public record Settings(int batchSize, Duration lease, Duration pollInterval, int maxInFlight,
                           int maxInFlightPerEndpoint, Duration shutdownTimeout, int breakerFailures, Duration requestTimeout) {}

    private final DeliveryQueue queue;
    private final WebhookClient client;
    private final DeliveryRequests requests;
    private final DeliveryRecorder recorder;
    private final QueueSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final DeliveryMetrics metrics;
    private final ThrottleStore throttles;
    /** The earliest time a delivery this node deferred for throttling is due again (dispatcher thread only). */
    private Instant throttleWake;
    private final OpenedSecrets openedSecrets;
    private final Semaphore inFlight;
    private final ConcurrentHashMap<String, EndpointLane> lanes = new ConcurrentHashMap<>();
    /**
     * The lanes a claim must look at: given work since they were last idle, or still held, parked or paced. Each claim
     * walks these, not every lane (the lanes of all endpoints sent to in {@link #IDLE_LANE_KEPT}: walked per claim,
     * 10,000 of them cost 37 µs of CPU per delivery).
     */
    private final Set<String> activeLanes = ConcurrentHashMap.newKeySet();
    /**
     * The lanes a lease must look at: given work since a lease last found them idle, or held. The publish writer walks
     * these once per batch and drops the idle ones (the claims' {@link #activeLanes} are pruned only once per poll
     * interval while deliveries are leased: with 10,000 endpoints each lease walked thousands of idle lanes).
     */
    private final Set<String> lanesForLeases = ConcurrentHashMap.newKeySet();
    /** When {@link #dropIdleLanes} next runs (System.nanoTime). */
    private long nextIdleLaneSweep = System.nanoTime();
    /**
     * The deliveries this node holds, each with one of its slots, by claim: a delivery whose result could not be written
     * within its lease is claimed again by this node while the first result waits, and then held twice (keyed by its
     * id alone, the second claim took the first's entry, and the two gave back one slot: a node left without slots
     * never delivered again).
     */
    private final ConcurrentHashMap<Claim, ClaimedDelivery> outstanding = new ConcurrentHashMap<>();

    /** One claim of a delivery: its attempt number counts the claims. */
    private record Claim(long deliveryId, int attemptNumber) {
        static Claim of(ClaimedDelivery d) {
            return new Claim(d.id(), d.attemptNumber());
        }
    }
    /** Deliveries this node published leased to itself (see {@link #lease}); whether it takes such leases now. */
    private final LeasedInbox leasedAtPublish = new LeasedInbox();
    private volatile boolean takingLeases;
    /**
     * The endpoints the last claim left out, or whose rows it parks or paces: their new deliveries are written due
     * instead of leased, for the claims to keep them waiting as they keep the others.
     */
    private volatile List<String> heldBackAtLastClaim = List.of();
    /**
     * The endpoints a breaker holds whose park has rows, each with the end of its park: while the breaker holds it, a
     * lease has their new deliveries written there (see {@link MessageStore.Lease#parkedAt}), not due and then moved
     * by the next park. Replaced whole by the loop, read by publishing.
     */
    private volatile Map<String, Instant> parkEnds = Map.of();
    /**
     * Where each paced endpoint's pacing has got to: while it stays slow, a lease has its new deliveries written after
     * that (see {@link MessageStore.Lease#pacedAt}), not due and then moved by the next pacing. Set by the loop (each
     * pacing), moved by publishing too.
     */
    private final Map<String, PaceCursor> paceCursors = new ConcurrentHashMap<>();
    /**
     * The rows publishing wrote paced, by endpoint, not yet kept by their lanes: the loop keeps them (see
     * {@link EndpointLane#paced()}) so that they are made due again should the endpoint answer well again.
     */
    private final java.util.Queue<Map.Entry<String, List<Long>>> pacedAtPublish = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    /**
     * Deliveries let go unsent when their leases would end first ({@link #leaseEndsFirst}): the loop puts their rows
     * back with the claim's attempt count undone, as every other unsent release does (else each such release cost the
     * delivery one of its attempts: the first real one was numbered 2 and waited the schedule's third delay).
     */
    private final java.util.Queue<EndpointLane.Pending> letGoUnsent = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /**
     * Whether the loop may have left due deliveries for want of a slot (none free, or the claim took all it asked for):
     * then any recorded result, which frees one, wakes it (an ordered endpoint's result always does, see
     * {@link #recorded}). Set before each claim and cleared once a claim has taken every due row it could see, so a
     * result recorded meanwhile wakes it at worst once too often. (Waking on every result made a second, empty claim
     * per delivery at moderate rates.)
     */
    private volatile boolean waitingForRoom = true;
    /**
     * The endpoints whose due deliveries the last claim left out, or handed back, for want of room in their lanes: a
     * result of one of them frees room there and wakes the loop; other endpoints' results do not. (Any result did, so
     * one slow endpoint left out made a claim per batch of results, all empty once deliveries were leased at publish.)
     */
    private volatile Set<String> waitingForRoomOf = ConcurrentHashMap.newKeySet();
    /** The last claim that left endpoints out and ran dry, so that it is not repeated for nothing (loop thread only). */
    private final DryClaims dryClaims;
    /**
     * Endpoints whose deliveries publishing wrote due (held back, with no wake) since the loop last looked: a claim that
     * includes one of them is never a repeat of a dry claim made before (see {@link DryClaims#queued}).
     */
    private final Set<String> queuedDue = ConcurrentHashMap.newKeySet();
    /** Moves of queue rows (pacing, parking), run beside the loop. */
    private final RowMoves moves;
    private Thread thread;

    public Dispatcher(DeliveryQueue queue, EndpointStore endpoints, WebhookClient client, DeliveryRequests requests,
                      DeliveryRecorder.Factory recorderFactory, QueueSignal signal, Clock clock, Settings settings,
                      DeliveryMetrics metrics, ThrottleStore throttles) {
        this.queue = queue;
        this.client = client;
        this.requests = requests;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.throttles = throttles;
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.dryClaims = new DryClaims(settings.pollInterval());
        this.openedSecrets = new OpenedSecrets(endpoints::openSecret, endpoints::openHeaders);
        this.recorder = recorderFactory.create(this::recorded);
        this.moves = new RowMoves(signal::nudge);
    }

    public Dispatcher start() {
        recorder.start();
        // a wake waiting for the loop, as the start's pause switch gave it until session 45: its first claim is followed
        // by a second at once (LeaseInLaneTest's second node, claiming right after a start, depends on that timing)
        signal.wake();
        thread = Thread.ofPlatform().name("herald-dispatcher").start(this::loop);
        takingLeases = true;
        return this;
    }

    /**
     * The lease for deliveries this node is about to publish, or null when it should not take them now (not running,
     * or as many already waiting as it has slots; delivery paused: the lease's statement checks the switch). Deliveries written under it reach {@link #take} and are
     * sent without a claim: no claim statement, no second write of their queue rows, no wait for the loop to claim.
     */
    @Override
    public MessageStore.Lease lease() {
        if (!takingLeases || leasedAtPublish.size() >= inFlight.availablePermits()) return null;
        var notLeased = new ArrayList<>(heldBackAtLastClaim);
        int minRoom = slowCap();
        for (var it = lanesForLeases.iterator(); it.hasNext(); ) {
            String endpointId = it.next();
            var lane = lanes.get(endpointId);
            if (lane == null) {
                it.remove();
            } else if (lane.held() || lane.room() < minRoom) {
                notLeased.add(endpointId);
            } else if (lane.load() == 0) {
                it.remove(); // idle: walked again once it is given work (start adds it once admitted)
                // admitted between the look and the remove: walked still (its add came first, and was a no-op)
                if (lane.load() > 0) lanesForLeases.add(endpointId);
            }
        }
        var ends = parkEnds;
        Map<String, Instant> parkedAt = ends.isEmpty() ? Map.of() : new HashMap<>();
        ends.forEach((endpointId, end) -> {
            var lane = lanes.get(endpointId);
            if (lane == null || !lane.held()) return; // closed since: its deliveries are due again
            parkedAt.put(endpointId, end);
            if (!notLeased.contains(endpointId)) notLeased.add(endpointId);
        });
        // always a map that takes entries: the loop may add a cursor between an isEmpty() and the walk (an immutable
        // empty map then threw, and a lone publish answered 500)
        Map<String, MessageStore.Pace> pacedAt = new HashMap<>();
        long nowNanos = System.nanoTime();
        paceCursors.forEach((endpointId, cursor) -> {
            var lane = lanes.get(endpointId);
            if (lane == null || lane.held()) return; // held: the park takes its deliveries
            if (!lane.slow(nowNanos)) {
                // no longer slow: written as usual, and the cursor dropped so that leases do not walk it (a next
                // pacing makes a new one)
                paceCursors.remove(endpointId, cursor);
                return;
            }
            pacedAt.put(endpointId, cursor);
            if (!notLeased.contains(endpointId)) notLeased.add(endpointId);
        });
        Instant now = clock.instant();
        return new MessageStore.Lease(now, now.plus(settings.lease()), notLeased, parkedAt, pacedAt);
    }

    /**
     * Deliveries just committed leased to this node (see {@link #lease}): the loop starts them. The endpoints
     * the lease named that had deliveries written due instead wait for room: a result of theirs wakes the loop to
     * claim them, and so does a lane with room already (it had none when the lease was taken). Rows written paced go
     * to their lanes' {@link EndpointLane#paced()} on the loop's next claim.
     */
    @Override
    public void take(MessageStore.Published published) {
        var leased = published.leased();
        published.paced().forEach((endpointId, ids) -> {
            pacedAtPublish.add(Map.entry(endpointId, ids));
            metrics.paced(ids.size());
        });
        boolean claimNow = false;
        for (String endpointId : published.heldBackWithRows()) {
            queuedDue.add(endpointId); // before the wake below: the claim it makes must not be skipped
            waitingForRoomOf.add(endpointId); // first: a result from now on wakes the loop
            var lane = lanes.get(endpointId);
            claimNow |= lane == null || (!lane.held() && lane.room() >= slowCap());
        }
        if (claimNow) signal.wake();
        if (leased.isEmpty()) return;
        leasedAtPublish.add(leased.stream().map(ClaimedDelivery::leasedAtPublish).toList());
        metrics.leasedAtPublish(leased.size());
        if (takingLeases) {
            signal.nudge();
            return;
        }
        try {
            handBackLeased(); // stopping: the loop will not start them
        } catch (RuntimeException e) {
            log.warn("could not hand back deliveries leased while stopping; their leases will expire: {}", e.toString());
        }
    }

    /** Starts as many of the deliveries leased at publishing as there are slots for; the others wait for room. */
    private void startLeased() {
        int room = inFlight.availablePermits();
        if (room == 0 || leasedAtPublish.size() == 0) return;
        var taken = leasedAtPublish.take(room);
        // leased as its message was published, a little after the message's time: counted from that time, the lease
        // is taken to end no later than it does
        if (!taken.isEmpty()) start(taken, clock.instant(), d -> d.messageCreatedAt().plus(settings.lease()));
    }

    /** Hands the deliveries leased at publishing and not started back to the queue, due (stopping). */
    private void handBackLeased() {
        var taken = leasedAtPublish.takeAll();
        if (!taken.isEmpty()) queue.handBack(taken, clock.instant());
    }

    /**
     * Starts the deliveries leased at publishing, and claims when told to (a wake: new or returned work, room freed
     * for rows left due) or once per poll interval; a nudge alone (only leased deliveries arrived) makes no claim.
     */
    private void loop() {
        long backoff = 100;
        boolean claim = true;
        long lastClaim = System.nanoTime();
        while (running) {
            try {
                moves.applyFinished();
                putBackLetGo();
                if (inFlight.availablePermits() == 0) {
                    waitingForRoom = true;
                    // a result that freed a slot before it could see the flag sent no wake: look again after setting it
                    if (inFlight.availablePermits() > 0) continue;
                    parkHeldLanes();
                    signal.await(settings.pollInterval());
                    claim = true;
                    continue;
                }
                startLeased();
                long sinceClaim = System.nanoTime() - lastClaim;
                if (!claim && sinceClaim < settings.pollInterval().toNanos()) {
                    claim = signal.await(min(idleWait(), Duration.ofNanos(settings.pollInterval().toNanos() - sinceClaim)));
                    continue;
                }
                int requested = Math.min(settings.batchSize(), inFlight.availablePermits());
                if (requested == 0) continue; // the leased deliveries took every slot: the claim waits for room
                waitingForRoom = true;
                throttleWake = null;
                lastClaim = System.nanoTime();
                int claimed = dispatchOnce(requested, lastClaim);
                backoff = 100;
                claim = claimed >= requested || signal.await(idleWait());
            } catch (InterruptedException e) {
                if (!running) return;
            } catch (RuntimeException | Error e) {
                log.warn("dispatcher could not claim deliveries, retrying in {} ms: {}", backoff, e.toString());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /**
     * Claims up to {@code requested} due deliveries and starts sending them; returns how many were claimed. {@code started}
     * is when the loop began it ({@link System#nanoTime}), the time its poll interval counts from.
     *
     * <p>The claim is the plain one (due order, no ranking per endpoint): each endpoint's share is kept by what it is
     * asked for. A lane with less room than a new lane's slow cap is left out (it still has at least that many
     * requests out, so it does not starve), and the claim asks for no more rows than the smallest room of the lanes it
     * includes, so no known endpoint can be given more than it can hold. A held lane (breaker open) may take its probe;
     * what it cannot hold waits in the lane or goes back. An endpoint whose lane is new or idle can be given more than
     * the lane holds: the excess goes back to the queue, and the lane, now full, is left out of the next claims.
     * (Ranking rows per endpoint in SQL instead read four times the batch, sorted it, and was the costliest statement
     * Herald ran.)
     */
    int dispatchOnce(int requested, long started) {
        Instant now = clock.instant();
        keepPacedAtPublish(now);
        int minRoom = slowCap();
        int limit = requested;
        var excluded = new ArrayList<String>();
        var withPark = new ArrayList<String>();
        var withPaced = new ArrayList<String>();
        long nowNanos = System.nanoTime();
        // only lanes with work out bound the claim (an idle one has a room of twice its cap): the list of excluded
        // endpoints stays as small as the node's deliveries in flight
        for (var it = activeLanes.iterator(); it.hasNext(); ) {
            String endpointId = it.next();
            var lane = lanes.get(endpointId);
            if (lane == null) {
                it.remove();
                continue;
            }
            boolean held = lane.held();
            boolean parked = held || lane.park().active();
            boolean paced = !parked && lane.paced().anyAhead(now);
            if (parked) withPark.add(endpointId);
            else if (paced) withPaced.add(endpointId);
            if (lane.load() == 0 && !held) {
                if (!parked && !paced) it.remove(); // idle: back in the walk when it is next given work
                continue;
            }
            int room = lane.room();
            if (room == 0 || (room < minRoom && !held)) excluded.add(endpointId);
            else if (!held) limit = Math.min(limit, room);
        }
        excludeKeyElsewhere(excluded, nowNanos);
        if (nowNanos - nextIdleLaneSweep >= 0) dropIdleLanes(nowNanos);
        heldBackAtLastClaim = excluded.isEmpty() && withPark.isEmpty() && withPaced.isEmpty() ? List.of()
                : java.util.stream.Stream.of(excluded, withPark, withPaced).flatMap(List::stream).distinct().toList();
        Set<String> leftOut = ConcurrentHashMap.newKeySet();
        leftOut.addAll(excluded);
        waitingForRoomOf = leftOut; // before the claim: a result from now on may find room for them
        long workSignals = signal.workSignals();
        for (var it = queuedDue.iterator(); it.hasNext(); ) {
            dryClaims.queued(it.next()); // committed before they were added: the claim below would see their rows
            it.remove();
        }
        List<ClaimedDelivery> claimed;
        if (dryClaims.wouldRepeat(leftOut, workSignals, nowNanos)) {
            claimed = List.of(); // the last claim saw every row this one could take: no statement
        } else {
            claimed = queue.claim(limit, now, settings.lease(), excluded);
            long claimedAt = System.nanoTime();
            metrics.claimed(Duration.ofNanos(claimedAt - started));
            dryClaims.claimed(excluded, limit, claimed.size(), workSignals, started, claimedAt);
        }
        // fewer rows than asked for and no endpoint left out: nothing due waits for room (a hand-back below sets it again)
        if (claimed.size() < limit) waitingForRoom = false;
        pace(excluded, now);
        int claimedCount = claimed.size();
        Instant leaseUntil = now.plus(settings.lease()); // as the claim set it
        if (!claimed.isEmpty()) start(claimed, now, d -> leaseUntil);
        // after the start, so a probe just claimed counts as out (no second row is made due for it)
        parkOrRelease(withPark, now);
        unpace(withPaced, now);
        return claimedCount;
    }

    /** The rows publishing wrote paced (see {@link #pacedAtPublish}), kept by their lanes as a pacing's moved rows are. */
    private void keepPacedAtPublish(Instant now) {
        for (Map.Entry<String, List<Long>> written; (written = pacedAtPublish.poll()) != null; ) {
            var lane = lanes.get(written.getKey());
            if (lane == null) continue; // dropped (idle for minutes): they come due by themselves
            lane.paced().add(written.getValue().stream().map(id -> new DeliveryQueue.PacedRow(id, 0)).toList(),
                    now.plus(PACE_HORIZON));
            activeLanes.add(written.getKey()); // walked, so that it is made due again should the endpoint recover
        }
    }

    /**
     * Drops the lanes idle for {@link #IDLE_LANE_KEPT} (an endpoint sent to again starts at the slow cap), once a
     * minute: a walk over every lane, which the claims no longer make.
     */
    private void dropIdleLanes(long nowNanos) {
        nextIdleLaneSweep = nowNanos + TimeUnit.MINUTES.toNanos(1);
        lanes.entrySet().removeIf(entry -> {
            var lane = entry.getValue();
            boolean drop = !activeLanes.contains(entry.getKey()) && lane.load() == 0 && !lane.held() && !lane.park().active()
                    && lane.idleFor(nowNanos) > IDLE_LANE_KEPT.toNanos();
            if (drop) paceCursors.remove(entry.getKey());
            return drop;
        });
    }

    /**
     * Starts the claimed deliveries (or has them wait in their lanes); what no lane or slot can take goes back.
     * {@code leaseUntil}: when each one's lease ends.
     */
    private void start(List<ClaimedDelivery> claimed, Instant now, java.util.function.Function<ClaimedDelivery, Instant> leaseUntil) {
        claimed = throttle(claimed, now);
        if (claimed.isEmpty()) return;
        Map<String, String> unreadable = new HashMap<>();
        Map<String, String> keyElsewhere = new HashMap<>();
        Map<Long, Map<String, String>> headers = new HashMap<>();
        Map<String, List<String>> secrets = secretsOf(claimed, unreadable, keyElsewhere, headers);
        if (!keyElsewhere.isEmpty()) claimed = putBackForKeyElsewhere(claimed, keyElsewhere, unreadable, now);
        var handBack = new ArrayList<ClaimedDelivery>();
        for (ClaimedDelivery d : claimed) {
            if (outstanding.containsKey(Claim.of(d))) {
                // this node holds this very claim already: a claim lost in a database crash came due again and was
                // taken again under the same attempt number. The first is being sent, and its result completes the row;
                // taken twice, its one result gave back one slot of two, and the other was lost for good
                continue;
            }
            if (!inFlight.tryAcquire()) {
                waitingForRoom = true;
                handBack.add(d);
                continue;
            }
            var lane = lanes.computeIfAbsent(d.endpointId(), k -> new EndpointLane(settings.maxInFlightPerEndpoint(), slowCap(),
                    new CircuitBreaker(settings.breakerFailures(), clock)));
            activeLanes.add(d.endpointId());
            var sendable = d.sealedHeaders() == null ? d : d.withHeaders(headers.get(d.id()));
            var pending = new EndpointLane.Pending(sendable, secrets.getOrDefault(d.endpointId(), List.of()),
                    unreadable.get(d.endpointId()), leaseUntil.apply(d));
            outstanding.put(Claim.of(d), d);
            boolean probe = lane.held();
            switch (lane.admit(pending)) {
                case STARTED -> {
                    // walked by leases from now on: added once admitted, as a lease drops a lane it finds idle (added
                    // before, a lease between the two could drop it busy)
                    lanesForLeases.add(d.endpointId());
                    if (probe) lane.park().probeStarted();
                    lane.park().taken();
                    run(lane, pending);
                }
                case WAITING -> {
                    lanesForLeases.add(d.endpointId());
                    lane.park().taken();
                }
                case FULL -> {
                    lanesForLeases.add(d.endpointId()); // full: leases leave it out
                    outstanding.remove(Claim.of(d));
                    inFlight.release();
                    waitingForRoomOf.add(d.endpointId());
                    handBack.add(d);
                }
            }
        }
        if (!handBack.isEmpty()) {
            queue.handBack(handBack, now);
            metrics.handedBack(handBack.size());
            dryClaims.forget();
        }
    }

    /**
     * Takes slots for the throttled deliveries from the buckets all nodes share; those without a free slot
     * go back to the queue, due when their endpoint's (or application's) bucket should have one, as if never
     * claimed (no attempt, no failure). Returns the deliveries to send now; unthrottled ones cost no query.
     */
    private List<ClaimedDelivery> throttle(List<ClaimedDelivery> claimed, Instant now) {
        List<ClaimedDelivery> throttled = claimed.stream().filter(ClaimedDelivery::throttled).toList();
        if (throttled.isEmpty()) return claimed;
        var wants = throttled.stream().map(d -> new ThrottleStore.Want(
                d.endpointThrottleRate() == null ? null : "ep:" + d.endpointId(),
                d.endpointThrottleRate() == null ? 0 : d.endpointThrottleRate(),
                d.appThrottleRate() == null ? null : "app:" + d.appId(),
                d.appThrottleRate() == null ? 0 : d.appThrottleRate())).toList();
        List<Instant> retry;
        try {
            retry = throttles.reserve(wants, now, THROTTLE_BURST);
        } catch (RuntimeException e) {
            // no slot could be taken: these wait (as they were) and the others go on
            log.warn("could not reserve throttle slots, handing back {} deliveries: {}", throttled.size(), e.toString());
            try {
                queue.handBack(throttled, now);
            } catch (RuntimeException again) {
                log.warn("could not hand back throttled deliveries; their leases will expire: {}", again.toString());
            }
            return claimed.stream().filter(d -> !d.throttled()).toList();
        }
        var deferred = new LinkedHashMap<ClaimedDelivery, Instant>();
        Instant lastDeferral = null;
        for (int i = 0; i < throttled.size(); i++) {
            Instant at = retry.get(i);
            if (at == null) continue;
            deferred.put(throttled.get(i), at);
            if (throttleWake == null || at.isBefore(throttleWake)) throttleWake = at;
            if (lastDeferral == null || at.isAfter(lastDeferral)) lastDeferral = at;
        }
        if (deferred.isEmpty()) return claimed;
        dryClaims.deferred(System.nanoTime() + Math.max(0, Duration.between(now, lastDeferral).toNanos()));
        queue.deferUntil(deferred, now);
        return claimed.stream().filter(d -> !deferred.containsKey(d)).toList();
    }

    /** How long to wait for work: the poll interval, or less when deferred throttled deliveries come due sooner. */
    private Duration idleWait() {
        Instant wake = throttleWake;
        if (wake == null) return settings.pollInterval();
        Duration until = Duration.between(clock.instant(), wake);
        if (until.compareTo(Duration.ofMillis(1)) < 0) until = Duration.ofMillis(1);
        return until.compareTo(settings.pollInterval()) < 0 ? until : settings.pollInterval();
    }

    /**
     * The signing secrets of the claimed deliveries' endpoints, read with the claim, opened once per endpoint, and each
     * delivery's sealed custom headers into {@code headers} by delivery id (deliveries leased at different publishes may
     * carry different headers of one endpoint, changed between them). One sealed with an encryption key this node lacks goes in
     * {@code keyElsewhere} (another node, started with the key, may send them); one that cannot be opened otherwise (a
     * tampered row) fails only its endpoint's deliveries, with the reason in {@code unreadable}.
     */
    private Map<String, List<String>> secretsOf(List<ClaimedDelivery> claimed, Map<String, String> unreadable,
                                                Map<String, String> keyElsewhere, Map<Long, Map<String, String>> headers) {
        Map<String, List<String>> secrets = new HashMap<>();
        for (ClaimedDelivery d : claimed) {
            String id = d.endpointId();
            if (unreadable.containsKey(id) || keyElsewhere.containsKey(id)) continue;
            try {
                if (d.sealedHeaders() != null) headers.put(d.id(), openedSecrets.openHeaders(id, d.sealedHeaders()));
                if (!secrets.containsKey(id)) secrets.put(id, openedSecrets.open(id, d.secrets()));
            } catch (dev.herald.security.SecretBox.MissingKeyException e) {
                keyElsewhere.put(id, "cannot open the endpoint's signing secret or headers: " + e.getMessage());
            } catch (RuntimeException e) {
                log.warn("cannot open the signing secret or headers of endpoint {}: {}", id, e.toString());
                unreadable.put(id, "cannot open the endpoint's signing secret or headers: " + e.getMessage());
            }
        }
        return secrets;
    }

    /** How long a delivery whose secret this node cannot open waits before any node claims it again. */
    static final Duration KEY_ELSEWHERE_WAIT = Duration.ofSeconds(5);
    /** How long this node's claims leave out an endpoint whose secret it could not open, so a node that can claims it. */
    static final Duration KEY_ELSEWHERE_LEFT_OUT = Duration.ofMinutes(1);
    /** Endpoints whose secret is sealed with a key this node lacks, and until when (System.nanoTime) claims leave them out. */
    private final Map<String, Long> keyElsewhereUntil = new HashMap<>();
    /**
     * A rotation's nodes differ for minutes; past this since this node first met an endpoint's missing key, its
     * deliveries fail here as before (no node may hold the key: put back for ever they would never end).
     */
    static final Duration KEY_ELSEWHERE_GIVE_UP = Duration.ofHours(1);
    private final Map<String, Instant> keyMissingSince = new HashMap<>();
    private Instant keyElsewhereWarned = Instant.MIN;

    private void excludeKeyElsewhere(List<String> excluded, long nowNanos) {
        if (keyElsewhereUntil.isEmpty()) return;
        keyElsewhereUntil.values().removeIf(until -> nowNanos - until >= 0);
        for (String endpointId : keyElsewhereUntil.keySet()) {
            if (!excluded.contains(endpointId)) excluded.add(endpointId);
        }
    }

    /**
     * Puts back, unsent and with no attempt used, the deliveries to endpoints whose secret is sealed with a key this
     * node lacks: during a key rotation nodes run with different keys for a while, and failing them here would use up
     * their retries on the node that cannot sign them. This node's claims leave those endpoints out for a while, so a
     * node holding the key claims them. Returns the others.
     */
    private List<ClaimedDelivery> putBackForKeyElsewhere(List<ClaimedDelivery> claimed, Map<String, String> keyElsewhere,
                                                         Map<String, String> unreadable, Instant now) {
        if (keyMissingSince.size() > 100_000) keyMissingSince.clear();
        var waiting = new HashSet<String>();
        for (var missing : keyElsewhere.entrySet()) {
            Instant since = keyMissingSince.computeIfAbsent(missing.getKey(), k -> now);
            if (now.isBefore(since.plus(KEY_ELSEWHERE_GIVE_UP))) waiting.add(missing.getKey());
            else unreadable.put(missing.getKey(), missing.getValue()); // given up: failed here, the reason recorded
        }
        if (waiting.isEmpty()) return claimed;
        var later = new LinkedHashMap<ClaimedDelivery, Instant>();
        var rest = new ArrayList<ClaimedDelivery>(claimed.size());
        for (ClaimedDelivery d : claimed) {
            if (waiting.contains(d.endpointId())) later.put(d, now.plus(KEY_ELSEWHERE_WAIT));
            else rest.add(d);
        }
        queue.deferUntil(later, now);
        metrics.keyElsewhere(later.size());
        long leftOutUntil = System.nanoTime() + KEY_ELSEWHERE_LEFT_OUT.toNanos();
        for (String endpointId : waiting) keyElsewhereUntil.put(endpointId, leftOutUntil);
        if (now.isAfter(keyElsewhereWarned.plus(Duration.ofMinutes(1)))) {
            keyElsewhereWarned = now;
            log.warn("{} deliveries put back unsent: the signing secrets of endpoints {} are sealed with an encryption key this"
                    + " node lacks (give it HERALD_ENCRYPTION_KEY or HERALD_ENCRYPTION_KEYS_OLD as the other nodes have them)",
                    later.size(), waiting);
        }
        return rest;
    }

    /**
     * Sends deliveries of one lane, starting with {@code first}: each one finished without a request (or
     * whose request completes) passes its slot to the lane's next waiting delivery.
     */
    private void run(EndpointLane lane, EndpointLane.Pending first) {
        for (var p = first; p != null; p = lane.finishAndNext()) {
            if (leaseEndsFirst(p)) {
                // let go unsent: another claim sends it. Should it have been the breaker's probe, the next may go (the
                // probe stayed out, and the endpoint's lane closed on this node, for good)
                lane.finishedUnsent();
                continue;
            }
            if (sendAsync(lane, p)) return; // the request's completion carries the lane on
        }
    }

    /**
     * Whether a delivery's lease would end before its request could (it waited in its lane that long: its endpoint
     * slowed down and its lane's cap fell, say); if so it is let go unsent, its slot given back, its row left to come
     * due at the lease's end. Sent anyway, it would go out twice: once from here, once from the node that claims it
     * when its lease ends.
     */
    private boolean leaseEndsFirst(EndpointLane.Pending p) {
        if (!clock.instant().plus(settings.requestTimeout()).isAfter(p.leaseUntil())) return false;
        ClaimedDelivery d = p.delivery();
        log.debug("delivery {} waited past its lease in its lane: let go, to be claimed again", d.id());
        metrics.outlivedLease();
        if (outstanding.remove(Claim.of(d)) != null) {
            inFlight.release();
            if (waitingForRoom) signal.roomFreed();
        }
        letGoUnsent.add(p);
        signal.nudge();
        return true;
    }

    /** Puts back the rows {@link #leaseEndsFirst} let go, due at their leases' ends as they were (loop thread). */
    private void putBackLetGo() {
        if (letGoUnsent.isEmpty()) return;
        var dueTimes = new java.util.LinkedHashMap<ClaimedDelivery, Instant>();
        for (EndpointLane.Pending p; (p = letGoUnsent.poll()) != null; ) dueTimes.put(p.delivery(), p.leaseUntil());
        // fenced by attempt number: a row another node claimed meanwhile (its lease ended first) is left alone
        queue.deferUntil(dueTimes, clock.instant());
    }

    /**
     * Sends one claimed delivery; whatever happens, exactly one result reaches the recorder, which frees
     * its global slot. Returns false when it finished at once (nothing was sent over the network).
     */
    private boolean sendAsync(EndpointLane lane, EndpointLane.Pending p) {
        ClaimedDelivery d = p.delivery();
        Instant startedAt = clock.instant();
        if (d.endpointDisabled() || d.payload() == null) {
            if (d.endpointDisabled()) lane.endpointDisabled();
            return finishedUnsent(lane, new DeliveryRecorder.Result(d, null, startedAt));
        }
        if (p.secretProblem() != null) {
            return finishedUnsent(lane, new DeliveryRecorder.Result(d, DeliveryResult.failure(p.secretProblem(), 0), startedAt));
        }
        OutboundRequest request;
        try {
            request = requests.build(d, startedAt, p.secrets());
        } catch (DeliveryRequests.Refused e) {
            // the endpoint's transformation could not make a request that may be sent: a failed attempt
            return finishedUnsent(lane, new DeliveryRecorder.Result(d, DeliveryResult.failure(e.getMessage(), 0), startedAt));
        } catch (IllegalArgumentException e) {
            // a bad URL, or no live secret at all (the endpoint was deleted after the claim)
            String what = p.secrets().isEmpty() ? "no signing secret: " : "invalid request: ";
            return finishedUnsent(lane, new DeliveryRecorder.Result(d, DeliveryResult.failure(what + e.getMessage(), 0), startedAt));
        }
        client.send(request).whenComplete((result, error) -> {
            DeliveryResult r = result != null ? result
                    : DeliveryResult.failure("send failed: " + (error == null ? "unknown" : error.toString()), 0);
            lane.observe(r.durationMs(), r.isSuccess());
            recorder.submit(new DeliveryRecorder.Result(d, r, startedAt));
            run(lane, lane.finishAndNext());
        });
        return true;
    }

    /**
     * A delivery that ends without a request: its result goes to the recorder, and should it have been the breaker's
     * probe, the breaker learnt nothing and lets the next one go (else the probe stayed out, and the lane closed, for
     * good). Returns false: nothing went over the network.
     */
    private boolean finishedUnsent(EndpointLane lane, DeliveryRecorder.Result result) {
        lane.finishedUnsent();
        recorder.submit(result);
        return false;
    }

    /**
     * Called by the recorder once results are durable: frees their slots, and wakes the loop if it waits for a slot or
     * for room in a result's lane, or if a result of an ordered endpoint made that endpoint's next delivery claimable.
     */
    private void recorded(List<ClaimedDelivery> done) {
        boolean work = false;
        boolean freed = false;
        Set<String> leftOut = waitingForRoomOf;
        boolean room = false;
        for (ClaimedDelivery d : done) {
            work |= d.ordered();
            room |= leftOut.contains(d.endpointId());
            if (outstanding.remove(Claim.of(d)) == null) continue;
            inFlight.release();
            freed = true;
        }
        // the flag read after the slots are released: a loop that raised it and then saw none free is woken
        room |= waitingForRoom;
        if (work) signal.wake();
        else if (room) signal.roomFreed();
        // deliveries leased at publish beyond the slots wait in the inbox, and the loop that started the others went
        // to its idle wait (a nudge, not a claim, starts them): up to a poll interval with slots free
        else if (freed && leasedAtPublish.size() > 0) signal.nudge();
    }

    /**
     * Spreads the due deliveries of slow, full lanes left out of the claims over the time they will need (see
     * {@link DeliveryQueue#pace}), every {@link #PACE_INTERVAL} at most per endpoint. Left due, every claim would read
     * past them. Like every move of queue rows, it runs beside the loop (see {@link RowMoves}).
     */
    private void pace(List<String> leftOut, Instant now) {
        long nowNanos = System.nanoTime();
        for (String endpointId : leftOut) {
            var lane = lanes.get(endpointId);
            if (lane == null || moves.underWay(endpointId) || lane.held() || !lane.slowAndFull(nowNanos)) continue;
            if (!lane.pacingDue(nowNanos, PACE_INTERVAL.toNanos())) continue;
            Instant dueSince = lane.pacedThrough();
            Duration step = lane.timePerDelivery(nowNanos);
            moves.start(endpointId, "pace", () -> queue.pace(endpointId, now, dueSince, step, PACE_HORIZON, PACE_MAX_ROWS), moved -> {
                if (!moved.isEmpty()) log.debug("paced {} due deliveries of slow endpoint {}", moved.size(), endpointId);
                lane.paced().add(moved, now.plus(PACE_HORIZON));
                // publishing writes the endpoint's next deliveries after these
                Instant through = now.plus(min(step.multipliedBy(moved.size()), PACE_HORIZON));
                paceCursors.computeIfAbsent(endpointId, k -> new PaceCursor(through, step, PACE_HORIZON)).paced(through, step);
                metrics.paced(moved.size());
                lane.moved(moved.size(), PACE_MAX_ROWS, now);
                if (moved.size() >= PACE_MAX_ROWS) pace(List.of(endpointId), clock.instant()); // more left due
            });
        }
    }

    /**
     * Makes the paced deliveries of lanes that answer well again due now: a lane found slow on a few answers (a burst
     * that met a cold start, a hiccup) would otherwise leave them spread over up to {@link #PACE_HORIZON} behind an
     * endpoint that is fast again.
     */
    private void unpace(List<String> withPaced, Instant now) {
        long nowNanos = System.nanoTime();
        for (String endpointId : withPaced) {
            var lane = lanes.get(endpointId);
            if (lane == null || moves.underWay(endpointId) || lane.held() || !lane.recovered(nowNanos)) continue;
            paceCursors.remove(endpointId); // first: rows published from now on are written due (any written paced meanwhile come here next)
            var rows = lane.paced().take();
            moves.start(endpointId, "make due again", () -> queue.unpace(endpointId, rows, now), made -> {
                metrics.unpaced(made);
                if (made > 0) {
                    log.debug("made {} paced deliveries of endpoint {} due again: it answers well again", made, endpointId);
                    signal.wake(); // they are due now: claim them without waiting for the poll
                }
            });
        }
    }

    /**
     * Parks the deliveries of endpoints whose breaker is open, with one made due for each probe, and releases a park
     * once its breaker has closed (see {@link EndpointPark}).
     */
    private void parkOrRelease(List<String> withPark, Instant now) {
        long nowNanos = System.nanoTime();
        for (String endpointId : withPark) {
            var lane = lanes.get(endpointId);
            if (lane == null || !lane.held()) parkEnd(endpointId, null); // publishing writes its deliveries due again
            if (lane == null || moves.underWay(endpointId)) continue;
            if (lane.held()) {
                if (lane.pacingDue(nowNanos, PACE_INTERVAL.toNanos())) park(endpointId, lane, now);
            } else {
                release(endpointId, lane.park(), now, nowNanos);
            }
        }
    }

    /**
     * Parks the lanes whose breaker is open while no slot is free. Their waiting deliveries hold slots, and only a park
     * gives them back; a claim would park them, but no claim is made without a free slot, so with every slot held so
     * the node sent nothing more, to any endpoint.
     */
    private void parkHeldLanes() {
        var held = new ArrayList<String>();
        for (String endpointId : activeLanes) {
            var lane = lanes.get(endpointId);
            if (lane != null && lane.held()) held.add(endpointId);
        }
        if (!held.isEmpty()) parkOrRelease(held, clock.instant());
    }

    /** What one park did: rows that waited in the lane, rows moved from the due ones, whether a probe row was readied. */
    private record Parked(int waited, int moved, boolean probeReadied, boolean endpointGone) {}

    /** A held lane's waiting and due deliveries go to its park; the oldest parked one is made due for the next probe. */
    private void park(String endpointId, EndpointLane lane, Instant now) {
        var park = lane.park();
        lane.paced().clear(); // the park takes them over
        paceCursors.remove(endpointId);
        Instant slot = park.slot(now);
        var deferred = new LinkedHashMap<ClaimedDelivery, Instant>();
        for (var p : lane.drainWaiting()) {
            if (outstanding.remove(Claim.of(p.delivery())) == null) continue;
            inFlight.release();
            deferred.put(p.delivery(), slot.plusNanos(1_000L * (deferred.size() + 1)));
        }
        Instant dueSince = lane.pacedThrough();
        Instant from = park.from();
        // the rows due go after the waiting ones
        Instant movedSlot = slot.plusNanos(1_000L * deferred.size());
        // the end of the open period (or now once it is over): when a probe may go, so when its row should be due
        Instant probeAt = !lane.probing() && park.needsProbeRow(now) ? lane.heldUntil(Duration.ZERO) : null;
        moves.start(endpointId, "park", () -> {
            queue.deferUntil(deferred, now);
            int moved = queue.park(endpointId, now, dueSince, movedSlot, PACE_MAX_ROWS);
            Instant through = movedSlot.plusNanos(1_000L * moved);
            boolean probeReadied = probeAt != null && queue.readyProbe(endpointId, from, through, probeAt);
            // nothing to park and no row to probe with: a deleted endpoint's, whose lane would be parked again every round
            // for as long as the node runs (a live one's rows may all be retries due later: its lane stays held)
            boolean gone = deferred.isEmpty() && moved == 0 && probeAt != null && !probeReadied && goneCheckDue(endpointId)
                    && queue.endpointGone(endpointId);
            return new Parked(deferred.size(), moved, probeReadied, gone);
        }, parked -> {
            if (parked.endpointGone() && lane.held() && lane.load() == 0 && lanes.get(endpointId) == lane) {
                forgetLane(endpointId);
                return;
            }
            park.parked(parked.waited() + parked.moved());
            lane.moved(parked.moved(), PACE_MAX_ROWS, now);
            if (lane.held()) parkEnd(endpointId, park.through());
            if (parked.moved() > 0) log.debug("parked {} due deliveries of failing endpoint {} until {}", parked.moved(), endpointId, park.from());
            if (parked.probeReadied()) {
                park.probeRowAt(probeAt);
                dryClaims.forget();
            }
            if (parked.moved() >= PACE_MAX_ROWS) parkOrRelease(List.of(endpointId), clock.instant()); // more left due
        });
    }

    /** When each held endpoint with nothing to park was last asked whether it is deleted (mover thread). */
    private final Map<String, Long> goneCheckedAt = new ConcurrentHashMap<>();

    /** At most once a minute per endpoint: a live one's lane may find nothing to park for hours (its rows all retries). */
    private boolean goneCheckDue(String endpointId) {
        long now = System.nanoTime();
        Long last = goneCheckedAt.get(endpointId);
        if (last != null && now - last < TimeUnit.MINUTES.toNanos(1)) return false;
        goneCheckedAt.put(endpointId, now);
        return true;
    }

    /** Drops the held lane of a deleted endpoint (see {@link #park}). */
    private void forgetLane(String endpointId) {
        goneCheckedAt.remove(endpointId);
        lanes.remove(endpointId);
        activeLanes.remove(endpointId);
        lanesForLeases.remove(endpointId);
        paceCursors.remove(endpointId);
        parkEnd(endpointId, null);
        log.debug("forgot the held lane of endpoint {}: it is deleted", endpointId);
    }

    /** Endpoints whose breaker is open on this node (a gauge). */
    public long heldLanes() {
        return lanes.values().stream().filter(EndpointLane::held).count();
    }

    /** Sets (or with null, removes) where publishing writes the endpoint's new deliveries: see {@link #parkEnds}. */
    private void parkEnd(String endpointId, Instant end) {
        var ends = parkEnds;
        if (end == null ? !ends.containsKey(endpointId) : end.equals(ends.get(endpointId))) return;
        var changed = new HashMap<>(ends);
        if (end == null) changed.remove(endpointId);
        else changed.put(endpointId, end);
        parkEnds = Map.copyOf(changed);
    }

    /** The breaker has closed: the park's next chunk is made due once the endpoint has taken half of the last one. */
    private void release(String endpointId, EndpointPark park, Instant now, long nowNanos) {
        if (!park.releaseDue(nowNanos)) return;
        if (now.isAfter(park.through())) {
            park.clear(); // all of it came due by itself
            return;
        }
        Instant from = park.from(), through = park.through();
        moves.start(endpointId, "release", () -> queue.release(endpointId, now, from, through, EndpointPark.RELEASE_CHUNK), released -> {
            park.released(released, nowNanos);
            if (released > 0) {
                log.debug("released {} parked deliveries of endpoint {}", released, endpointId);
                dryClaims.forget();
            }
        });
    }

    /** What a lane may use while its endpoint is new or slow: at most {@link #SLOW_ENDPOINT_IN_FLIGHT}. */
    private int slowCap() {
        return Math.min(SLOW_ENDPOINT_IN_FLIGHT, settings.maxInFlightPerEndpoint());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public int outstanding() {
        return outstanding.size();
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming, lets in-flight deliveries finish and be recorded within the shutdown timeout,
     * then hands back whatever is still outstanding so another node (or the next start) sends it.
     */
    @Override
    public void close() {
        takingLeases = false;
        running = false;
        signal.wake();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        moves.close();
        // deliveries still waiting for a slot were never started: hand them back at once
        var waiting = new ArrayList<ClaimedDelivery>();
        waiting.addAll(leasedAtPublish.takeAll());
        for (var lane : lanes.values()) {
            for (var p : lane.drainWaiting()) {
                if (outstanding.remove(Claim.of(p.delivery())) != null) {
                    inFlight.release();
                    waiting.add(p.delivery());
                }
            }
        }
        if (!waiting.isEmpty()) {
            try {
                queue.handBack(waiting, clock.instant());
            } catch (RuntimeException e) {
                log.warn("could not hand back waiting deliveries; their leases will expire: {}", e.toString());
            }
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        while (!outstanding.isEmpty() && System.nanoTime() < deadline) sleep(20);
        if (!recorder.stop()) {
            // a hand-back now could undo a result being written (a retry's time, put back to the claim's): left to
            // their leases instead
            log.warn("results still being written at shutdown: the {} deliveries still held are left to their leases",
                    outstanding.size());
            return;
        }
        if (!outstanding.isEmpty()) {
            log.info("handing back {} deliveries still in flight at shutdown", outstanding.size());
            try {
                queue.handBack(List.copyOf(outstanding.values()), clock.instant());
            } catch (RuntimeException e) {
                log.warn("could not hand back in-flight deliveries; their leases will expire: {}", e.toString());
            }
        }
    }
}
