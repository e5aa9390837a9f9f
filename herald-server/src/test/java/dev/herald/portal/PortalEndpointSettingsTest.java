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

/** The portal's endpoint settings beyond the URL (custom headers, rate limit) and finding a message by its ids. */
@ExtendWith(TestDatabase.class)
class PortalEndpointSettingsTest {
    static TestHerald herald;
    String app;
    String endpoint;
    String base;
    String here;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anEndpoint() {
        app = herald.api.post("/api/v1/app", json("name", "Settings")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/s")).text("id");
        base = "/portal/" + app;
        here = base + "/endpoints/" + endpoint;
    }

    private PortalBrowser signedIn(String accessIn) {
        return PortalBrowser.signedIn(herald, app, accessIn);
    }

    private String headersJson() {
        return herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/headers").raw();
    }

    @Test
    void custom_headers_are_set_and_removed_and_a_credential_is_never_shown_back() {
        var browser = signedIn("{}");
        assertThat(browser.get(here).body()).contains("Custom headers").contains("None: each request carries only");

        var set = browser.post(here + "/headers", Map.of("name", "X-Team", "value", "payments"));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.body()).contains("X-Team").contains("payments");
        var credential = browser.post(here + "/headers", Map.of("name", "Authorization", "value", "Bearer hunter2"));
        assertThat(credential.body()).contains("Authorization").contains("set, not shown").doesNotContain("hunter2");
        assertThat(browser.get(here).body()).doesNotContain("hunter2");
        // stored to be sent, sealed at rest (SecretsAtRestTest, DeliveryBehaviourTest)
        boolean sealed = herald.herald.database().jdbi().withHandle(h -> h.createQuery(
                "select headers_sealed is not null and headers = '{}' from endpoint where id = :id").bind("id", endpoint)
                .mapTo(Boolean.class).one());
        assertThat(sealed).as("stored sealed").isTrue();
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/headers").body().path("sensitive").toString())
                .contains("Authorization");

        var refused = browser.post(here + "/headers", Map.of("name", "Bad Name", "value", "x"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("notice error").contains("X-Team");
        var framing = browser.post(here + "/headers", Map.of("name", "Content-Length", "value", "1"));
        assertThat(framing.status()).isEqualTo(422);
        assertThat(headersJson()).doesNotContain("Content-Length").doesNotContain("Bad Name");

        assertThat(browser.post(here + "/headers/delete", Map.of("name", "X-Team")).body()).doesNotContain("payments");
        assertThat(headersJson()).doesNotContain("X-Team").contains("Authorization");
    }

    @Test
    void the_edit_form_sets_and_clears_the_rate_limit_through_the_api() {
        var browser = signedIn("{}");
        String url = "url=" + enc("http://127.0.0.1:9/s");
        assertThat(browser.postRaw(here, url + "&rateLimit=5", true).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("rateLimit").asLong()).isEqualTo(5);
        assertThat(browser.get(here).body()).contains("5 a second").contains("name=\"rateLimit\" min=\"1\" max=\"65535\" value=\"5\"");

        var refused = browser.postRaw(here, url + "&rateLimit=fast", true);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("field-error");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("rateLimit").asLong()).isEqualTo(5);

        assertThat(browser.postRaw(here, url + "&rateLimit=", true).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("rateLimit").isNull()).isTrue();
    }

    @Test
    void the_forms_set_and_clear_an_endpoints_channels_through_the_api() {
        var browser = signedIn("{}");
        String url = "url=" + enc("http://127.0.0.1:9/s");
        assertThat(browser.postRaw(here, url + "&channels=" + enc("eu, project-7 ,"), true).status()).isEqualTo(204);
        var channels = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("channels");
        assertThat(channels.toString()).isIn("[\"eu\",\"project-7\"]", "[\"project-7\",\"eu\"]");
        assertThat(browser.get(here).body()).contains("name=\"channels\"").containsPattern("value=\"(eu, project-7|project-7, eu)\"");

        var refused = browser.postRaw(here, url + "&channels=" + enc("not a channel!"), true);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("field-error");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("channels")).hasSize(2);

        assertThat(browser.postRaw(here, url + "&channels=", true).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("channels").isNull())
                .as("emptied: every channel").isTrue();

        var made = browser.postRaw("/portal/" + app + "/endpoints", "url=" + enc("http://127.0.0.1:9/new") + "&channels=eu", true);
        assertThat(made.status()).isEqualTo(201);
        String id = made.header("HX-Redirect").substring(made.header("HX-Redirect").lastIndexOf('/') + 1);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + id).body().path("channels").toString()).isEqualTo("[\"eu\"]");
    }

    @Test
    void a_portal_that_may_not_manage_endpoints_shows_header_names_and_changes_none() {
        herald.api.patch("/api/v1/app/" + app + "/endpoint/" + endpoint + "/headers",
                "{\"headers\":{\"X-Team\":\"payments\",\"Authorization\":\"Bearer hunter2\"}}");
        var viewer = signedIn("{\"readOnly\":true}");
        var page = viewer.get(here).body();
        assertThat(page).contains("X-Team").contains("set, not shown").doesNotContain("hunter2")
                .doesNotContain(here + "/headers\"").doesNotContain(">Remove<");
        assertThat(viewer.post(here + "/headers", Map.of("name", "X-Sneaked", "value", "1")).status()).isEqualTo(403);
        assertThat(viewer.post(here + "/headers/delete", Map.of("name", "X-Team")).status()).isEqualTo(403);
        assertThat(headersJson()).contains("X-Team").doesNotContain("X-Sneaked");
    }

    @Test
    void a_message_is_found_by_its_id_or_event_id() {
        String msg = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"t\",\"eventId\":\"order-77\",\"payload\":{}}").text("id");
        var browser = signedIn("{}");
        for (String key : new String[] {msg, "order-77"}) {
            var found = browser.get(base + "/messages?find=" + key);
            assertThat(found.status()).isEqualTo(302);
            assertThat(found.header("Location")).isEqualTo(base + "/messages/" + msg);
        }
        for (String missing : new String[] {"order-78", "x".repeat(5000), "%3Cb%3E", "a%00b"}) {
            var none = browser.get(base + "/messages?find=" + missing);
            assertThat(none.status()).as(missing).isEqualTo(200);
            assertThat(none.body()).contains("No message has the id or event id").doesNotContain("<b>");
        }
        assertThat(browser.get(base + "/messages?find=%00").status()).as("nothing but a NUL: the list").isEqualTo(200);
        // another application's message is not found from here
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        herald.api.post("/api/v1/app/" + other + "/msg", "{\"eventType\":\"t\",\"eventId\":\"theirs\",\"payload\":{}}");
        assertThat(browser.get(base + "/messages?find=theirs").status()).isEqualTo(200);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
