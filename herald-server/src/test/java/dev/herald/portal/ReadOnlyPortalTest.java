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

/** Svix's AppPortalAccessIn.readOnly: a token that may look, in the portal and on the API, and change nothing. */
@ExtendWith(TestDatabase.class)
class ReadOnlyPortalTest {
    static TestHerald herald;
    String app;
    String endpoint;
    String message;
    String token;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void aReadOnlyLink() {
        app = herald.api.post("/api/v1/app", json("name", "Looker")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/ro")).text("id");
        message = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"a\":1}}").text("id");
        token = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"readOnly\":true}").text("token");
    }

    @Test
    void on_the_api_a_read_only_token_reads_and_is_refused_every_change_but_its_own_logout() {
        var looker = herald.api.withToken(token);
        assertThat(looker.get("/api/v1/app/" + app).status()).isEqualTo(200);
        assertThat(looker.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
        assertThat(looker.get("/api/v1/app/" + app + "/msg/" + message).status()).isEqualTo(200);

        for (var refused : new dev.herald.testing.ApiClient.Response[] {
                looker.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/new")),
                looker.patch("/api/v1/app/" + app + "/endpoint/" + endpoint, "{\"disabled\":true}"),
                looker.delete("/api/v1/app/" + app + "/endpoint/" + endpoint),
                looker.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}"),
                looker.post("/api/v1/app/" + app + "/msg/" + message + "/endpoint/" + endpoint + "/resend", ""),
                looker.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret")}) {
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.text("detail")).isEqualTo("This token is read-only");
        }
        var after = herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data");
        assertThat(after).hasSize(1);
        assertThat(after.get(0).path("disabled").asBoolean()).isFalse();
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(1);

        assertThat(looker.post("/api/v1/auth/logout", "").status()).isEqualTo(204);
        assertThat(looker.get("/api/v1/app/" + app).status()).isEqualTo(401);
        // a token made without readOnly changes as before
        String full = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"readOnly\":false}").text("token");
        assertThat(herald.api.withToken(full).post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/new"))
                .status()).isEqualTo(201);
    }

    @Test
    void the_portal_offers_no_change_to_a_read_only_token_and_refuses_one_sent_anyway() {
        var browser = new PortalBrowser(herald.baseUrl());
        String link = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"readOnly\":true}").text("url");
        assertThat(browser.open(link).status()).isEqualTo(204);
        String base = "/portal/" + app;

        var endpoints = browser.get(base + "/endpoints").body();
        assertThat(endpoints).contains("read-only").contains("http://127.0.0.1:9/ro").doesNotContain("new-endpoint");
        var page = browser.get(base + "/endpoints/" + endpoint).body();
        // Svix's readOnly is its ViewBase capability alone, which does not show an endpoint's secret
        assertThat(page).contains("not shown to this portal").doesNotContain("Reveal")
                .doesNotContain("hx-post=\"" + base + "/endpoints/" + endpoint);
        assertThat(browser.get(base + "/endpoints/" + endpoint + "/secret").status()).isEqualTo(403);
        var msg = browser.get(base + "/messages/" + message).body();
        assertThat(msg).contains("\"a\" : 1").doesNotContain("/resend");

        assertThat(browser.post(base + "/endpoints", Map.of("url", "http://127.0.0.1:9/sneaked")).status()).isEqualTo(403);
        assertThat(browser.post(base + "/endpoints/" + endpoint + "/delete", Map.of()).status()).isEqualTo(403);
        assertThat(browser.post(base + "/messages/" + message + "/endpoints/" + endpoint + "/resend", Map.of()).status())
                .isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
        assertThat(browser.post(base + "/logout", Map.of()).status()).isEqualTo(204);
    }
}
