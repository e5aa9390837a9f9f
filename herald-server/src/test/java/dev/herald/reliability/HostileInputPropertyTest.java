package dev.herald.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.testing.ApiClient;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Throws malformed JSON, wrong types, huge numbers, deep nesting, invalid UTF-8, overlong strings and
 * unknown fields at every POST/PUT/PATCH route. Every answer must be a 4xx with a Svix-shaped error body,
 * never a 500 or a stack trace, and the database must be exactly as before.
 */
class HostileInputPropertyTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static TestHerald herald;
    static String app;
    static String endpoint;
    static String msg;
    static String poller;
    static String autoConfigSink;
    static String autoConfigId;

    @BeforeContainer
    static void start() {
        TestDatabase.clean();
        herald = TestHerald.start();
        app = herald.api.post("/api/v1/app", "{\"name\":\"fuzz\",\"uid\":\"fuzz\"}").text("id");
        herald.api.post("/api/v1/event-type", "{\"name\":\"fuzz.event\",\"description\":\"d\"}");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"http://127.0.0.1:9/f\",\"uid\":\"fep\"}").text("id");
        // delivery held, so the fuzz message's retries (5 s after its first failure) cannot change the queue between
        // a property's two snapshots (they did in CI: delivery_queue differed)
        assertThat(herald.api.post("/api/v1/admin/pause", "{}").status()).isBetween(200, 299);
        msg = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"fuzz.event\",\"payload\":{}}").text("id");
        poller = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
        var autoConfig = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        autoConfigSink = autoConfig.text("endpointId");
        autoConfigId = autoConfig.text("id");
    }

    @AfterContainer
    static void stop() {
        herald.close();
    }

    /** A route and a valid body for it; the fuzzer breaks exactly one thing in that body. */
    record Route(String method, String path, String validBody, List<String> requiredFields) {}

    static List<Route> routes() {
        String a = "/api/v1/app/" + app;
        String e = a + "/endpoint/" + endpoint;
        return List.of(
                new Route("POST", "/api/v1/app", "{\"name\":\"n\"}", List.of("name")),
                new Route("PUT", a, "{\"name\":\"n\"}", List.of("name")),
                new Route("PATCH", a, "{\"name\":\"n\"}", List.of()),
                new Route("POST", "/api/v1/event-type", "{\"name\":\"x.y\",\"description\":\"d\"}", List.of("name", "description")),
                new Route("PUT", "/api/v1/event-type/fuzz.event", "{\"description\":\"d\"}", List.of("description")),
                new Route("PATCH", "/api/v1/event-type/fuzz.event", "{\"description\":\"d\"}", List.of()),
                new Route("POST", "/api/v1/event-type/import/openapi", "{\"dryRun\":true,\"spec\":{\"webhooks\":{\"fuzz.event\":"
                        + "{\"post\":{\"summary\":\"s\"}}}}}", List.of()),
                new Route("POST", a + "/endpoint", "{\"url\":\"http://127.0.0.1:9/x\"}", List.of("url")),
                new Route("PUT", e, "{\"url\":\"http://127.0.0.1:9/x\"}", List.of("url")),
                new Route("PATCH", e, "{\"url\":\"http://127.0.0.1:9/x\"}", List.of()),
                new Route("PUT", e + "/headers", "{\"headers\":{\"x-a\":\"1\"}}", List.of("headers")),
                new Route("PATCH", e + "/headers", "{\"headers\":{\"x-a\":\"1\"}}", List.of()),
                new Route("POST", e + "/secret/rotate", "{\"key\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}", List.of()),
                new Route("POST", a + "/msg", "{\"eventType\":\"fuzz.event\",\"payload\":{}}", List.of("eventType", "payload")),
                new Route("POST", e + "/recover", "{\"since\":\"2026-01-01T00:00:00Z\"}", List.of("since")),
                new Route("POST", e + "/replay-missing", "{\"since\":\"2026-01-01T00:00:00Z\"}", List.of("since")),
                new Route("POST", e + "/bulk-replay", "{\"since\":\"2026-01-01T00:00:00Z\",\"status\":2,\"statusCodeClass\":500,"
                        + "\"eventTypes\":[\"fuzz.event\"],\"channel\":\"eu\",\"tag\":\"t\"}", List.of("since")),
                new Route("POST", a + "/msg/precheck/active", "{\"eventType\":\"fuzz.event\"}", List.of("eventType")),
                // ids is optional (none: nothing expunged), so only malformed and oversized bodies are tried here
                new Route("POST", a + "/msg/bulk-expunge", "{\"ids\":[\"msg_none\"]}", List.of()),
                new Route("POST", e + "/send-example", "{\"eventType\":\"fuzz.event\"}", List.of("eventType")),
                new Route("POST", "/api/v1/auth/app-portal-access/" + app, "{\"expiry\":60}", List.of()),
                new Route("POST", "/api/v1/auth/app/" + app + "/expire-all", "{\"expiry\":60}", List.of()),
                new Route("POST", "/api/v1/stats/usage/app", "{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"2026-01-02T00:00:00Z\","
                        + "\"appIds\":[\"" + app + "\"]}", List.of("since", "until")),
                new Route("POST", e + "/transformation/simulate", "{\"eventType\":\"fuzz.event\",\"payload\":{}}",
                        List.of("eventType", "payload")),
                new Route("POST", a + "/polling-endpoint", "{\"filterTypes\":[\"fuzz.event\"]}", List.of()),
                new Route("PATCH", a + "/polling-endpoint/" + poller, "{\"description\":\"d\"}", List.of()),
                new Route("POST", a + "/poller/" + poller + "/consumer/fuzz/seek", "{\"after\":\"2026-01-01T00:00:00Z\"}",
                        List.of("after")),
                new Route("POST", a + "/polling-endpoint/" + poller + "/consumer/fuzz/commit", "{\"offset\":0}", List.of("offset")),
                new Route("POST", a + "/autoconfig", "{}", List.of()),
                new Route("POST", "/api/v1/connector", "{\"name\":\"c\",\"transformation\":\"{}\"}", List.of("name", "transformation")),
                new Route("PUT", "/api/v1/connector/fuzz-connector", "{\"name\":\"c\",\"transformation\":\"{}\"}",
                        List.of("transformation")),
                new Route("POST", a + "/destination", "{\"type\":\"pollingEndpoint\"}", List.of("type")),
                new Route("PUT", a + "/endpoint/" + autoConfigSink + "/auto-config",
                        "{\"endpoint\":{\"url\":\"http://127.0.0.1:9/a\"}}", List.of("endpoint")),
                new Route("PUT", a + "/autoconfig/" + autoConfigId + "/endpoint", "{\"url\":\"http://127.0.0.1:9/a\"}", List.of("url")),
                new Route("PUT", a + "/autoconfig/" + autoConfigId + "/destination", "{\"type\":\"pollingEndpoint\"}", List.of("type")),
                new Route("PATCH", a + "/destination/" + poller + "/transformation", "{\"code\":null}", List.of()),
                // nothing required: an import without event types changes nothing
                new Route("POST", "/api/v1/environment/import", "{\"eventTypes\":[{\"name\":\"fuzz.imported\",\"description\":\"x\"}]}",
                        List.of()));
    }

    static String snapshot() {
        return TestDatabase.jdbi().withHandle(h -> {
            var tables = h.createQuery("""
                    select tablename from pg_tables where schemaname = 'public'
                      and tablename not in ('flyway_schema_history', 'idempotency_key', 'delivery', 'attempt', 'api_token')
                    order by tablename""").mapTo(String.class).list();
            var sb = new StringBuilder();
            for (String t : tables) {
                sb.append(t).append('=').append(h.createQuery("select coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from " + t + " x")
                        .mapTo(String.class).one()).append(';');
            }
            return sb.toString();
        });
    }

    static void assertRefusedCleanly(ApiClient.Response response, String what) {
        assertThat(response.status()).as(what + " → " + response).isBetween(400, 499);
        JsonNode body = response.body();
        boolean svixError = body.path("code").isTextual() && body.has("detail");
        boolean validation = body.path("detail").isArray() && body.path("detail").size() > 0
                && body.path("detail").get(0).path("loc").isArray();
        assertThat(svixError || validation).as(what + " has a Svix error body: " + response.raw()).isTrue();
        assertThat(response.raw()).as(what).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:");
    }

    @Provide
    Arbitrary<Integer> routeIndex() {
        return Arbitraries.integers().between(0, routes().size() - 1);
    }

    /** Values that are the wrong type or out of bounds for any field Herald reads. */
    @Provide
    Arbitrary<JsonNode> hostileValue() {
        return Arbitraries.oneOf(
                Arbitraries.of("\"\"", "[]", "{}", "true", "1e400", "-1", "123456789012345678901234567890", "0.5",
                        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "\"\\u0000\"",
                        "\"http://10.0.0.1/\"", "\"ftp://x\"", "{\"$where\":1}", "\"a\\r\\nb: c\"", "\"\\ud800\"")
                        .map(HostileInputPropertyTest::parse),
                Arbitraries.strings().ofMinLength(70_000).ofMaxLength(70_100).withChars('a', 'é', '\u2028').map(s -> MAPPER.getNodeFactory().textNode(s)),
                Arbitraries.integers().between(-5, 5).map(i -> MAPPER.getNodeFactory().numberNode(i)));
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 150)
    void a_required_field_with_a_hostile_value_is_a_clean_4xx(@ForAll("routeIndex") int index, @ForAll("hostileValue") JsonNode value) {
        Route route = routes().get(index);
        if (route.requiredFields().isEmpty()) return;
        String before = snapshot();
        ObjectNode body = (ObjectNode) parse(route.validBody());
        String field = route.requiredFields().get(Math.abs(value.hashCode()) % route.requiredFields().size());
        // integers -5..5 are valid for a few fields; use them only where a string or object is required
        body.set(field, value.isInt() ? MAPPER.getNodeFactory().numberNode(value.intValue()) : value);
        var response = herald.api.send(route.method(), route.path(), body.toString());
        if (response.status() >= 200 && response.status() < 300) {
            // no hostile value is a URL Herald may send to (a private address, another scheme, not a string): a URL
            // field must refuse every one; elsewhere a value may happen to be valid (an empty description)
            assertThat(field.toLowerCase(java.util.Locale.ROOT)).as("%s %s took %s=%s", route.method(), route.path(), field,
                    abbreviate(value.toString())).doesNotContain("url");
            return;
        }
        assertRefusedCleanly(response, route.method() + " " + route.path() + " " + field + "=" + abbreviate(value.toString()));
        assertThat(snapshot()).isEqualTo(before);
    }

    @Property(tries = 120)
    void malformed_or_undecodable_bodies_are_a_clean_4xx(@ForAll("routeIndex") int index, @ForAll("malformed") byte[] bytes) {
        Route route = routes().get(index);
        String before = snapshot();
        var response = herald.api.sendBytes(route.method(), route.path(), bytes);
        assertRefusedCleanly(response, route.method() + " " + route.path() + " with " + bytes.length + " malformed bytes");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Provide
    Arbitrary<byte[]> malformed() {
        return Arbitraries.oneOf(
                Arbitraries.of("{", "}", "{\"a\":}", "[1,2", "nul", "{\"name\":\"x\",}", "{'name':'x'}", "\"just a string\"", "42",
                        "{\"name\":\"a\",\"name\":\"b\"}", "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)
                        .map(b -> { byte[] out = new byte[b.length + 2]; out[0] = '{'; out[1] = (byte) 0xC3; System.arraycopy(b, 0, out, 2, b.length); return out; }),
                Combinators.combine(Arbitraries.just("{\"name\":\"".getBytes(StandardCharsets.UTF_8)), Arbitraries.of((byte) 0xFF, (byte) 0xC0, (byte) 0xED))
                        .as((prefix, bad) -> { byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + 3); out[prefix.length] = bad; out[prefix.length + 1] = '"'; out[prefix.length + 2] = '}'; return out; }));
    }

    @Property(tries = 40)
    void unknown_fields_alone_never_make_a_bad_body_good(@ForAll("routeIndex") int index,
                                                       @ForAll("unknownField") String field) {
        Route route = routes().get(index);
        if (route.requiredFields().isEmpty()) return;
        String before = snapshot();
        var response = herald.api.send(route.method(), route.path(), "{\"" + field + "\":\"x\"}");
        assertRefusedCleanly(response, route.method() + " " + route.path() + " with only " + field);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Provide
    Arbitrary<String> unknownField() {
        return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(30).filter(s -> !List.of("name", "uid", "url", "headers",
                "description", "eventType", "payload", "data", "since", "key", "expiry").contains(s));
    }

    @Property(tries = 5)
    void an_oversized_body_is_a_413(@ForAll("routeIndex") int index) {
        Route route = routes().get(index);
        byte[] huge = ("{\"name\":\"" + "x".repeat(1_200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        var response = herald.api.sendBytes(route.method(), route.path(), huge);
        assertThat(response.status()).as(route.path()).isEqualTo(413);
        assertThat(response.text("code")).isEqualTo("payload_too_large");
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
