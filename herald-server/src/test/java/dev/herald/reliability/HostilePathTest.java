package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile path parameters: an id that is a NUL, invalid UTF-8, 300 or 9,000 characters, an emoji, a space, or an id that
 * names nothing, in every route that takes one, with every method: a clean 4xx with an error body, never a 500 and never
 * a stack trace, and nothing made (a PUT makes only what a uid names).
 */
@ExtendWith(TestDatabase.class)
class HostilePathTest {
    /** None of them an id or a uid Herald could take (".." could: Svix's uid alphabet has the dot). */
    static final List<String> VALUES = List.of("%00", "a%00b", "%ff%fe", "x".repeat(9_000), "y".repeat(300), "%F0%9F%98%80", "%20");
    /** Every route with an id in its path; {@code BAD} is the id tried, the others are real. */
    static final List<String> ROUTES = List.of(
            "/api/v1/app/BAD", "/api/v1/app/BAD/endpoint", "/api/v1/app/APP/endpoint/BAD", "/api/v1/app/APP/endpoint/BAD/secret",
            "/api/v1/app/APP/endpoint/BAD/secret/rotate", "/api/v1/app/APP/endpoint/BAD/stats", "/api/v1/app/APP/endpoint/BAD/recover",
            "/api/v1/app/APP/endpoint/BAD/headers", "/api/v1/app/APP/endpoint/BAD/transformation",
            "/api/v1/app/APP/endpoint/BAD/transformation/simulate", "/api/v1/app/APP/endpoint/BAD/pause",
            "/api/v1/app/APP/endpoint/BAD/auto-config", "/api/v1/app/APP/msg/BAD", "/api/v1/app/APP/msg/BAD/content",
            "/api/v1/app/APP/msg/BAD/endpoint", "/api/v1/app/APP/msg/BAD/endpoint/EP/resend", "/api/v1/app/APP/msg/BAD/attempt/BAD",
            "/api/v1/app/APP/attempt/endpoint/BAD", "/api/v1/app/APP/attempt/msg/BAD", "/api/v1/event-type/BAD",
            "/api/v1/connector/BAD", "/api/v1/background-task/BAD", "/api/v1/app/APP/integration/BAD",
            "/api/v1/app/APP/polling-endpoint/BAD", "/api/v1/app/APP/poller/BAD", "/api/v1/app/APP/poller/BAD/consumer/BAD",
            "/api/v1/app/APP/poller/BAD/consumer/BAD/seek", "/api/v1/app/APP/polling-endpoint/BAD/consumer/BAD",
            "/api/v1/app/APP/polling-endpoint/BAD/consumer/BAD/commit", "/api/v1/app/APP/autoconfig/BAD",
            "/api/v1/app/APP/autoconfig/BAD/rotate", "/api/v1/app/APP/destination/BAD", "/api/v1/operational-webhook/endpoint/BAD",
            "/api/v1/auth/app-portal-access/BAD", "/api/v1/auth/app/BAD/expire-all");
    static final String BODY = json("name", "n", "url", "https://example.com/y", "description", "d", "transformation", "{}",
            "offset", 1, "after", "2026-01-01T00:00:00Z", "since", "2026-01-01T00:00:00Z", "eventType", "a.b", "payload", java.util.Map.of());

    static TestHerald herald;
    static String app;
    static String endpoint;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    /** Made for each test: the database is emptied before each. */
    @org.junit.jupiter.api.BeforeEach
    void anApplicationWithAnEndpoint() {
        app = herald.api.post("/api/v1/app", json("name", "paths")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/x")).text("id");
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void every_route_answers_a_hostile_id_with_a_clean_4xx() {
        int tried = 0;
        for (String route : ROUTES) {
            for (String bad : VALUES) {
                String path = route.replace("APP", app).replace("EP", endpoint).replace("BAD", bad);
                for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                    String what = method + " " + route + " with " + (bad.length() > 20 ? bad.substring(0, 20) + "…" : bad);
                    dev.herald.testing.ApiClient.Response answer;
                    try {
                        answer = herald.api.send(method, path, method.equals("GET") || method.equals("DELETE") ? null : BODY);
                    } catch (RuntimeException e) {
                        throw new AssertionError(what + ": no answer", e);
                    }
                    HostileInputPropertyTest.assertRefusedCleanly(answer, what);
                    tried++;
                }
            }
        }
        assertThat(tried).isEqualTo(ROUTES.size() * VALUES.size() * 5);
        // a PUT to an id that names nothing makes nothing: only a uid names what a PUT may make
        for (String path : List.of("/api/v1/app/app_none", "/api/v1/app/" + app + "/endpoint/ep_none",
                "/api/v1/app/" + app + "/destination/poll_none", "/api/v1/connector/trtmpl_none")) {
            var answer = herald.api.put(path, json("name", "n", "url", "https://example.com/z", "type", "pollingEndpoint",
                    "transformation", "{}"));
            assertThat(answer.status()).as(path + " " + answer.raw()).isEqualTo(404);
        }
        assertThat(herald.api.get("/api/v1/app?limit=250").body().path("data").size()).as("no application made").isEqualTo(1);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data").size()).as("no endpoint made").isEqualTo(1);
        assertThat(herald.api.get("/api/v1/connector").body().path("data").size()).isZero();
        // the application and its endpoint are as they were
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).text("url")).isEqualTo("https://example.com/x");
    }
}
