package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The portal's edges a reviewer found open: a flagged event type's example reached through the forms that take a type
 * by name, signing out with a key that cannot be ended, a link naming its application by uid, and a proxy adding
 * {@code Idempotency-Key} to the portal's forms.
 */
@ExtendWith(TestDatabase.class)
class PortalSessionEdgesTest {
    private static final String SECRET_EXAMPLE = "{\"plan\":\"secret-beta-plan\"}";
    static TestHerald herald;
    static Receiver receiver;
    String app;
    String base;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), Clock.systemUTC());
        receiver = new Receiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        herald.close();
    }

    @BeforeEach
    void application() {
        app = herald.api.post("/api/v1/app", json("name", "Edges", "uid", "edges-" + System.nanoTime())).text("id");
        base = "/portal/" + app;
    }

    private String endpoint(String path) {
        return herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url(path))).text("id");
    }

    @Test
    void a_flagged_types_example_is_neither_sent_nor_shown_to_a_link_without_its_flag() {
        var created = herald.api.post("/api/v1/event-type", "{\"name\":\"card.beta\",\"description\":\"b\",\"featureFlags\":[\"beta\"],"
                + "\"schemas\":{\"1\":{\"type\":\"object\",\"examples\":[" + SECRET_EXAMPLE + "]}}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String ep = endpoint("/flags");
        var plain = PortalBrowser.signedIn(herald, app, "{}");
        var sent = plain.post(base + "/endpoints/" + ep + "/example", Map.of("eventType", "card.beta"));
        assertThat(sent.status()).as(sent.body()).isEqualTo(404);
        var tried = plain.post(base + "/endpoints/" + ep + "/transformation/try", Map.of("eventType", "card.beta",
                "payload", "", "transformation", ""));
        assertThat(tried.status()).as(tried.body()).isEqualTo(200);
        assertThat(tried.body()).doesNotContain("secret-beta-plan");

        // the API's send-example with the link's token answers as the type's read does: not found
        String token = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token");
        var api = herald.api.withToken(token);
        assertThat(api.get("/api/v1/event-type/card.beta").status()).isEqualTo(404);
        assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "card.beta")).status())
                .isEqualTo(404);

        // a link bearing the flag, and the operator, send it
        var flagged = PortalBrowser.signedIn(herald, app, "{\"featureFlags\":[\"beta\"]}");
        var flaggedSent = flagged.post(base + "/endpoints/" + ep + "/example", Map.of("eventType", "card.beta"));
        assertThat(flaggedSent.status()).as(flaggedSent.body()).isEqualTo(202);
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "card.beta"))
                .status()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/flags").size() == 2, "both examples received");
        assertThat(receiver.requests("/flags")).allMatch(r -> r.body().equals(SECRET_EXAMPLE));
    }

    @Test
    void signing_out_with_an_integrations_key_forgets_the_cookie_and_leaves_the_key_working() {
        String integration = herald.api.post("/api/v1/app/" + app + "/integration", json("name", "Zapier")).text("id");
        String key = herald.api.get("/api/v1/app/" + app + "/integration/" + integration + "/key").text("key");
        var browser = new PortalBrowser(herald.baseUrl());
        assertThat(browser.post(base + "/session", Map.of("token", key)).status()).isEqualTo(204);
        assertThat(browser.get(base + "/endpoints").status()).isEqualTo(200);

        var out = browser.post(base + "/logout", Map.of());
        assertThat(out.status()).as(out.body()).isEqualTo(204);
        assertThat(out.header("Set-Cookie")).contains("Max-Age=0").contains("Path=" + base);
        assertThat(browser.cookie()).isNull();
        assertThat(browser.get(base + "/endpoints").status()).isEqualTo(401);
        // the key is the integration's: it ends by rotation or deletion, not by a browser signing out
        assertThat(herald.api.withToken(key).get("/api/v1/app/" + app + "/endpoint").status()).isEqualTo(200);
    }

    @Test
    void a_link_naming_the_application_by_uid_says_where_the_portal_is() {
        String uid = herald.api.get("/api/v1/app/" + app).text("uid");
        String token = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token");
        var browser = new PortalBrowser(herald.baseUrl());
        var session = browser.post("/portal/" + uid + "/session", Map.of("token", token));
        assertThat(session.status()).isEqualTo(204);
        assertThat(session.header("X-Portal-Path")).isEqualTo(base);
        assertThat(session.header("Set-Cookie")).contains("Path=" + base + ";");
        assertThat(browser.get(session.header("X-Portal-Path") + "/endpoints").status()).isEqualTo(200);
    }

    @Test
    void a_portal_form_sent_with_an_idempotency_key_is_handled_as_without_one() {
        String ep = endpoint("/idem");
        var browser = PortalBrowser.signedIn(herald, app, "{}");
        var disabled = browser.post(base + "/endpoints/" + ep + "/disable", Map.of(), true, "Idempotency-Key", "proxy-added-1");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("disabled").asBoolean()).isTrue();
    }
}

