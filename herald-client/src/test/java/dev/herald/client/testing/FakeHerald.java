package dev.herald.client.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.client.webhook.WebhookSigner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-memory Herald on 127.0.0.1 speaking the routes herald-client uses, with Herald's publish rules
 * (202, 409 on a duplicate eventId, idempotency-key replays) and switches to misbehave: answer 500, drop the
 * connection before or after doing the work, or hold a publish's answer back. New messages are delivered,
 * signed, to the application's endpoints, so tests can watch what an endpoint receives.
 */
public final class FakeHerald implements AutoCloseable {
    public static final String TOKEN = "sk_test_fake";

    // numbers kept as written, as Herald does: 1.10 stays 1.10
    private final ObjectMapper json = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient deliveries = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Route> routes = new ArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();

    private final Map<String, ObjectNode> apps = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> eventTypes = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> endpoints = new ConcurrentHashMap<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> messages = new ConcurrentHashMap<>();
    private final List<ObjectNode> attempts = new CopyOnWriteArrayList<>();
    private final Map<String, Stored> idempotency = new ConcurrentHashMap<>();

    /** Every request as received, for asserting on headers. */
    public final List<Received> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    /** How many pages named consumers have read (each read moves a consumer's place). */
    public final AtomicInteger consumerPages = new AtomicInteger();
    private volatile int failStatus = 500;
    private final AtomicInteger dropNext = new AtomicInteger();
    private final AtomicInteger dropAfterWorkNext = new AtomicInteger();
    private volatile CountDownLatch publishGate;
    private final AtomicInteger publishesHeld = new AtomicInteger();
    private final AtomicInteger publishesFinished = new AtomicInteger();

    public record Received(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private record Stored(byte[] requestHash, int status, String body) {}

    private record Route(String method, Pattern path, Handler handler) {}

    @FunctionalInterface
    private interface Handler {
        Reply handle(Matcher path, Map<String, String> query, JsonNode body);
    }

    private record Reply(int status, Object body) {}

    private static final class ApiError extends RuntimeException {
        final Reply reply;

        ApiError(Reply reply) {
            this.reply = reply;
        }
    }

    public FakeHerald() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        registerRoutes();
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ---- switches ----

    /** The next {@code count} API requests answer {@code status} without doing anything. */
    public void failNext(int count, int status) {
        failStatus = status;
        failNext.set(count);
    }

    /** The next {@code count} requests are cut off before anything is done: the client sees a broken connection. */
    public void dropNext(int count) {
        dropNext.set(count);
    }

    /** The next request is carried out, then its answer waits this long (a client's timeout ends it first). */
    public void stallNext(java.time.Duration stall) {
        stallNext = stall;
    }

    private volatile java.time.Duration stallNext;

    /** The next {@code count} requests are carried out, then the connection is cut before the answer. */
    public void dropAfterWorkNext(int count) {
        dropAfterWorkNext.set(count);
    }

    /** Publishes are stored, then their answer waits until {@link #releasePublishes()}. */
    public void holdPublishes() {
        publishGate = new CountDownLatch(1);
    }

    public void releasePublishes() {
        CountDownLatch gate = publishGate;
        publishGate = null;
        if (gate != null) gate.countDown();
    }

    public int publishesHeld() {
        return publishesHeld.get();
    }

    /** Publishes fully handled (stored, idempotency-key recorded), whether or not the answer got out. */
    public int publishesFinished() {
        return publishesFinished.get();
    }

    /** As if Herald's 12-hour idempotency window had passed. */
    public void forgetIdempotencyKeys() {
        idempotency.clear();
    }

    // ---- what happened ----

    public List<ObjectNode> messagesOf(String appKey) {
        String appId = app(appKey).path("id").asText();
        return messages.values().stream().filter(m -> m.path("appId").asText().equals(appId))
                .sorted(Comparator.comparing(m -> m.path("id").asText())).toList();
    }

    public long publishRequests() {
        return requests.stream().filter(r -> r.method().equals("POST") && r.path().matches("/api/v1/app/[^/]+/msg")).count();
    }

    public List<ObjectNode> attempts() {
        return List.copyOf(attempts);
    }

    // ---- HTTP plumbing ----

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            var received = new Received(exchange.getRequestMethod(), path, Map.copyOf(exchange.getRequestHeaders()),
                    new String(raw, StandardCharsets.UTF_8));
            requests.add(received);
            if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) return;
            if (!("Bearer " + TOKEN).equals(received.header("authorization"))) {
                send(exchange, new Reply(401, error("authentication_failed", "Invalid token")));
                return;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(exchange, new Reply(failStatus, error("internal_error", "Injected failure")));
                return;
            }
            Reply reply = dispatch(received, exchange.getRequestURI().getRawQuery());
            if (dropAfterWorkNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) return;
            java.time.Duration stall = stallNext;
            if (stall != null) {
                stallNext = null;
                try {
                    Thread.sleep(stall);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            send(exchange, reply);
        }
    }

    private Reply dispatch(Received request, String rawQuery) {
        var query = query(rawQuery);
        for (Route route : routes) {
            Matcher m = route.path().matcher(request.path());
            if (!route.method().equals(request.method()) || !m.matches()) continue;
            try {
                JsonNode body = request.body().isBlank() ? json.createObjectNode() : json.readTree(request.body());
                boolean publish = request.method().equals("POST") && request.path().endsWith("/msg");
                String key = request.header("idempotency-key");
                try {
                    if (publish && key != null) return idempotent(key, request, () -> route.handler().handle(m, query, body));
                    return route.handler().handle(m, query, body);
                } finally {
                    if (publish) publishesFinished.incrementAndGet();
                }
            } catch (ApiError e) {
                return e.reply;
            } catch (IOException e) {
                return new Reply(422, validation("body", "Invalid JSON"));
            }
        }
        return new Reply(404, error("not_found", "Route not found"));
    }

    /** Herald's idempotency: same key and request replays; a key still running is a 409; 5xx releases it. */
    private Reply idempotent(String key, Received request, java.util.function.Supplier<Reply> work) {
        byte[] hash = (request.method() + " " + request.path() + " " + request.body()).getBytes(StandardCharsets.UTF_8);
        var marker = new Stored(hash, 0, null);
        Stored existing = idempotency.putIfAbsent(key, marker);
        if (existing != null) {
            if (existing.status() == 0) throw new ApiError(new Reply(409, error("conflict",
                    "A request with this idempotency-key is still in progress")));
            if (!java.util.Arrays.equals(existing.requestHash(), hash)) {
                return new Reply(422, validation("idempotency-key", "This idempotency-key was used with a different request"));
            }
            return new Reply(existing.status(), readTree(existing.body()));
        }
        Reply reply;
        try {
            reply = work.get();
        } catch (ApiError e) {
            reply = e.reply;
        }
        if (reply.status() < 500) idempotency.put(key, new Stored(hash, reply.status(), write(reply.body())));
        else idempotency.remove(key);
        return reply;
    }

    private void send(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.body() == null) {
            exchange.sendResponseHeaders(reply.status(), -1);
            return;
        }
        byte[] bytes = write(reply.body()).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // ---- routes ----

    private void registerRoutes() {
        String app = "/api/v1/app/([^/]+)";
        route("POST", "/api/v1/app", (m, q, b) -> createApp(q, b));
        route("GET", "/api/v1/app", (m, q, b) -> list(apps.values(), q, null));
        route("GET", app, (m, q, b) -> ok(app(m.group(1))));
        route("PUT", app, (m, q, b) -> ok(updateApp(m.group(1), b)));
        route("DELETE", app, (m, q, b) -> {
            apps.remove(app(m.group(1)).path("id").asText());
            return new Reply(204, null);
        });

        route("POST", "/api/v1/event-type", (m, q, b) -> new Reply(201, putEventType(required(b, "name"), b)));
        route("GET", "/api/v1/event-type", (m, q, b) -> list(eventTypes.values(), q, "name"));
        route("GET", "/api/v1/event-type/([^/]+)", (m, q, b) -> ok(eventType(m.group(1))));
        route("PUT", "/api/v1/event-type/([^/]+)", (m, q, b) -> ok(putEventType(decode(m.group(1)), b)));
        route("DELETE", "/api/v1/event-type/([^/]+)", (m, q, b) -> {
            ObjectNode type = eventType(m.group(1));
            if ("true".equals(q.get("expunge"))) eventTypes.remove(type.path("name").asText());
            else type.put("archived", true);
            return new Reply(204, null);
        });

        route("POST", app + "/endpoint", (m, q, b) -> new Reply(201, createEndpoint(app(m.group(1)), b)));
        route("GET", app + "/endpoint", (m, q, b) -> list(endpointsOf(app(m.group(1))), q, null));
        route("GET", app + "/endpoint/([^/]+)", (m, q, b) -> ok(endpoint(m.group(1), m.group(2))));
        route("PUT", app + "/endpoint/([^/]+)", (m, q, b) -> ok(updateEndpoint(endpoint(m.group(1), m.group(2)), b)));
        route("DELETE", app + "/endpoint/([^/]+)", (m, q, b) -> {
            endpoints.remove(endpoint(m.group(1), m.group(2)).path("id").asText());
            return new Reply(204, null);
        });
        route("GET", app + "/endpoint/([^/]+)/secret", (m, q, b) ->
                ok(json.createObjectNode().put("key", secrets.get(endpoint(m.group(1), m.group(2)).path("id").asText()))));
        route("POST", app + "/endpoint/([^/]+)/secret/rotate", (m, q, b) -> {
            String id = endpoint(m.group(1), m.group(2)).path("id").asText();
            secrets.put(id, b.path("key").isTextual() ? b.path("key").asText() : newSecret());
            return new Reply(204, null);
        });

        // a named consumer's read: each one moves its place a page on (only the count is kept here)
        route("GET", app + "/poller/([^/]+)/consumer/([^/]+)", (m, q, b) -> {
            int page = consumerPages.incrementAndGet();
            return ok(json.createObjectNode().put("iterator", "page" + page).put("done", true).set("data", json.createArrayNode()));
        });

        route("POST", app + "/msg", (m, q, b) -> publish(app(m.group(1)), b));
        route("GET", app + "/msg", (m, q, b) -> list(messagesOf(m.group(1)), q, null));
        route("GET", app + "/msg/([^/]+)", (m, q, b) -> ok(message(m.group(1), m.group(2))));

        route("GET", app + "/attempt/msg/([^/]+)", (m, q, b) -> {
            String msgId = message(m.group(1), m.group(2)).path("id").asText();
            return list(attempts.stream().filter(a -> a.path("msgId").asText().equals(msgId)).toList(), q, null);
        });
        route("GET", app + "/attempt/endpoint/([^/]+)", (m, q, b) -> {
            String endpointId = endpoint(m.group(1), m.group(2)).path("id").asText();
            return list(attempts.stream().filter(a -> a.path("endpointId").asText().equals(endpointId)).toList(), q, null);
        });
        route("GET", app + "/msg/([^/]+)/attempt/([^/]+)", (m, q, b) -> ok(attempts.stream()
                .filter(a -> a.path("id").asText().equals(m.group(3))).findFirst()
                .orElseThrow(() -> new ApiError(new Reply(404, error("not_found", "Attempt not found"))))));
        route("POST", app + "/msg/([^/]+)/endpoint/([^/]+)/resend", (m, q, b) -> {
            deliver(message(m.group(1), m.group(2)), endpoint(m.group(1), m.group(3)), 1);
            return new Reply(202, null);
        });
        route("POST", app + "/endpoint/([^/]+)/recover", (m, q, b) -> {
            ObjectNode endpoint = endpoint(m.group(1), m.group(2));
            required(b, "since");
            attempts.stream().filter(a -> a.path("endpointId").asText().equals(endpoint.path("id").asText())
                            && a.path("status").asInt() == 2).map(a -> a.path("msgId").asText()).distinct()
                    .forEach(msgId -> deliver(messages.get(msgId), endpoint, 1));
            return new Reply(202, json.createObjectNode().put("id", "qtask_" + next()).put("status", "finished")
                    .put("task", "endpoint.recover").put("updatedAt", Instant.now().toString()));
        });
    }

    private void route(String method, String path, Handler handler) {
        routes.add(new Route(method, Pattern.compile(path), handler));
    }

    private Reply createApp(Map<String, String> query, JsonNode body) {
        String name = required(body, "name");
        String uid = body.path("uid").isTextual() ? body.path("uid").asText() : null;
        if (uid != null) {
            var existing = apps.values().stream().filter(a -> uid.equals(a.path("uid").asText(null))).findFirst();
            if (existing.isPresent()) {
                if ("true".equals(query.get("get_if_exists"))) return ok(existing.get());
                throw new ApiError(new Reply(409, error("conflict", "An application with this uid already exists")));
            }
        }
        String now = Instant.now().toString();
        ObjectNode app = json.createObjectNode().put("id", "app_" + next()).put("uid", uid).put("name", name)
                .put("createdAt", now).put("updatedAt", now);
        app.set("metadata", body.has("metadata") ? body.get("metadata") : json.createObjectNode());
        apps.put(app.path("id").asText(), app);
        return new Reply(201, app);
    }

    private ObjectNode updateApp(String key, JsonNode body) {
        ObjectNode app = app(key);
        app.put("name", required(body, "name")).put("updatedAt", Instant.now().toString());
        if (body.path("uid").isTextual()) app.put("uid", body.path("uid").asText());
        return app;
    }

    private ObjectNode putEventType(String name, JsonNode body) {
        String now = Instant.now().toString();
        ObjectNode type = json.createObjectNode().put("name", name).put("description", required(body, "description"))
                .put("archived", false).put("deprecated", body.path("deprecated").asBoolean(false))
                .put("createdAt", now).put("updatedAt", now);
        if (body.has("schemas")) type.set("schemas", body.get("schemas"));
        eventTypes.put(name, type);
        return type;
    }

    private ObjectNode createEndpoint(ObjectNode app, JsonNode body) {
        String url = required(body, "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ApiError(new Reply(422, validation("url", "URL scheme must be http or https")));
        }
        String now = Instant.now().toString();
        ObjectNode endpoint = json.createObjectNode().put("id", "ep_" + next()).put("appId", app.path("id").asText())
                .put("createdAt", now);
        updateEndpoint(endpoint, body);
        endpoints.put(endpoint.path("id").asText(), endpoint);
        secrets.put(endpoint.path("id").asText(), body.path("secret").isTextual() ? body.path("secret").asText() : newSecret());
        return endpoint;
    }

    private ObjectNode updateEndpoint(ObjectNode endpoint, JsonNode body) {
        endpoint.put("url", required(body, "url")).put("description", body.path("description").asText(""))
                .put("uid", body.path("uid").asText(null)).put("version", 1)
                .put("disabled", body.path("disabled").asBoolean(false)).put("updatedAt", Instant.now().toString());
        endpoint.set("filterTypes", body.path("filterTypes").isArray() ? body.get("filterTypes") : null);
        endpoint.set("metadata", json.createObjectNode());
        return endpoint;
    }

    private Reply publish(ObjectNode app, JsonNode body) {
        String eventType = required(body, "eventType");
        if (!body.path("payload").isObject()) throw new ApiError(new Reply(422, validation("payload", "field required")));
        String appId = app.path("id").asText();
        String eventId = body.path("eventId").asText(null);
        ObjectNode message;
        synchronized (messages) {
            if (eventId != null && messages.values().stream().anyMatch(m -> m.path("appId").asText().equals(appId)
                    && eventId.equals(m.path("eventId").asText(null)))) {
                throw new ApiError(new Reply(409, error("conflict",
                        "A message with this eventId already exists for this application")));
            }
            message = json.createObjectNode().put("id", "msg_" + next()).put("appId", appId).put("eventType", eventType)
                    .put("eventId", eventId).put("timestamp", Instant.now().toString());
            message.set("payload", body.get("payload"));
            if (body.has("channels")) message.set("channels", body.get("channels"));
            if (body.has("tags")) message.set("tags", body.get("tags"));
            messages.put(message.path("id").asText(), message);
        }
        for (ObjectNode endpoint : endpointsOf(app)) {
            JsonNode filter = endpoint.path("filterTypes");
            boolean wanted = !filter.isArray() || filter.isEmpty()
                    || java.util.stream.StreamSupport.stream(filter.spliterator(), false).anyMatch(t -> t.asText().equals(eventType));
            if (wanted && !endpoint.path("disabled").asBoolean()) deliver(message, endpoint, 0);
        }
        holdIfAsked();
        return new Reply(202, message);
    }

    private void holdIfAsked() {
        CountDownLatch gate = publishGate;
        if (gate == null) return;
        publishesHeld.incrementAndGet();
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One signed POST of the payload to the endpoint, recorded as an attempt. */
    private void deliver(ObjectNode message, ObjectNode endpoint, int triggerType) {
        executor.submit(() -> {
            String body = write(message.get("payload"));
            String msgId = message.path("id").asText();
            long timestamp = Instant.now().getEpochSecond();
            var request = HttpRequest.newBuilder(URI.create(endpoint.path("url").asText()))
                    .timeout(Duration.ofSeconds(5)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            WebhookSigner.of(secrets.get(endpoint.path("id").asText())).headers(msgId, timestamp,
                    body.getBytes(StandardCharsets.UTF_8)).forEach(request::header);
            int status;
            String response;
            try {
                var answer = deliveries.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = answer.statusCode();
                response = answer.body();
            } catch (Exception e) {
                status = 0;
                response = e.toString();
            }
            boolean success = status >= 200 && status < 300;
            attempts.add(json.createObjectNode().put("id", "atmpt_" + next()).put("msgId", msgId)
                    .put("endpointId", endpoint.path("id").asText()).put("url", endpoint.path("url").asText())
                    .put("response", response).put("responseStatusCode", status).put("responseDurationMs", 1)
                    .put("status", success ? 0 : 2).put("statusText", success ? "success" : "fail")
                    .put("triggerType", triggerType).put("timestamp", Instant.now().toString()).put("attemptNumber", 1));
        });
    }

    // ---- lookups ----

    private ObjectNode app(String key) {
        String k = decode(key);
        ObjectNode app = apps.get(k);
        if (app == null) app = apps.values().stream().filter(a -> k.equals(a.path("uid").asText(null))).findFirst().orElse(null);
        if (app == null) throw new ApiError(new Reply(404, error("not_found", "Application not found")));
        return app;
    }

    private List<ObjectNode> endpointsOf(ObjectNode app) {
        String appId = app.path("id").asText();
        return endpoints.values().stream().filter(e -> e.path("appId").asText().equals(appId)).toList();
    }

    private ObjectNode endpoint(String appKey, String key) {
        String k = decode(key);
        return endpointsOf(app(appKey)).stream()
                .filter(e -> k.equals(e.path("id").asText()) || k.equals(e.path("uid").asText(null))).findFirst()
                .orElseThrow(() -> new ApiError(new Reply(404, error("not_found", "Endpoint not found"))));
    }

    private ObjectNode message(String appKey, String key) {
        String k = decode(key);
        return messagesOf(appKey).stream()
                .filter(m -> k.equals(m.path("id").asText()) || k.equals(m.path("eventId").asText(null))).findFirst()
                .orElseThrow(() -> new ApiError(new Reply(404, error("not_found", "Message not found"))));
    }

    private ObjectNode eventType(String name) {
        ObjectNode type = eventTypes.get(decode(name));
        if (type == null) throw new ApiError(new Reply(404, error("not_found", "Event type not found")));
        return type;
    }

    // ---- Svix shapes ----

    /** Svix paging: ascending ids here, {@code iterator} = the last id of the page. */
    private Reply list(java.util.Collection<ObjectNode> items, Map<String, String> query, String idField) {
        String field = idField == null ? "id" : idField;
        int limit = Integer.parseInt(query.getOrDefault("limit", "50"));
        String after = query.get("iterator");
        var sorted = items.stream().sorted(Comparator.comparing(i -> i.path(field).asText()))
                .filter(i -> after == null || i.path(field).asText().compareTo(after) > 0).toList();
        var page = sorted.subList(0, Math.min(limit, sorted.size()));
        ObjectNode out = json.createObjectNode();
        ArrayNode data = out.putArray("data");
        page.forEach(data::add);
        out.put("iterator", page.isEmpty() ? null : page.getLast().path(field).asText());
        out.putNull("prevIterator");
        out.put("done", sorted.size() <= limit);
        return ok(out);
    }

    private String required(JsonNode body, String field) {
        if (!body.path(field).isTextual()) throw new ApiError(new Reply(422, validation(field, "field required")));
        return body.path(field).asText();
    }

    private ObjectNode error(String code, String detail) {
        return json.createObjectNode().put("code", code).put("detail", detail);
    }

    private ObjectNode validation(String field, String msg) {
        ObjectNode out = json.createObjectNode();
        ObjectNode item = out.putArray("detail").addObject();
        item.putArray("loc").add("body").add(field);
        item.put("msg", msg).put("type", "value_error");
        return out;
    }

    private static Reply ok(Object body) {
        return new Reply(200, body);
    }

    private String next() {
        return String.format("%08d", sequence.incrementAndGet());
    }

    private static String newSecret() {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        var query = new HashMap<String, String>();
        if (raw == null) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
        return query;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode readTree(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        releasePublishes();
        server.stop(0);
        executor.shutdownNow();
    }
}
