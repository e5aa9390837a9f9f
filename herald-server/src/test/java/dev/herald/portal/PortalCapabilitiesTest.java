package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The portal opened by a link with Svix's capabilities or feature flags: it offers only the changes the token may
 * make, refuses the others sent anyway, and shows the flagged event types the token bears a flag of.
 */
@ExtendWith(TestDatabase.class)
class PortalCapabilitiesTest {
    static TestHerald herald;
    String app;
    String endpoint;
    String message;
    String base;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anApplication() {
        assertThat(herald.api.post("/api/v1/event-type", json("name", "card.seen", "description", "s")).status()).isEqualTo(201);
        assertThat(herald.api.post("/api/v1/event-type", "{\"name\":\"card.beta\",\"description\":\"b\",\"featureFlags\":[\"beta\"]}")
                .status()).isEqualTo(201);
        app = herald.api.post("/api/v1/app", json("name", "Portal")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/p")).text("id");
        message = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"card.seen\",\"payload\":{\"a\":1}}").text("id");
        base = "/portal/" + app;
    }

    private PortalBrowser signedIn(String accessIn) {
        return PortalBrowser.signedIn(herald, app, accessIn);
    }

    @Test
    void a_portal_that_may_only_create_attempts_offers_resend_and_recover_but_no_endpoint_change() {
        var browser = signedIn("{\"capabilities\":[\"ViewBase\",\"CreateAttempts\"]}");
        String here = base + "/endpoints/" + endpoint;
        assertThat(browser.get(base + "/endpoints").body()).doesNotContain("new-endpoint");
        var page = browser.get(here).body();
        assertThat(page).contains("not shown to this portal").doesNotContain("Reveal").doesNotContain("Rotate")
                .doesNotContain(">Delete<").doesNotContain("edit-endpoint")
                .contains(here + "/recover").contains(here + "/example");
        assertThat(browser.get(base + "/messages/" + message).body()).contains("/resend");

        assertThat(browser.post(base + "/messages/" + message + "/endpoints/" + endpoint + "/resend", Map.of()).status())
                .isEqualTo(202);
        assertThat(browser.get(here + "/secret").status()).isEqualTo(403);
        var refused = browser.post(here + "/delete", Map.of());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("ManageEndpoint");
        assertThat(browser.post(here + "/secret/rotate", Map.of()).status()).isEqualTo(403);
        assertThat(browser.post(base + "/endpoints", Map.of("url", "http://127.0.0.1:9/sneaked")).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
    }

    @Test
    void a_portal_that_may_see_the_secret_reveals_it_and_one_that_may_manage_endpoints_offers_no_resend() {
        var viewer = signedIn("{\"capabilities\":[\"ViewBase\",\"ViewEndpointSecret\"]}");
        String here = base + "/endpoints/" + endpoint;
        assertThat(viewer.get(here).body()).contains("Reveal").doesNotContain("Rotate");
        String secret = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret").text("key");
        assertThat(viewer.htmxGet(here + "/secret").body()).contains(secret);
        assertThat(viewer.post(here + "/secret/rotate", Map.of()).status()).isEqualTo(403);

        var manager = signedIn("{\"capabilities\":[\"ViewBase\",\"ManageEndpoint\"]}");
        assertThat(manager.get(base + "/endpoints").body()).contains("new-endpoint");
        assertThat(manager.get(here).body()).contains("Reveal").contains("Rotate").contains("edit-endpoint")
                .doesNotContain(here + "/recover");
        assertThat(manager.get(base + "/messages/" + message).body()).doesNotContain("/resend");
        assertThat(manager.post(here + "/disable", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean()).isTrue();
        assertThat(manager.post(base + "/messages/" + message + "/endpoints/" + endpoint + "/resend", Map.of()).status())
                .isEqualTo(403);
    }

    @Test
    void the_catalog_and_the_endpoint_form_show_a_flagged_type_to_a_portal_bearing_its_flag() {
        var plain = signedIn("{}");
        assertThat(plain.get(base + "/event-types").body()).contains("card.seen").doesNotContain("card.beta");
        assertThat(plain.get(base + "/endpoints").body()).doesNotContain("card.beta");

        var beta = signedIn("{\"featureFlags\":[\"beta\"]}");
        assertThat(beta.get(base + "/event-types").body()).contains("card.seen").contains("card.beta");
        assertThat(beta.get(base + "/endpoints").body()).contains("value=\"card.beta\"");
    }
}
