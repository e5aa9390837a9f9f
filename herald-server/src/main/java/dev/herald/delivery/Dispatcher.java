package dev.herald.delivery;

import dev.herald.metrics.DeliveryMetrics;
import dev.herald.outbound.DeliveryResult;
import dev.herald.outbound.OutboundRequest;
import dev.herald.outbound.WebhookClient;
import dev.herald.queue.ClaimedDelivery;
import dev.herald.queue.DeliveryQueue;
import dev.herald.queue.QueueSignal;
import dev.herald.store.EndpointStore;
import dev.herald.store.SqlErrors;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries and sends them. A global cap bounds deliveries claimed but not yet recorded;
 * a per-endpoint cap keeps one slow endpoint from holding them all: its excess is handed straight back
 * to the queue and it is left out of claims while saturated, so other endpoints keep flowing.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    public record Settings(int batchSize, Duration lease, Duration pollInterval, int maxInFlight,
                           int maxInFlightPerEndpoint, Duration shutdownTimeout) {}

    private final DeliveryQueue queue;
    private final EndpointStore endpoints;
    private final WebhookClient client;
    private final SignedRequestFactory requests;
    private final DeliveryRecorder recorder;
    private final QueueSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final DeliveryMetrics metrics;
    private final Semaphore inFlight;
    private final ConcurrentHashMap<String, AtomicInteger> perEndpoint = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, ClaimedDelivery> outstanding = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean paused;
    private Thread thread;

    public Dispatcher(DeliveryQueue queue, EndpointStore endpoints, WebhookClient client, SignedRequestFactory requests,
                      DeliveryRecorder.Factory recorderFactory, QueueSignal signal, Clock clock, Settings settings,
                      DeliveryMetrics metrics) {
        this.queue = queue;
        this.endpoints = endpoints;
        this.client = client;
        this.requests = requests;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.recorder = recorderFactory.create(this::recorded);
    }

    public Dispatcher start() {
        recorder.start();
        thread = Thread.ofPlatform().name("herald-dispatcher").start(this::loop);
        return this;
    }

    /** Holds all delivery (maintenance); publishing goes on. */
    public void setPaused(boolean paused) {
        this.paused = paused;
        signal.wake();
    }

    private void loop() {
        long backoff = 100;
        while (running) {
            try {
                if (paused || inFlight.availablePermits() == 0) {
                    signal.await(settings.pollInterval());
                    continue;
                }
                int requested = Math.min(settings.batchSize(), inFlight.availablePermits());
                int claimed = dispatchOnce(requested);
                backoff = 100;
                if (claimed < requested) signal.await(settings.pollInterval());
            } catch (InterruptedException e) {
                if (!running) return;
            } catch (RuntimeException | Error e) {
                log.warn("dispatcher could not claim deliveries, retrying in {} ms: {}", backoff, e.toString());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /** Claims up to {@code limit} due deliveries and starts sending them; returns how many were claimed. */
    int dispatchOnce(int limit) {
        Instant now = clock.instant();
        long started = System.nanoTime();
        List<ClaimedDelivery> claimed = queue.claim(limit, now, settings.lease(), saturatedEndpoints());
        metrics.claimed(Duration.ofNanos(System.nanoTime() - started));
        if (claimed.isEmpty()) return 0;
        Set<String> endpointIds = claimed.stream().map(ClaimedDelivery::endpointId).collect(Collectors.toSet());
        Map<String, String> unreadable = new HashMap<>();
        Map<String, List<String>> secrets = secretsOf(endpointIds, now, unreadable);
        var handBack = new ArrayList<ClaimedDelivery>();
        for (ClaimedDelivery d : claimed) {
            var count = perEndpoint.computeIfAbsent(d.endpointId(), k -> new AtomicInteger());
            if (count.incrementAndGet() > settings.maxInFlightPerEndpoint() || !inFlight.tryAcquire()) {
                count.decrementAndGet();
                handBack.add(d);
                continue;
            }
            outstanding.put(d.id(), d);
            send(d, secrets.getOrDefault(d.endpointId(), List.of()), unreadable.get(d.endpointId()));
        }
        if (!handBack.isEmpty()) {
            queue.handBack(handBack, now);
            metrics.handedBack(handBack.size());
        }
        return claimed.size();
    }

    /**
     * The live secrets of the endpoints, read together. If that fails for a reason other than the database
     * being down, one endpoint's secret row cannot be opened (e.g. sealed with a key this node lacks): read
     * them one by one so only that endpoint's deliveries fail, with the reason in {@code unreadable}.
     */
    private Map<String, List<String>> secretsOf(Set<String> endpointIds, Instant now, Map<String, String> unreadable) {
        try {
            return endpoints.liveSecrets(endpointIds, now);
        } catch (RuntimeException e) {
            if (SqlErrors.isUnavailable(e)) throw e; // the claimed rows come back when their lease ends
        }
        Map<String, List<String>> secrets = new HashMap<>();
        for (String id : endpointIds) {
            try {
                secrets.put(id, endpoints.liveSecrets(id, now));
            } catch (RuntimeException e) {
                if (SqlErrors.isUnavailable(e)) throw e;
                log.warn("cannot open the signing secret of endpoint {}: {}", id, e.toString());
                unreadable.put(id, "cannot open the endpoint's signing secret: " + e.getMessage());
            }
        }
        return secrets;
    }

    /** Sends one claimed delivery; whatever happens, exactly one result reaches the recorder, which frees its slot. */
    private void send(ClaimedDelivery d, List<String> secrets, String secretProblem) {
        Instant startedAt = clock.instant();
        if (d.endpointDisabled() || d.payload() == null) {
            recorder.submit(new DeliveryRecorder.Result(d, null, startedAt));
            return;
        }
        if (secretProblem != null) {
            recorder.submit(new DeliveryRecorder.Result(d, DeliveryResult.failure(secretProblem, 0), startedAt));
            return;
        }
        OutboundRequest request;
        try {
            request = requests.build(URI.create(d.url()), d.msgId(), startedAt.getEpochSecond(),
                    SignedRequestFactory.bytes(d.payload()), secrets, d.headers());
        } catch (IllegalArgumentException e) {
            // a bad URL, or no live secret at all (the endpoint was deleted after the claim)
            String what = secrets.isEmpty() ? "no signing secret: " : "invalid request: ";
            recorder.submit(new DeliveryRecorder.Result(d, DeliveryResult.failure(what + e.getMessage(), 0), startedAt));
            return;
        }
        client.send(request).whenComplete((result, error) -> {
            DeliveryResult r = result != null ? result
                    : DeliveryResult.failure("send failed: " + (error == null ? "unknown" : error.toString()), 0);
            recorder.submit(new DeliveryRecorder.Result(d, r, startedAt));
        });
    }

    /** Called by the recorder once results are durable: frees their slots and wakes the loop. */
    private void recorded(List<ClaimedDelivery> done) {
        for (ClaimedDelivery d : done) {
            if (outstanding.remove(d.id()) == null) continue;
            var count = perEndpoint.get(d.endpointId());
            if (count != null) count.decrementAndGet();
            inFlight.release();
        }
        signal.wake();
    }

    private Set<String> saturatedEndpoints() {
        return perEndpoint.entrySet().stream()
                .filter(e -> e.getValue().get() >= settings.maxInFlightPerEndpoint())
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
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
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        while (!outstanding.isEmpty() && System.nanoTime() < deadline) sleep(20);
        recorder.close();
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
