package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The portal's polling endpoints: a customer makes one, gets its URL and a key, reads it with the key, deletes it. */
@ExtendWith(TestDatabase.class)
class PortalPollingTest {
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
        herald.api.put("/api/v1/event-type/order.placed", json("description", "o"));
        herald.api.put("/api/v1/event-type/order.shipped", json("description", "s"));
        app = herald.api.post("/api/v1/app", json("name", "Polls")).text("id");
        base = "/portal/" + app;
    }

    private PortalBrowser signedIn(String accessIn) {
        return PortalBrowser.signedIn(herald, app, accessIn);
    }

    @Test
    void a_customer_makes_a_poller_gets_a_key_reads_with_it_and_deletes_it() {
        var browser = signedIn("{}");
        var empty = browser.get(base + "/polling");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).contains("No polling endpoints yet").contains("value=\"order.shipped\"");

        var refused = browser.postRaw(base + "/polling", "channels=" + enc("eu, not a channel"), true);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("field-error").contains("new-poller");
        var made = browser.postRaw(base + "/polling", "description=ledger&filterTypes=order.shipped&channels=" + enc("eu, us"), true);
        assertThat(made.status()).isEqualTo(201);
        String page = made.header("HX-Redirect");
        String id = page.substring(page.lastIndexOf('/') + 1);
        var stored = herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + id).body();
        assertThat(stored.path("filterTypes").toString()).isEqualTo("[\"order.shipped\"]");
        assertThat(stored.path("channels").toString()).isEqualTo("[\"eu\",\"us\"]");
        assertThat(stored.path("description").asText()).isEqualTo("ledger");

        var shown = browser.get(page).body();
        assertThat(shown).contains(herald.baseUrl() + "/api/v1/app/" + app + "/poller/" + id);
        var keyAnswer = browser.post(page + "/key", Map.of()).body();
        var matcher = Pattern.compile("(pollsk_[A-Za-z0-9]+)").matcher(keyAnswer);
        assertThat(matcher.find()).as(keyAnswer).isTrue();
        var reader = herald.api.withToken(matcher.group(1));

        // the key opens no portal: it reads its poller and nothing else
        var keyHolder = new PortalBrowser(herald.baseUrl());
        assertThat(keyHolder.post(base + "/session", Map.of("token", matcher.group(1))).status()).isEqualTo(403);
        keyHolder.setCookie(matcher.group(1), base);
        assertThat(keyHolder.get(base + "/messages").status()).isEqualTo(403);
        assertThat(keyHolder.get(base + "/endpoints").body()).doesNotContain("Polls");

        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"order.placed\",\"payload\":{},\"channels\":[\"eu\"]}");
        String shipped = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"order.shipped\",\"payload\":{\"o\":1},\"channels\":[\"eu\"]}").text("id");
        var polled = reader.get("/api/v1/app/" + app + "/poller/" + id).body().path("data");
        assertThat(polled).hasSize(1);
        assertThat(polled.get(0).path("id").asText()).isEqualTo(shipped);

        assertThat(browser.post(page + "/delete", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + id).status()).isEqualTo(404);
        assertThat(reader.get("/api/v1/app/" + app + "/poller/" + id).status()).isEqualTo(401);
    }

    @Test
    void a_portal_that_may_not_manage_endpoints_shows_pollers_but_makes_no_change() {
        String id = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
        var viewer = signedIn("{\"capabilities\":[\"ViewBase\",\"CreateAttempts\"]}");
        assertThat(viewer.get(base + "/polling").body()).contains(id).doesNotContain("new-poller");
        assertThat(viewer.get(base + "/polling/" + id).body()).doesNotContain("Make a new key").doesNotContain(">Delete<");
        assertThat(viewer.post(base + "/polling", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post(base + "/polling/" + id + "/key", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post(base + "/polling/" + id + "/delete", Map.of()).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + id).status()).isEqualTo(200);
        // another application's poller is not found from this portal
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        String elsewhere = herald.api.post("/api/v1/app/" + other + "/polling-endpoint", "{}").text("id");
        assertThat(signedIn("{}").get(base + "/polling/" + elsewhere).status()).isEqualTo(404);
    }

    @Test
    void a_pollers_page_shows_its_consumers_how_far_behind_and_their_leases() {
        String id = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
        for (int i = 0; i < 3; i++) {
            herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"order.placed\",\"payload\":{}}");
        }
        String leased = "/api/v1/app/" + app + "/polling-endpoint/" + id + "/consumer/";
        var page = herald.api.get(leased + "billing?limit=1").body().path("data");
        long offset = page.get(0).path("offset").asLong();
        assertThat(herald.api.post(leased + "billing/commit", "{\"offset\":" + offset + "}").status()).isEqualTo(204);
        herald.api.get(leased + "audit?limit=2"); // leased, not committed
        var shown = signedIn("{}").get(base + "/polling/" + id).body();
        assertThat(shown).contains(leased + "{name}");
        var rows = Pattern.compile("<tr>\\s*<td>(\\w+)</td>\\s*<td>(\\d+)</td>\\s*<td>(\\d*)</td>\\s*<td>([^<]*)</td>").matcher(shown);
        var seen = new java.util.LinkedHashMap<String, List<String>>();
        while (rows.find()) seen.put(rows.group(1), List.of(rows.group(2), rows.group(3), rows.group(4)));
        assertThat(seen.get("audit")).as(shown).containsExactly("3", "", seen.get("audit").get(2));
        assertThat(seen.get("audit").get(2)).startsWith("until ");
        assertThat(seen.get("billing")).containsExactly("2", String.valueOf(offset), "");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
