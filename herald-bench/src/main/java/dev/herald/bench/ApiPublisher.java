package dev.herald.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/** Publishes single messages over Herald's HTTP API, closed-loop (fixed concurrency) or open-loop (fixed rate). */
final class ApiPublisher implements AutoCloseable {
    private final HttpClient http = new HttpClient();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    ApiPublisher() throws Exception {
        http.setMaxConnectionsPerDestination(512);
        http.setMaxRequestsQueuedPerDestination(100_000);
        http.start();
    }

    /** Sends {@code total} publishes with at most {@code concurrency} in flight; waits for all answers. */
    void closedLoop(String baseUrl, String token, IntFunction<String> appOf, int total, int concurrency) throws InterruptedException {
        var permits = new Semaphore(concurrency);
        for (int i = 0; i < total; i++) {
            permits.acquire();
            send(baseUrl, token, appOf.apply(i), i, permits::release);
        }
        permits.acquire(concurrency);
        permits.release(concurrency);
    }

    private final AtomicLong inFlight = new AtomicLong();

    /** Offers {@code rate} publishes per second for {@code duration}, whatever the answers' speed. */
    void openLoop(String baseUrl, String token, String app, int rate, Duration duration) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long count = duration.toNanos() / interval;
        for (int i = 0; i < count; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            inFlight.incrementAndGet();
            send(baseUrl, token, app, i, inFlight::decrementAndGet);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
    }

    private void send(String baseUrl, String token, String app, int i, Runnable done) {
        String body = "{\"eventType\":\"bench.event\",\"payload\":{\"t\":" + System.nanoTime() + ",\"i\":" + i
                + ",\"pad\":\"" + PAD + "\"}}";
        http.newRequest(baseUrl + "/api/v1/app/" + app + "/msg")
                .method(HttpMethod.POST)
                .headers(h -> h.put("Authorization", "Bearer " + token))
                .body(new StringRequestContent("application/json", body))
                .timeout(30, TimeUnit.SECONDS)
                .send(result -> {
                    if (result.isSucceeded() && result.getResponse().getStatus() == 202) accepted.incrementAndGet();
                    else refused.incrementAndGet();
                    done.run();
                });
    }

    /** Makes the payload about 400 bytes, a typical webhook body. */
    private static final String PAD = "x".repeat(340);

    long accepted() {
        return accepted.get();
    }

    long refused() {
        return refused.get();
    }

    void resetCounts() {
        accepted.set(0);
        refused.set(0);
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
