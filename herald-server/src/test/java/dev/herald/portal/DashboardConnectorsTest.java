package dev.herald.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dashboard's connectors: added, edited and deleted in the operator's forms, through the API's checks. */
@ExtendWith(TestDatabase.class)
class DashboardConnectorsTest {
    static TestHerald herald;
    PortalBrowser operator;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void signedIn() {
        operator = PortalBrowser.dashboardSignedIn(herald);
    }

    private static Map<String, String> form(String name, String transformation) {
        var form = new HashMap<String, String>();
        form.put("name", name);
        form.put("uid", "");
        form.put("kind", "Slack");
        form.put("logo", "");
        form.put("description", "Post to Slack");
        form.put("instructions", "Paste an incoming webhook URL");
        form.put("allowedEventTypes", "invoice.paid, invoice.voided");
        form.put("featureFlags", "");
        form.put("transformation", transformation);
        return form;
    }

    @Test
    void the_operator_adds_edits_and_deletes_a_connector() {
        assertThat(operator.get("/dashboard/connectors").body()).contains("No connectors yet").contains("Add a connector");

        var javascript = operator.post("/dashboard/connectors", form("Slack", "function handler(w) { return w }"));
        assertThat(javascript.status()).isEqualTo(422);
        assertThat(javascript.body()).contains("Herald runs no JavaScript").contains("function handler");
        var noName = operator.post("/dashboard/connectors", form("", "{}"));
        assertThat(noName.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/connector").body().path("data").size()).as("nothing stored").isZero();

        var added = operator.post("/dashboard/connectors", form("Slack", "{\"body\":{\"text\":\"{{eventType}}\"}}"));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        var stored = herald.api.get("/api/v1/connector").body().path("data").get(0);
        assertThat(stored.path("kind").asText()).isEqualTo("Slack");
        assertThat(stored.path("allowedEventTypes").toString()).isEqualTo("[\"invoice.paid\",\"invoice.voided\"]");
        assertThat(stored.path("transformation").asText()).isEqualTo("{\"body\":{\"text\":\"{{eventType}}\"}}");
        String id = stored.path("id").asText();
        assertThat(operator.get("/dashboard/connectors").body()).contains("/dashboard/connectors/" + id).contains("invoice.paid, invoice.voided");

        var page = operator.get("/dashboard/connectors/" + id);
        assertThat(page.body()).contains("value=\"Slack\"").contains("{{eventType}}");
        var edit = form("Slack", "{\"body\":{\"text\":\"{{eventType}}!\"}}");
        edit.put("uid", "slack");
        edit.put("allowedEventTypes", "");
        assertThat(operator.post("/dashboard/connectors/" + id, edit).status()).isEqualTo(204);
        var edited = herald.api.get("/api/v1/connector/slack").body();
        assertThat(edited.path("transformation").asText()).isEqualTo("{\"body\":{\"text\":\"{{eventType}}!\"}}");
        assertThat(edited.path("allowedEventTypes").isArray()).as("emptied: every type").isFalse();
        edit.put("uid", "");
        assertThat(operator.post("/dashboard/connectors/" + id, edit).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/connector/" + id).body().path("uid").isTextual()).as("an emptied uid is removed").isFalse();

        var badEdit = operator.post("/dashboard/connectors/" + id, form("Slack", "{\"url\":\"http://10.0.0.1/x\"}"));
        assertThat(badEdit.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/connector/" + id).text("transformation")).isEqualTo("{\"body\":{\"text\":\"{{eventType}}!\"}}");

        assertThat(operator.post("/dashboard/connectors/" + id + "/delete", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/connector/" + id).status()).isEqualTo(404);
        assertThat(operator.get("/dashboard/connectors/" + id).status()).isEqualTo(404);
    }

    @Test
    void only_a_signed_in_operator_and_only_from_the_pages() {
        var stranger = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        assertThat(stranger.get("/dashboard/connectors").status()).isEqualTo(401);
        assertThat(stranger.post("/dashboard/connectors", form("Slack", "{}")).status()).isEqualTo(401);
        // a form another site posts (no htmx header) changes nothing, signed in or not
        assertThat(operator.post("/dashboard/connectors", form("Slack", "{}"), false).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/connector").body().path("data").size()).isZero();
    }
}
