package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connecting a service from the portal: the operator's connectors, and the endpoint one makes. */
@ExtendWith(TestDatabase.class)
class PortalConnectorTest {
    static final String SLACK = "{\"body\":{\"text\":\"{{eventType}}: {{payload.summary}}\"}}";
    static TestHerald herald;
    Receiver receiver;
    String app;
    String slack;
    String beta;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void connectors() {
        receiver = new Receiver();
        for (String type : List.of("invoice.paid", "invoice.voided", "user.created")) {
            assertThat(herald.api.put("/api/v1/event-type/" + type, "{\"description\":\"d\"}").status()).isIn(200, 201);
        }
        app = herald.api.post("/api/v1/app", json("name", "Acme")).text("id");
        slack = herald.api.post("/api/v1/connector", json("name", "Slack", "kind", "Slack", "logo", "https://example.com/slack.png",
                "description", "Post invoices to a Slack channel", "instructions", "Make an incoming webhook in Slack.\nPaste its URL below.",
                "allowedEventTypes", List.of("invoice.paid", "invoice.voided"), "transformation", SLACK)).text("id");
        beta = herald.api.post("/api/v1/connector", json("name", "Beta thing", "featureFlags", List.of("beta"),
                "transformation", "{}")).text("id");
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private static String form(String url, String... types) {
        var sb = new StringBuilder("url=" + URLEncoder.encode(url, StandardCharsets.UTF_8) + "&description=&rateLimit=&channels=");
        for (String type : types) sb.append("&filterTypes=").append(type);
        return sb.toString();
    }

    @Test
    void a_customer_connects_slack_and_gets_its_shape_of_the_event_types_it_takes() {
        var browser = PortalBrowser.signedIn(herald, app, "{}");
        var list = browser.get("/portal/" + app + "/endpoints");
        assertThat(list.body()).contains("Connect a service").contains("/portal/" + app + "/connectors/" + slack)
                .contains("https://example.com/slack.png").as("flagged: not for this portal").doesNotContain("Beta thing");
        assertThat(list.header("Content-Security-Policy")).contains("img-src 'self' https:;");

        String here = "/portal/" + app + "/connectors/" + slack;
        var page = browser.get(here);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Connect Slack").contains("Paste its URL below.").contains("{{payload.summary}}")
                .contains("value=\"invoice.paid\"").contains("value=\"invoice.voided\"")
                .as("only the connector's types offered").doesNotContain("value=\"user.created\"");

        var outside = browser.postRaw(here, form(receiver.url("/slack"), "user.created"), true);
        assertThat(outside.status()).isEqualTo(422);
        assertThat(outside.body()).contains("Slack takes only invoice.paid, invoice.voided").contains("none ticked: all of these");
        var badUrl = browser.postRaw(here, form("ftp://example.com/x"), true);
        assertThat(badUrl.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data").size()).as("nothing made").isZero();

        var made = browser.postRaw(here, form(receiver.url("/slack")), true);
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        var endpoint = herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data").get(0);
        assertThat(made.header("HX-Redirect")).isEqualTo("/portal/" + app + "/endpoints/" + endpoint.path("id").asText());
        assertThat(endpoint.path("description").asText()).isEqualTo("Slack");
        assertThat(endpoint.path("filterTypes").toString()).contains("invoice.paid").contains("invoice.voided").doesNotContain("user.created");
        assertThat(endpoint.path("transformation").toString()).isEqualTo(SLACK);

        String other = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"user.created\",\"payload\":{\"summary\":\"Ann\"}}").text("id");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"invoice.paid\",\"payload\":{\"summary\":\"INV-7 paid\"}}");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/slack").isEmpty(), "the Slack-shaped delivery");
        var sent = receiver.requests("/slack").getFirst();
        assertThat(sent.body()).isEqualTo("{\"text\":\"invoice.paid: INV-7 paid\"}");
        assertThat(sent.header("webhook-signature")).startsWith("v1,");
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + other + "/endpoint").body().path("data").size())
                .as("user.created is not among Slack's types").isZero();
    }

    @Test
    void instructions_are_markdown_rendered_safely() {
        String md = herald.api.post("/api/v1/connector", json("name", "Docs", "transformation", "{}", "instructions",
                "Open **Settings**, then [Slack's guide](https://api.slack.com/messaging/webhooks).\nNext line.\n\n"
                        + "A [bad](javascript:void) link.\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>")).text("id");
        var page = PortalBrowser.signedIn(herald, app, "{}").get("/portal/" + app + "/connectors/" + md).body();
        assertThat(page).contains("<strong>Settings</strong>")
                .contains("href=\"https://api.slack.com/messaging/webhooks\"").contains("rel=\"noopener noreferrer nofollow\"")
                .contains(">bad</a>")
                .as("a single line break kept").contains("<br>")
                .as("HTML in the instructions is shown, not run").contains("&lt;script&gt;").doesNotContain("<script>alert")
                .doesNotContain("<img src=x").doesNotContain("href=\"javascript:");
    }

    @Test
    void flags_and_capabilities_decide_who_sees_a_connector() {
        var plain = PortalBrowser.signedIn(herald, app, "{}");
        assertThat(plain.get("/portal/" + app + "/connectors/" + beta).status()).isEqualTo(404);
        assertThat(plain.get("/portal/" + app + "/connectors/trtmpl_nope").status()).isEqualTo(404);

        var flagged = PortalBrowser.signedIn(herald, app, "{\"featureFlags\":[\"beta\"]}");
        assertThat(flagged.get("/portal/" + app + "/endpoints").body()).contains("Beta thing").contains("Slack");
        assertThat(flagged.get("/portal/" + app + "/connectors/" + beta).status()).isEqualTo(200);
        // a connector without allowed types offers the catalog, and an endpoint with none ticked takes every type
        var made = flagged.postRaw("/portal/" + app + "/connectors/" + beta, form(receiver.url("/beta")), true);
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data").get(0).path("filterTypes").isArray()).isFalse();

        // a connector whose types this portal's catalog does not show is not offered
        String hidden = herald.api.post("/api/v1/connector", json("name", "Elsewhere", "allowedEventTypes", List.of("beta.only"),
                "transformation", "{}")).text("id");
        herald.api.put("/api/v1/event-type/beta.only", "{\"description\":\"d\",\"featureFlags\":[\"beta\"]}");
        assertThat(plain.get("/portal/" + app + "/endpoints").body()).doesNotContain("Elsewhere");
        assertThat(plain.get("/portal/" + app + "/connectors/" + hidden).status()).isEqualTo(404);
        assertThat(flagged.get("/portal/" + app + "/endpoints").body()).contains("Elsewhere");

        var viewer = PortalBrowser.signedIn(herald, app, "{\"capabilities\":[\"ViewBase\"]}");
        assertThat(viewer.get("/portal/" + app + "/endpoints").body()).doesNotContain("Connect a service");
        assertThat(viewer.get("/portal/" + app + "/connectors/" + slack).status()).isEqualTo(403);
        assertThat(viewer.postRaw("/portal/" + app + "/connectors/" + slack, form(receiver.url("/v")), true).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data").size()).isEqualTo(1);
    }
}
