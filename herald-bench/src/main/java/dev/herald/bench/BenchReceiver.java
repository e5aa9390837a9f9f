package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The webhook receiver of every scenario: Jetty on 127.0.0.1, asynchronous, so a slow path costs no
 * thread. Paths: {@code /ok/...} answers 200, {@code /slow} after 5 s, {@code /fail} 500. Counts per path;
 * when the body carries {@code "t":<nanoTime at publish>} it records publish-to-receipt latency.
 */
final class BenchReceiver implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    /** Requests to {@code /ok} that are not a delivery: unsigned, or a body that could not be read. */
    private final LongAdder unsigned = new LongAdder();
    /** A webhook-id a path already had: sent again, not counted again. */
    private final LongAdder duplicates = new LongAdder();
    /** path and webhook-id of what {@code /ok} received, the first {@link #DUPLICATES_CHECKED} of a scenario. */
    private final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();
    static final int DUPLICATES_CHECKED = 250_000;
    private volatile LatencyRecorder latencies;

    BenchReceiver() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                Content.Source.asStringAsync(request, StandardCharsets.UTF_8).whenComplete((body, error) -> {
                    long now = System.nanoTime();
                    total.increment();
                    if (path.startsWith("/ok") && !aDelivery(request, path, error)) {
                        // a copy is answered 200, as an idempotent receiver would (refused, it would be retried and
                        // counted again, and keep the scenario waiting); an unsigned request 400
                        answer(response, callback, unsignedOrUnread(request, error) ? 400 : 200);
                        return;
                    }
                    counts.computeIfAbsent(bucket(path), p -> new LongAdder()).increment();
                    var recorder = latencies;
                    if (recorder != null && body != null && path.startsWith("/ok")) {
                        long sent = publishedAt(body);
                        if (sent > 0) recorder.record(sent, now - sent);
                    }
                    if (path.startsWith("/slow")) {
                        delays.schedule(() -> answer(response, callback, 200), 5, TimeUnit.SECONDS);
                    } else {
                        answer(response, callback, path.startsWith("/fail") ? 500 : 200);
                    }
                });
                return true;
            }
        });
        server.start();
    }

    /**
     * Whether a request to {@code /ok} counts as a delivery: signed (Standard Webhooks' three headers), its body read,
     * and not one this path already had (a copy sent twice would raise a rate).
     */
    private boolean aDelivery(Request request, String path, Throwable error) {
        if (unsignedOrUnread(request, error)) {
            unsigned.increment();
            return false;
        }
        String id = request.getHeaders().get("webhook-id");
        if (seen.size() < DUPLICATES_CHECKED && !seen.add(path + " " + id)) {
            duplicates.increment();
            return false;
        }
        return true;
    }

    private static boolean unsignedOrUnread(Request request, Throwable error) {
        var headers = request.getHeaders();
        return error != null || headers.get("webhook-id") == null || headers.get("webhook-signature") == null
                || headers.get("webhook-timestamp") == null;
    }

    /** Requests to {@code /ok} that were no delivery since the last call (a scenario's own resets keep them). */
    long takeUnsigned() {
        return unsigned.sumThenReset();
    }

    long duplicates() {
        return duplicates.sum();
    }

    private static void answer(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.write(true, null, callback);
    }

    private static String bucket(String path) {
        return path.startsWith("/ok") ? "/ok" : path;
    }

    /** Reads {@code "t":<digits>} from the payload; 0 when absent. */
    static long publishedAt(String body) {
        int at = body.indexOf("\"t\":");
        if (at < 0) return 0;
        long value = 0;
        for (int i = at + 4; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c < '0' || c > '9') break;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    String url(String path) {
        return "http://127.0.0.1:" + connector.getLocalPort() + path;
    }

    long total() {
        return total.sum();
    }

    long count(String path) {
        var adder = counts.get(path);
        return adder == null ? 0 : adder.sum();
    }

    void recordLatencies(LatencyRecorder recorder) {
        this.latencies = recorder;
    }

    void reset() {
        counts.clear();
        total.reset();
        duplicates.reset();
        seen.clear();
        latencies = null;
    }

    @Override
    public void close() throws Exception {
        delays.shutdownNow();
        server.stop();
    }
}
