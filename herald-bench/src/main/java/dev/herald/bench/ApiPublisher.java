package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Publishes single messages over Herald's HTTP API, closed-loop (fixed concurrency) or open-loop (fixed
 * rate). This is the load generator, playing the customer's application. It uses Jetty's client, which
 * costs about half the CPU per request of the JDK's (../shared/MEASUREMENTS.md): on two cores, every cycle
 * the generator spends is one Herald does not get.
 */
final class ApiPublisher implements AutoCloseable {
    /** Makes the payload about 400 bytes, a typical webhook body. */
    private static final String PAD = "x".repeat(340);

    private final HttpClient http;
    private final boolean http2;
    /** Each publish carries an {@code idempotency-key} of its own, as the Svix SDKs send with every POST ("auto_" + a UUID). */
    private volatile boolean idempotencyKeys;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Where open-loop publishes record the time to their API answer (null: not recorded). */
    private volatile LatencyRecorder answers;
    /** Open-loop requests outstanding at most; each holds a connection, and file descriptors are finite. */
    static final int MAX_OPEN_LOOP_IN_FLIGHT = 512;

    /**
     * @param http2 HTTP/2 over cleartext (prior knowledge): the requests in flight share a few multiplexed connections;
     *              otherwise HTTP/1.1, one connection per request in flight
     */
    ApiPublisher(boolean http2, boolean idempotencyKeys) throws Exception {
        this.http2 = http2;
        this.idempotencyKeys = idempotencyKeys;
        this.http = http2 ? new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client())) : new HttpClient();
        http.setMaxConnectionsPerDestination(MAX_OPEN_LOOP_IN_FLIGHT);
        http.setMaxRequestsQueuedPerDestination(4 * MAX_OPEN_LOOP_IN_FLIGHT);
        http.setConnectTimeout(5_000);
        // the answer callbacks only count and release a permit: the selector runs them, no pool thread is woken
        http.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        http.start();
    }

    /**
     * Sends {@code total} publishes with at most {@code concurrency} in flight; waits for all answers, whose times go to
     * {@code answers}.
     */
    void closedLoop(String baseUrl, String token, IntFunction<String> appOf, int total, int concurrency, LatencyRecorder answers)
            throws InterruptedException {
        this.answers = answers;
        try {
            closedLoop(baseUrl, token, appOf, total, concurrency);
        } finally {
            this.answers = null;
        }
    }

    /** Sends {@code total} publishes with at most {@code concurrency} in flight; waits for all answers. */
    void closedLoop(String baseUrl, String token, IntFunction<String> appOf, int total, int concurrency) throws InterruptedException {
        var permits = new Semaphore(concurrency);
        for (int i = 0; i < total; i++) {
            permits.acquire();
            send(baseUrl, token, appOf.apply(i), i, System.nanoTime(), permits::release);
        }
        permits.acquire(concurrency);
        permits.release(concurrency);
    }

    /** Offers {@code rate} publishes per second for {@code duration}, whatever the answers' speed. */
    void openLoop(String baseUrl, String token, String app, int rate, Duration duration, LatencyRecorder answers) throws InterruptedException {
        this.answers = answers;
        try {
            openLoop(baseUrl, token, app, rate, duration);
        } finally {
            this.answers = null;
        }
    }

    private void openLoop(String baseUrl, String token, String app, int rate, Duration duration) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long count = duration.toNanos() / interval;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            if (inFlight.get() >= MAX_OPEN_LOOP_IN_FLIGHT) {
                // the server is behind: count the publish as not offered rather than open ever more sockets
                skipped.incrementAndGet();
                continue;
            }
            inFlight.incrementAndGet();
            // timed from when it was due, not when it went: a stall of this thread (a GC pause of the JVM it shares
            // with Herald) would otherwise hide its own delay from every publish it held up
            send(baseUrl, token, app, i, due, inFlight::decrementAndGet);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
    }

    private void send(String baseUrl, String token, String app, int i, long sentAt, Runnable done) {
        LatencyRecorder answerTimes = answers;
        String body = "{\"eventType\":\"bench.event\",\"payload\":{\"t\":" + sentAt + ",\"i\":" + i
                + ",\"pad\":\"" + PAD + "\"}}";
        http.newRequest(baseUrl + "/api/v1/app/" + app + "/msg")
                .method(HttpMethod.POST)
                .headers(h -> {
                    h.put(HttpHeader.AUTHORIZATION, "Bearer " + token);
                    if (idempotencyKeys) h.put("idempotency-key", "auto_" + java.util.UUID.randomUUID());
                })
                .timeout(30, TimeUnit.SECONDS)
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8))
                .send(result -> {
                    if (answerTimes != null) answerTimes.record(sentAt, System.nanoTime() - sentAt);
                    if (result.isSucceeded() && result.getResponse().getStatus() == 202) accepted.incrementAndGet();
                    else refused.incrementAndGet();
                    done.run();
                });
    }

    /** From now on each publish carries its own idempotency-key, or none. */
    void sendIdempotencyKeys(boolean send) {
        idempotencyKeys = send;
    }

    boolean sendsIdempotencyKeys() {
        return idempotencyKeys;
    }

    String protocol() {
        return (http2 ? "HTTP/2 (h2c)" : "HTTP/1.1") + (idempotencyKeys ? ", an idempotency-key per publish" : "");
    }

    long accepted() {
        return accepted.get();
    }

    long refused() {
        return refused.get();
    }

    long skipped() {
        return skipped.get();
    }

    void resetCounts() {
        accepted.set(0);
        refused.set(0);
        skipped.set(0);
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
