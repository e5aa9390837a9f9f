package dev.herald.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** A real webhook receiver on 127.0.0.1 that records every request and answers as told. */
public final class Receiver implements AutoCloseable {
    /** {@code query} is the raw query string, null when none. */
    public record Request(String path, Map<String, String> headers, String body, long receivedAtNanos, String method,
                          String query) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** How to answer one request: status, optional extra headers, optional delay. */
    public record Reply(int status, Map<String, String> headers, Duration delay) {
        public static Reply status(int status) {
            return new Reply(status, Map.of(), Duration.ZERO);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
    private volatile Function<Request, Reply> replies = r -> Reply.status(200);

    public Receiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public void reply(Function<Request, Reply> replies) {
        this.replies = replies;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        var current = inFlight.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        maxInFlight.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(current, Math::max);
        try {
            var headers = new java.util.HashMap<String, String>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            var request = new Request(path, Map.copyOf(headers), body, System.nanoTime(), exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawQuery());
            requests.add(request);
            Reply reply = replies.apply(request);
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), out.length);
            exchange.getResponseBody().write(out);
        } finally {
            inFlight.get(path).decrementAndGet();
            exchange.close();
        }
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The webhook-id of every request received on {@code path}: the messages it has had, resends counted once. */
    public java.util.Set<String> messageIds(String path) {
        return requests(path).stream().map(r -> r.header("webhook-id")).collect(java.util.stream.Collectors.toSet());
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Requests on {@code path} not yet answered. */
    public int inFlight(String path) {
        var now = inFlight.get(path);
        return now == null ? 0 : now.get();
    }

    public int maxConcurrent(String path) {
        var max = maxInFlight.get(path);
        return max == null ? 0 : max.get();
    }

    /** Polls until the condition holds (deliveries are asynchronous); fails after {@code timeout}. */
    public static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
