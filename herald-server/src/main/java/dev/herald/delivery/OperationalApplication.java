package dev.herald.delivery;

import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.domain.NotFoundException;
import dev.herald.store.ApplicationStore;
import dev.herald.store.EndpointStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Svix's operational webhook endpoints, as endpoints of an application Herald keeps for itself ({@link
 * Application#OPERATIONAL_UID}). An operational event is published into it as a message, so it is delivered as every
 * message is: to each of its endpoints whose {@code filterTypes} take the event's type, signed with that endpoint's
 * secret, retried on the schedule and recorded. The application is created the first time an endpoint is added, by
 * whichever node gets there first.
 * <p>
 * Events are handed over in memory and published by a few virtual threads, so that the delivery path that raises them
 * never waits for a commit. At most {@link #MAX_WAITING} wait; past that, and for events of a node that stops before
 * publishing them, they are lost (logged and counted): they are notices about deliveries, which are kept either way.
 */
public final class OperationalApplication implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OperationalApplication.class);
    static final int MAX_WAITING = 10_000;
    private static final int PUBLISHERS = 4;
    /** How long a node trusts its answer to "has Herald's application any endpoint?" (its own changes count at once). */
    static final Duration ENDPOINTS_CHECKED_EVERY = Duration.ofSeconds(5);
    /**
     * A "none" is trusted for less: an event raised while it stands is dropped, not delayed, so an endpoint added on
     * another node misses this node's events for as long (5 s until session 45; one read a second at most, the
     * event-type gate's interval).
     */
    static final Duration NONE_CHECKED_EVERY = Duration.ofSeconds(1);

    private record Event(String type, String payload, Instant at) {}

    private final ApplicationStore apps;
    private final EndpointStore endpoints;
    private final Clock clock;
    private final Duration payloadRetention;
    private final LinkedBlockingQueue<Event> waiting = new LinkedBlockingQueue<>(MAX_WAITING);
    private final List<Thread> publishers = new ArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private volatile String knownId;
    private volatile boolean hasEndpoints;
    private volatile long checkedAtNanos = Long.MIN_VALUE;
    private volatile boolean attemptLogWanted;
    /** Whether the endpoints were read once: until then a failed read is not answered from memory. */
    private volatile boolean endpointsRead;
    private final AttemptLog attemptLog = new AttemptLog();
    private Thread attemptLogFlusher;

    public OperationalApplication(ApplicationStore apps, EndpointStore endpoints, Clock clock, Duration payloadRetention) {
        this.apps = apps;
        this.endpoints = endpoints;
        this.clock = clock;
        this.payloadRetention = payloadRetention;
    }

    /** Herald's application, created if it does not exist yet (for the operational endpoint routes). */
    public Application application() {
        var existing = apps.find(Application.OPERATIONAL_UID).filter(Application::operational);
        if (existing.isPresent()) return remember(existing.get());
        Instant now = clock.instant();
        try {
            return remember(apps.insert(new Application(Ids.next(Ids.APP), Application.OPERATIONAL_UID,
                    "Herald operational webhooks", null, null, Map.of(), now, now)));
        } catch (ConflictException e) {
            // another node created it a moment ago
            return remember(apps.find(Application.OPERATIONAL_UID).filter(Application::operational).orElseThrow(() -> e));
        }
    }

    private Application remember(Application app) {
        knownId = app.id();
        return app;
    }

    /** Whether {@code appId} is Herald's own application: its events raise no operational event (no loops). */
    boolean isOwn(String appId) {
        String id = knownId;
        if (id == null) id = apps.find(Application.OPERATIONAL_UID).filter(Application::operational).map(this::remember)
                .map(Application::id).orElse(null);
        return appId != null && appId.equals(id);
    }

    /** An operational endpoint was added, changed or removed through this node: its next event looks again. */
    public void endpointsChanged() {
        checkedAtNanos = Long.MIN_VALUE;
    }

    private boolean hasEndpoints() {
        long now = System.nanoTime();
        long trusted = (hasEndpoints ? ENDPOINTS_CHECKED_EVERY : NONE_CHECKED_EVERY).toNanos();
        if (checkedAtNanos != Long.MIN_VALUE && now - checkedAtNanos < trusted) return hasEndpoints;
        List<dev.herald.domain.Endpoint> live;
        try {
            var app = apps.find(Application.OPERATIONAL_UID).filter(Application::operational);
            app.ifPresent(this::remember);
            live = app.isPresent() ? endpoints.allOf(app.get().id()).stream().filter(e -> !e.disabled()).toList() : List.of();
        } catch (RuntimeException e) {
            if (!endpointsRead) throw e;
            // the database is out of reach for now: go on with the last answer, and ask again after the interval, not at
            // every event (each ask would wait out the pool's timeout on the recorder's path)
            checkedAtNanos = now;
            log.warn("operational endpoints could not be read, going on with what was read before: {}", e.toString());
            return hasEndpoints;
        }
        hasEndpoints = !live.isEmpty();
        // attempt logs are many: raised only once an endpoint asks for them by name (one taking every type does not)
        attemptLogWanted = live.stream().anyMatch(e -> e.filterTypes() != null && e.filterTypes().contains(ATTEMPT_LOG));
        endpointsRead = true;
        checkedAtNanos = now;
        return hasEndpoints;
    }

    static final String ATTEMPT_LOG = "message.attempt.log";

    /**
     * Whether attempts are to be logged ({@link #ATTEMPT_LOG}): some operational endpoint names that type. Read on the
     * recorder's path: a volatile read, and a look at the endpoints at most every {@link #ENDPOINTS_CHECKED_EVERY}
     * ({@link #NONE_CHECKED_EVERY} while there are none: one statement a second, on the recorder's thread).
     */
    boolean wantsAttemptLog() {
        if (!running) return false;
        try {
            return hasEndpoints() && attemptLogWanted;
        } catch (RuntimeException e) {
            log.warn("attempt logs not sent: the operational endpoints could not be read: {}", e.toString());
            return false;
        }
    }

    /** Queues one attempt of an application other than Herald's own for the next {@link #ATTEMPT_LOG} event. */
    void logAttempt(String appId, Map<String, Object> attempt) {
        if (!isOwn(appId)) attemptLog.add(attempt);
    }

    /**
     * Whether an event about {@code appId} is for the operational endpoints: not when there are none, nor when it is
     * about Herald's own application (its endpoints' failures would raise events forever).
     */
    boolean wants(String appId) {
        if (!running) return false;
        try {
            return hasEndpoints() && !isOwn(appId);
        } catch (RuntimeException e) {
            log.warn("operational events not sent: their endpoints could not be read: {}", e.toString());
            return false;
        }
    }

    /** Queues an event (its whole JSON body) for the operational endpoints (see {@link #wants}). */
    void publish(String type, String payload) {
        if (!waiting.offer(new Event(type, payload, clock.instant()))) {
            long lost = dropped.incrementAndGet();
            if (lost == 1 || lost % 1_000 == 0) log.warn("operational events dropped: {} waiting already ({} dropped so far)", MAX_WAITING, lost);
        }
    }

    /** Starts the threads that publish queued events through {@code publisher}, and the attempt log's. */
    public OperationalApplication start(Publisher publisher) {
        running = true;
        for (int i = 0; i < PUBLISHERS; i++) {
            publishers.add(Thread.ofVirtual().name("herald-operational-" + i).start(() -> loop(publisher)));
        }
        attemptLogFlusher = Thread.ofVirtual().name("herald-attempt-log").start(this::flushAttemptLog);
        return this;
    }

    /** Every {@link AttemptLog#EVERY}, the attempts waiting as {@link #ATTEMPT_LOG} events (the last ones at close). */
    private void flushAttemptLog() {
        while (true) {
            boolean last = !running;
            List<Map<String, Object>> batch;
            while (!(batch = attemptLog.take()).isEmpty()) {
                publish(ATTEMPT_LOG, OperationalWebhooks.eventJson(ATTEMPT_LOG, clock.instant(), batch));
            }
            if (last) return;
            try {
                Thread.sleep(AttemptLog.EVERY);
            } catch (InterruptedException e) {
                if (!running) continue;
            }
        }
    }

    private void loop(Publisher publisher) {
        while (running || !waiting.isEmpty()) {
            Event event;
            try {
                event = waiting.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (!running) return;
                continue;
            }
            if (event == null) continue;
            try {
                send(publisher, event);
            } catch (NotFoundException e) {
                knownId = null; // deleted under us (only ever by hand): made again on the next try
                try {
                    send(publisher, event);
                } catch (RuntimeException again) {
                    log.warn("operational event {} not published: {}", event.type(), again.toString());
                }
            } catch (RuntimeException e) {
                log.warn("operational event {} not published: {}", event.type(), e.toString());
            }
        }
    }

    private void send(Publisher publisher, Event event) {
        String appId = knownId != null ? knownId : application().id();
        publisher.publish(new Message(Ids.next(Ids.MESSAGE, event.at()), appId, event.type(), null, event.payload(), null, null,
                event.at(), null, event.at().plus(payloadRetention)));
    }

    /** Events dropped because {@link #MAX_WAITING} were waiting, and attempts the attempt log dropped. */
    public long dropped() {
        return dropped.get() + attemptLog.dropped();
    }

    @Override
    public void close() {
        running = false;
        if (attemptLogFlusher != null) {
            // woken from its wait, it queues what is left before the publishers below finish the queue
            attemptLogFlusher.interrupt();
            try {
                attemptLogFlusher.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : publishers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
