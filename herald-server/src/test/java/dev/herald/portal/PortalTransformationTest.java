package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The endpoint page's transformation: tried on a payload, saved through the API's checks, and then what is sent. */
@ExtendWith(TestDatabase.class)
class PortalTransformationTest {
    static final String TEMPLATE = "{\"body\":{\"text\":\"Invoice {{payload.number}} paid ({{eventType}})\"},"
            + "\"headers\":{\"x-kind\":\"chat\"}}";
    static TestHerald herald;
    Receiver receiver;
    String app;
    String endpoint;
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
        receiver = new Receiver();
        herald.api.put("/api/v1/event-type/invoice.paid", "{\"description\":\"paid\",\"schemas\":{\"1\":{\"type\":\"object\","
                + "\"examples\":[{\"number\":\"INV-7\"}]}}}");
        app = herald.api.post("/api/v1/app", json("name", "Chat")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/chat"))).text("id");
        here = "/portal/" + app + "/endpoints/" + endpoint;
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private PortalBrowser signedIn(String accessIn) {
        return PortalBrowser.signedIn(herald, app, accessIn);
    }

    @Test
    void a_customer_tries_a_template_saves_it_and_messages_are_sent_as_it_says() {
        var browser = signedIn("{}");
        assertThat(browser.get(here).body()).contains("Transformation").contains("name=\"transformation\"");

        var tried = browser.post(here + "/transformation/try", Map.of("transformation", TEMPLATE, "eventType", "invoice.paid",
                "payload", ""));
        assertThat(tried.status()).as(tried.body()).isEqualTo(200);
        assertThat(tried.body()).contains("POST " + receiver.url("/chat")).contains("x-kind")
                .as("the type's example filled in").contains("Invoice INV-7 paid (invoice.paid)");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().has("transformation"))
                .as("trying saves nothing").isFalse();

        var notJson = browser.post(here + "/transformation/try", Map.of("transformation", "{body:", "eventType", "invoice.paid",
                "payload", "{}"));
        assertThat(notJson.status()).isEqualTo(422);
        assertThat(notJson.body()).contains("The template is not JSON");
        var guarded = browser.post(here + "/transformation", Map.of("transformation", "{\"url\":\"http://169.254.169.254/x\"}"));
        assertThat(guarded.status()).as("the address guard, as on the API").isEqualTo(422);

        assertThat(browser.post(here + "/transformation", Map.of("transformation", TEMPLATE)).status()).isEqualTo(200);
        var stored = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("transformation");
        assertThat(stored.path("headers").path("x-kind").asText()).isEqualTo("chat");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"invoice.paid\",\"payload\":{\"number\":\"INV-9\"}}");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/chat").isEmpty(), "the transformed delivery");
        var sent = receiver.requests("/chat").getFirst();
        assertThat(sent.body()).isEqualTo("{\"text\":\"Invoice INV-9 paid (invoice.paid)\"}");
        assertThat(sent.header("x-kind")).isEqualTo("chat");
        assertThat(browser.get(here).body()).as("the saved template shown back").contains("x-kind");

        assertThat(browser.post(here + "/transformation", Map.of("transformation", "")).status()).isEqualTo(200);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().has("transformation"))
                .as("saved empty: removed").isFalse();
    }

    @Test
    void a_customer_switches_the_template_off_and_on_without_losing_it() {
        var browser = signedIn("{}");
        assertThat(browser.post(here + "/transformation", Map.of("transformation", TEMPLATE)).status()).isEqualTo(200);
        assertThat(browser.get(here).body()).contains("In effect.").contains("/transformation/off");

        assertThat(browser.post(here + "/transformation/off", Map.of()).status()).isEqualTo(204);
        var off = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/transformation").body();
        assertThat(off.path("enabled").asBoolean()).isFalse();
        assertThat(off.path("code").asText()).contains("x-kind");
        var page = browser.get(here).body();
        assertThat(page).contains("Switched off").contains("/transformation/on").as("the template kept in the editor").contains("x-kind");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"invoice.paid\",\"payload\":{\"number\":\"INV-1\"}}");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/chat").isEmpty(), "the plain delivery");
        assertThat(receiver.requests("/chat").getFirst().body()).as("sent as it is").isEqualTo("{\"number\":\"INV-1\"}");

        var viewer = signedIn("{\"capabilities\":[\"ViewBase\"]}");
        assertThat(viewer.post(here + "/transformation/on", Map.of()).status()).isEqualTo(403);
        assertThat(browser.post(here + "/transformation/on", Map.of()).status()).isEqualTo(204);
        var on = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/transformation").body();
        assertThat(on.path("enabled").asBoolean()).isTrue();
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("transformation")
                .path("headers").path("x-kind").asText()).isEqualTo("chat");
    }

    @Test
    void a_portal_without_the_capability_sees_the_template_but_changes_nothing() {
        herald.api.patch("/api/v1/app/" + app + "/endpoint/" + endpoint, "{\"transformation\":" + TEMPLATE + "}");
        var viewer = signedIn("{\"capabilities\":[\"ViewBase\"]}");
        var page = viewer.get(here).body();
        assertThat(page).contains("x-kind").doesNotContain("name=\"transformation\"");
        assertThat(viewer.post(here + "/transformation", Map.of("transformation", "")).status()).isEqualTo(403);
        assertThat(viewer.post(here + "/transformation/try", Map.of("transformation", TEMPLATE, "eventType", "invoice.paid",
                "payload", "{}")).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().has("transformation")).isTrue();
        var transformer = signedIn("{\"capabilities\":[\"ViewBase\",\"ManageTransformations\"]}");
        assertThat(transformer.post(here + "/transformation", Map.of("transformation", "")).status())
                .as("ManageTransformations alone may change it").isEqualTo(200);
    }
}
