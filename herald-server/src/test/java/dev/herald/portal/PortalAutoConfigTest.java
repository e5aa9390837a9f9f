package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.api.AutoConfigTest;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The portal's AutoConfig page: a customer makes a token, subscribes with it, makes a new one, deletes it. */
@ExtendWith(TestDatabase.class)
class PortalAutoConfigTest {
    static final Pattern TOKEN = Pattern.compile("(auto_v1_[A-Za-z0-9+/=]+)");
    static TestHerald herald;
    String app;
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
        app = herald.api.post("/api/v1/app", json("name", "Autos")).text("id");
        base = "/portal/" + app;
    }

    private PortalBrowser signedIn(String accessIn) {
        return PortalBrowser.signedIn(herald, app, accessIn);
    }

    private static String token(String html) {
        var matcher = TOKEN.matcher(html);
        assertThat(matcher.find()).as(html).isTrue();
        return matcher.group(1);
    }

    @Test
    void a_customer_makes_a_token_subscribes_with_it_and_replaces_it() {
        var browser = signedIn("{}");
        assertThat(browser.get(base + "/autoconfig").body()).contains("No AutoConfig tokens yet");
        var made = browser.post(base + "/autoconfig", Map.of());
        assertThat(made.status()).isEqualTo(201);
        var content = AutoConfigTest.decode(token(made.body()));
        String eid = content.path("eid").asText();
        var subscribed = herald.api.withToken(content.path("tok").asText()).put("/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config",
                "{\"endpoint\":{\"url\":\"http://127.0.0.1:9/hooks\"}}");
        assertThat(subscribed.status()).as(subscribed.raw()).isEqualTo(200);
        var listed = browser.get(base + "/autoconfig").body();
        assertThat(listed).contains("HTTP endpoint").contains(base + "/endpoints/" + eid);

        String id = herald.api.get("/api/v1/app/" + app + "/autoconfig").body().path("data").get(0).path("id").asText();
        var renewed = AutoConfigTest.decode(token(browser.post(base + "/autoconfig/" + id + "/rotate", Map.of()).body()));
        assertThat(renewed.path("tok").asText()).isNotEqualTo(content.path("tok").asText());
        assertThat(herald.api.withToken(content.path("tok").asText()).put("/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config",
                "{\"endpoint\":{\"url\":\"http://127.0.0.1:9/hooks\"}}").status()).as("the old token").isEqualTo(401);

        // the key opens no portal
        var keyHolder = new PortalBrowser(herald.baseUrl());
        assertThat(keyHolder.post(base + "/session", Map.of("token", renewed.path("tok").asText())).status()).isEqualTo(403);

        assertThat(browser.post(base + "/autoconfig/" + id + "/delete", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/autoconfig").body().path("data")).isEmpty();
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid).status()).as("the endpoint stays").isEqualTo(200);
    }

    @Test
    void a_portal_that_may_not_manage_endpoints_sees_tokens_but_makes_none() {
        String id = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("id");
        var viewer = signedIn("{\"capabilities\":[\"ViewBase\"]}");
        assertThat(viewer.get(base + "/autoconfig").body()).contains(id).doesNotContain("Create an AutoConfig token")
                .doesNotContain("New token");
        assertThat(viewer.post(base + "/autoconfig", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post(base + "/autoconfig/" + id + "/rotate", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post(base + "/autoconfig/" + id + "/delete", Map.of()).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/autoconfig").body().path("data")).hasSize(1);
    }
}
