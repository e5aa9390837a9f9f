package dev.herald.outbound;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A webhook receiver on 127.0.0.1 with a handful of misbehaving paths, for client tests. */
final class LocalWebhookReceiver implements AutoCloseable {

    /** What the receiver saw of one request. */
    record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : String.join(",", values);
        }
    }

    static final int LARGE_BODY_BYTES = 5 * 1024 * 1024;
    /** Bounds the endless body so a broken client cannot keep the test busy forever. */
    private static final long ENDLESS_BODY_LIMIT = 256L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger hits = new AtomicInteger();
    private final Map<String, AtomicInteger> hitsByPath = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    LocalWebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(threads);
        server.createContext("/ok", exchange -> respond(exchange, 200, "thanks"));
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/ok").toString());
            respond(exchange, 302, "");
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/ok").toString());
            respond(exchange, 301, "");
        });
        server.createContext("/busy", exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "120");
            respond(exchange, 503, "try later");
        });
        server.createContext("/cookie", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie", "session=abc; Path=/");
            respond(exchange, 200, "");
        });
        server.createContext("/hang", exchange -> {
            record(exchange);
            awaitRelease();
            send(exchange, 200, "late".getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/large", exchange -> {
            byte[] body = new byte[LARGE_BODY_BYTES];
            Arrays.fill(body, (byte) 'a');
            respond(exchange, 200, body);
        });
        server.createContext("/endless", this::streamUntilClientLeaves);
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    int port() {
        return server.getAddress().getPort();
    }

    int hits() {
        return hits.get();
    }

    int hits(String path) {
        return hitsByPath.getOrDefault(path, new AtomicInteger()).get();
    }

    List<Received> received() {
        return received;
    }

    private void respond(HttpExchange exchange, int status, String body) throws IOException {
        respond(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        record(exchange);
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void streamUntilClientLeaves(HttpExchange exchange) throws IOException {
        record(exchange);
        exchange.sendResponseHeaders(200, 0); // chunked, no length: endless as far as the client knows
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'e');
        try (OutputStream out = exchange.getResponseBody()) {
            for (long sent = 0; sent < ENDLESS_BODY_LIMIT; sent += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException clientLeft) {
            // expected: the client aborts once it has read enough
        }
    }

    private void record(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        received.add(new Received(exchange.getRequestMethod(), path, Map.copyOf(lowerCaseKeys(exchange)), body));
        hitsByPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        hits.incrementAndGet();
    }

    private static Map<String, List<String>> lowerCaseKeys(HttpExchange exchange) {
        Map<String, List<String>> headers = new ConcurrentHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
        return headers;
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
