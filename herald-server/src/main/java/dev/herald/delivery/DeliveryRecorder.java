package dev.herald.delivery;

import dev.herald.domain.Attempt;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Ids;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.outbound.DeliveryResult;
import dev.herald.outbound.FailureReason;
import dev.herald.queue.ClaimedDelivery;
import dev.herald.queue.CompletedDelivery;
import dev.herald.queue.DeliveryQueue;
import dev.herald.store.EndpointHealthStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jdbi.v3.core.HandleCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies attempt results. Results from many concurrent sends are written together, one transaction
 * per batch (attempt rows, delivery states, endpoint health), so commits are shared. A batch that
 * cannot be written (database down) is retried until it is; results are never dropped.
 */
public final class DeliveryRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryRecorder.class);
    private static final int MAX_BATCH = 500;
    static final int FAILING_AFTER_ATTEMPT = 4;
    /**
     * How long the first result of a batch waits for others to share its write, unless many already wait. At 1,000
     * deliveries/s each write carried two results and the results statement ran 450 times a second. The wait is after
     * the request was sent and answered, so it adds nothing to publish-to-receipt latency; it only holds the slots of
     * the batch that long.
     */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** Makes a recorder that reports recorded deliveries to the given callback (the dispatcher). */
    @FunctionalInterface
    public interface Factory {
        DeliveryRecorder create(Consumer<List<ClaimedDelivery>> onRecorded);
    }

    /**
     * One finished send waiting to be written. Its attempt id is fixed here, once, so that a write tried again after a
     * lost answer (the first may have committed) finds the attempt it already wrote instead of adding a second.
     */
    public record Result(ClaimedDelivery delivery, DeliveryResult response, Instant startedAt, String attemptId) {
        public Result(ClaimedDelivery delivery, DeliveryResult response, Instant startedAt) {
            this(delivery, response, startedAt, Ids.next(Ids.ATTEMPT, startedAt)); // the attempt's timestamp
        }
    }

    private final DeliveryQueue queue;
    private final EndpointHealthStore health;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final Duration disableAfter;
    private final OperationalWebhooks operational;
    private final Consumer<List<ClaimedDelivery>> onRecorded;
    private final DeliveryMetrics metrics;
    private final LinkedBlockingQueue<Result> pending = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private Thread thread;

    public DeliveryRecorder(DeliveryQueue queue, EndpointHealthStore health, RetryPolicy retryPolicy, Clock clock,
                            Duration disableAfter, OperationalWebhooks operational, DeliveryMetrics metrics,
                            Consumer<List<ClaimedDelivery>> onRecorded) {
        this.queue = queue;
        this.health = health;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.disableAfter = disableAfter;
        this.operational = operational;
        this.onRecorded = onRecorded;
        this.metrics = metrics;
    }

    public DeliveryRecorder start() {
        thread = Thread.ofPlatform().name("herald-recorder").start(this::loop);
        return this;
    }

    public void submit(Result result) {
        pending.add(result);
    }

    private void loop() {
        var batch = new ArrayList<Result>(MAX_BATCH);
        while (running || !pending.isEmpty()) {
            try {
                Result first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                if (running && pending.size() < MAX_BATCH / 4) LockSupport.parkNanos(LINGER_NANOS); // an interrupt ends it early
                pending.drainTo(batch, MAX_BATCH - 1);
                writeUntilDone(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException | Error e) {
                // a loop that dies silently loses results: log with context and keep going
                log.error("recorder loop error (continuing)", e);
            }
        }
    }

    private void writeUntilDone(List<Result> batch) throws InterruptedException {
        List<ClaimedDelivery> all = batch.stream().map(Result::delivery).toList();
        List<Result> toWrite = List.copyOf(batch);
        long backoff = 100;
        boolean mayHaveCommitted = false; // a try cut off by a lost connection may have committed before the answer was lost
        while (true) {
            try {
                if (!toWrite.isEmpty()) write(toWrite, mayHaveCommitted);
                onRecorded.accept(all);
                return;
            } catch (RuntimeException | AssertionError e) {
                // AssertionError: the JDBC driver's own asserts (tests run with -ea) on a dropped connection
                // A result whose endpoint, message or app was deleted in flight can never be written (its
                // attempt row would break a foreign key) and would block every result behind it: drop it.
                List<Result> live = dev.herald.store.SqlErrors.isUnavailable(e) ? null : withoutDeleted(toWrite);
                if (live != null && live.size() < toWrite.size()) {
                    log.info("dropping {} results whose delivery was deleted while in flight", toWrite.size() - live.size());
                    toWrite = live;
                    continue;
                }
                if (!dev.herald.store.SqlErrors.isUnavailable(e)) {
                    // the database is up but refuses this batch: find the poison row instead of retrying forever
                    writeOneByOne(toWrite, mayHaveCommitted);
                    onRecorded.accept(all);
                    return;
                }
                mayHaveCommitted = true;
                if (!running) {
                    // each try waits up to the pool's connection timeout: a stopping node does not keep trying
                    log.error("giving up recording {} attempts at shutdown, the database being unreachable; their leases will"
                            + " expire and they will be retried: {}", batch.size(), e.toString());
                    return;
                }
                log.warn("could not record {} attempts, retrying in {} ms: {}", toWrite.size(), backoff, e.toString());
                TimeUnit.MILLISECONDS.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /** The results whose delivery row still exists; null when that cannot be told (database down). */
    /** Writes results singly; one the database still refuses is logged and dropped (its lease brings it back). */
    private void writeOneByOne(List<Result> results, boolean mayHaveCommitted) {
        for (Result r : results) {
            try {
                write(List.of(r), mayHaveCommitted);
            } catch (RuntimeException | AssertionError e) {
                log.error("dropping the result of delivery {} (message {}, endpoint {}): the database refused it: {}",
                        r.delivery().id(), r.delivery().msgId(), r.delivery().endpointId(), e.toString());
            }
        }
    }

    private List<Result> withoutDeleted(List<Result> results) {
        try {
            Set<Long> existing = queue.existing(results.stream().map(r -> r.delivery().id()).toList());
            return results.stream().filter(r -> existing.contains(r.delivery().id())).toList();
        } catch (RuntimeException | AssertionError e) {
            return null;
        }
    }

    /**
     * Everything a batch changes, worked out before the transaction (again for each try). {@code exhausted}: endpoints
     * to check against the failing clock (a delivery used up its retries, or failed again).
     */
    private record Plan(List<CompletedDelivery> completed, Set<String> failed, Set<String> succeeded, Set<String> apps,
                        Set<String> exhausted, Set<String> gone, List<Runnable> notices, List<HeldBehind> heldBehind,
                        List<DeliveryQueue.Pair> resent) {}

    /** An ordered endpoint's delivery waiting for its retry: the ones queued after it cannot go before {@code until}. */
    private record HeldBehind(String endpointId, long deliveryId, int attemptNumber, Instant until) {}

    /**
     * @param again a try of this batch may already have committed: attempts already written are not written twice (the
     *              queue's changes are fenced by attempt number and need no such care)
     */
    void write(List<Result> batch, boolean again) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        Plan plan = plan(batch, now);
        HandleCallback<List<EndpointHealthStore.Disabled>, RuntimeException> apply = h -> {
            // first: another node recording the scheduled delivery's own result deletes its queue row, then touches the
            // endpoint's health; this transaction, after COMPLETE, would hold the endpoint and wait for that row
            if (!plan.resent().isEmpty()) queue.endScheduledOf(h, plan.resent(), now);
            queue.complete(h, plan.completed(), plan.failed(), plan.succeeded(), plan.apps(), now, again);
            // left due, they were read past by every claim on every node (none may go before the head), and counted as lag
            for (var held : plan.heldBehind()) {
                queue.holdFollowers(h, held.endpointId(), held.deliveryId(), held.attemptNumber(), held.until());
            }
            var list = new ArrayList<EndpointHealthStore.Disabled>();
            list.addAll(health.disableNow(h, plan.gone(), now));
            list.addAll(health.disableFailingSince(h, plan.exhausted(), now.minus(disableAfter), now));
            return list;
        };
        // the common batch disables nothing and holds back no ordered deliveries: then it is one statement in
        // autocommit, one round trip to the database
        boolean severalStatements = !plan.gone().isEmpty() || !plan.exhausted().isEmpty() || !plan.heldBehind().isEmpty()
                || !plan.resent().isEmpty();
        var disabled = severalStatements ? queue.hotPath().inTransaction(apply) : queue.hotPath().withHandle(apply);
        noteDisableChecks(plan, now); // once committed: a write tried again checks again
        long succeeded = plan.completed().stream().filter(c -> c.newStatus() == DeliveryStatus.SUCCESS).count();
        long exhaustedCount = plan.completed().stream().filter(c -> c.newStatus() == DeliveryStatus.FAIL).count();
        var failedAttempts = new java.util.EnumMap<FailureReason, Integer>(FailureReason.class);
        for (var c : plan.completed()) {
            if (c.attempt() == null || c.attempt().status() == DeliveryStatus.SUCCESS) continue;
            failedAttempts.merge(FailureReason.of(c.attempt().responseStatusCode(), c.attempt().errorMessage()), 1, Integer::sum);
        }
        metrics.recorded(Duration.ofNanos(System.nanoTime() - started), (int) succeeded, failedAttempts, (int) exhaustedCount);
        plan.notices().forEach(Runnable::run);
        for (var d : disabled) {
            if (plan.gone().contains(d.endpointId())) log.info("endpoint {} disabled: it answered 410 Gone", d.endpointId());
            else log.info("endpoint {} disabled (failing since {})", d.endpointId(), d.failingSince());
            var data = new LinkedHashMap<String, Object>();
            data.put("appId", d.appId());
            data.put("appUid", d.appUid());
            data.put("endpointId", d.endpointId());
            data.put("endpointUid", d.endpointUid());
            data.put("failSince", d.failingSince());
            data.put("trigger", plan.gone().contains(d.endpointId()) ? "manual" : "automatic");
            operational.emit("endpoint.disabled", data);
        }
    }

    /**
     * An endpoint whose circuit breaker is open gets one attempt a minute or so, so its deliveries take days to use up
     * their retries, and only a delivery that used them up used to disable it: a dead endpoint with steady traffic
     * was never disabled. Its failed attempts are checked against the failing clock too, each endpoint at most every
     * {@link #DISABLE_CHECK_EVERY} (the check is one more statement in the batch's transaction).
     */
    static final Duration DISABLE_CHECK_EVERY = Duration.ofMinutes(10);
    /** Recorder thread only. */
    private final Map<String, Instant> disableChecked = new HashMap<>();

    private boolean disableCheckDue(String endpointId, Instant now) {
        Instant last = disableChecked.get(endpointId);
        return last == null || !now.isBefore(last.plus(DISABLE_CHECK_EVERY));
    }

    private void noteDisableChecks(Plan plan, Instant now) {
        if (disableChecked.size() >= 100_000) disableChecked.clear(); // failing endpoints beyond this are checked more often
        for (String endpointId : plan.exhausted()) disableChecked.put(endpointId, now);
        for (String endpointId : plan.succeeded()) disableChecked.remove(endpointId);
    }

    private Plan plan(List<Result> batch, Instant now) {
        var completed = new ArrayList<CompletedDelivery>(batch.size());
        Set<String> failed = new LinkedHashSet<>();
        Set<String> succeeded = new LinkedHashSet<>();
        Set<String> apps = new LinkedHashSet<>();
        Set<String> exhausted = new LinkedHashSet<>();
        Set<String> gone = new LinkedHashSet<>();
        List<Runnable> notices = new ArrayList<>();
        List<HeldBehind> heldBehind = new ArrayList<>();
        List<DeliveryQueue.Pair> resent = new ArrayList<>();
        boolean logAttempts = operational.wantsAttemptLog();
        for (Result r : batch) {
            ClaimedDelivery d = r.delivery();
            if (r.response() == null) {
                completed.add(new CompletedDelivery(d.id(), d.attemptNumber(), null, DeliveryStatus.CANCELED, null));
                continue;
            }
            DeliveryResult response = r.response();
            apps.add(d.appId());
            String attemptId = r.attemptId();
            Long retryAfter = RetryPolicy.parseRetryAfter(response.retryAfter(), now);
            DeliveryOutcome outcome = retryPolicy.decide(response, d.attemptNumber(), d.triggerType(), now, retryAfter);
            int status;
            Instant next = null;
            switch (outcome) {
                case DeliveryOutcome.Delivered ignored -> {
                    status = DeliveryStatus.SUCCESS;
                    succeeded.add(d.endpointId());
                    // a resend that arrived: the message's scheduled delivery there is done too (see endScheduledOf)
                    if (d.triggerType() == DeliveryStatus.TRIGGER_MANUAL) resent.add(new DeliveryQueue.Pair(d.msgId(), d.endpointId()));
                    // as Svix: recovered pairs with the failing event sent before it, not with any earlier failure
                    if (d.attemptNumber() > FAILING_AFTER_ATTEMPT && d.triggerType() == DeliveryStatus.TRIGGER_SCHEDULED) {
                        notices.add(() -> operational.emit("message.attempt.recovered", attemptData(d, attemptId, response, r.startedAt())));
                    }
                }
                case DeliveryOutcome.RetryAt retry -> {
                    status = DeliveryStatus.PENDING;
                    next = retry.at();
                    if (d.ordered()) heldBehind.add(new HeldBehind(d.endpointId(), d.id(), d.attemptNumber(), next));
                    failed.add(d.endpointId());
                    // HERALD_DISABLE_AFTER=0s: the first delivery to use up its retries disables the endpoint. A failure
                    // with retries left is not checked: its failing clock, started now, is always past a zero limit
                    if (d.triggerType() == DeliveryStatus.TRIGGER_SCHEDULED && !disableAfter.isZero()
                            && disableCheckDue(d.endpointId(), now)) {
                        exhausted.add(d.endpointId());
                    }
                    if (d.attemptNumber() == FAILING_AFTER_ATTEMPT) {
                        notices.add(() -> operational.emit("message.attempt.failing", attemptData(d, attemptId, response, r.startedAt())));
                    }
                }
                case DeliveryOutcome.Exhausted end -> {
                    status = DeliveryStatus.FAIL;
                    failed.add(d.endpointId());
                    // a 410 says the URL is gone: the endpoint's, unless its transformation made this one from the
                    // message (…/items/{{payload.id}}), when it says only that this message's item is gone
                    if (end.disableEndpoint() && !urlFromTemplate(d.transformation())) gone.add(d.endpointId());
                    if (d.triggerType() == DeliveryStatus.TRIGGER_SCHEDULED) {
                        exhausted.add(d.endpointId());
                        notices.add(() -> operational.emit("message.attempt.exhausted", attemptData(d, attemptId, response, r.startedAt())));
                    }
                }
            }
            var attempt = new Attempt(attemptId, d.msgId(), d.endpointId(), d.appId(), d.id(), d.url(),
                    d.attemptNumber(), status == DeliveryStatus.SUCCESS ? DeliveryStatus.SUCCESS : DeliveryStatus.FAIL,
                    response.statusCode(), storable(response.responseBody()), response.durationMs(), storable(response.errorMessage()),
                    d.triggerType(), next, r.startedAt());
            completed.add(new CompletedDelivery(d.id(), d.attemptNumber(), attempt, status, next));
            if (logAttempts) notices.add(() -> operational.logAttempt(d.appId(), logEntry(d, attempt)));
        }
        return new Plan(completed, failed, succeeded, apps, exhausted, gone, notices, heldBehind, resent);
    }

    /** A template tag that differs from message to message (not {{app.…}} or {{endpoint.…}}, fixed per endpoint). */
    private static final java.util.regex.Pattern MESSAGE_TAG =
            java.util.regex.Pattern.compile("\\{\\{\\{?\\s*&?\\s*(payload|msgId|eventId|eventType|timestamp|channels|tags)\\b");

    /** Whether the endpoint's transformation makes each request's URL from the message ({{payload.id}} and the like). */
    static boolean urlFromTemplate(String transformationJson) {
        if (transformationJson == null || !transformationJson.contains("{{")) return false;
        try {
            var url = dev.herald.routing.PayloadJson.parse(transformationJson).path("url");
            return url.isTextual() && MESSAGE_TAG.matcher(url.textValue()).find();
        } catch (IllegalArgumentException notJson) {
            return false;
        }
    }

    /**
     * A receiver's body is arbitrary bytes: NUL cannot be stored in a PostgreSQL text column (and would
     * fail the whole batch), so it becomes U+FFFD, like the invalid UTF-8 the decoder already replaced.
     */
    static String storable(String text) {
        return text == null || text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    }

    /** Svix's MessageAttemptLog: one attempt, for the batched message.attempt.log event. */
    private static Map<String, Object> logEntry(ClaimedDelivery d, Attempt a) {
        var entry = new LinkedHashMap<String, Object>();
        entry.put("appId", d.appId());
        entry.put("appUid", d.appUid());
        entry.put("endpointId", d.endpointId());
        entry.put("msgId", d.msgId());
        entry.put("msgEventId", d.eventId());
        entry.put("msgCreated", d.messageCreatedAt());
        entry.put("eventType", d.eventType());
        entry.put("attemptId", a.id());
        entry.put("attemptStart", a.createdAt());
        entry.put("attemptEnd", a.createdAt().plusMillis(a.responseDurationMs()));
        entry.put("attemptCount", a.attemptNumber());
        entry.put("responseStatusCode", a.responseStatusCode());
        entry.put("status", a.status()); // Svix's MessageStatus: 0 succeeded, 2 failed
        return entry;
    }

    /** Svix's MessageAttempt{Failing,Exhausted,Recovered}EventData. */
    private static Map<String, Object> attemptData(ClaimedDelivery d, String attemptId, DeliveryResult response, Instant at) {
        var data = new LinkedHashMap<String, Object>();
        data.put("appId", d.appId());
        data.put("appUid", d.appUid());
        data.put("msgId", d.msgId());
        data.put("msgEventId", d.eventId());
        data.put("endpointId", d.endpointId());
        var last = new LinkedHashMap<String, Object>();
        last.put("id", attemptId);
        last.put("timestamp", at);
        last.put("responseStatusCode", response.statusCode());
        last.put("attemptNumber", d.attemptNumber());
        data.put("lastAttempt", last);
        return data;
    }

    public int backlog() {
        return pending.size();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Stops taking results and waits (10 s at most) for those taken to be written; returns whether the recorder has
     * stopped (false: a write still under way, whose rows must not be handed back beneath it).
     */
    public boolean stop() {
        running = false;
        if (thread == null) return true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
