package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The endpoint page tells its owner when deliveries fail, and when Herald will disable it for that. */
@ExtendWith(TestDatabase.class)
class PortalEndpointHealthTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void a_failing_endpoint_says_since_when_and_when_it_will_be_disabled_until_a_delivery_succeeds() {
        try (var receiver = new Receiver()) {
            var status = new AtomicInteger(500);
            receiver.reply(r -> Receiver.Reply.status(status.get()));
            String app = herald.api.post("/api/v1/app", json("name", "Acme")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/hook"))).text("id");
            var browser = PortalBrowser.signedIn(herald, app, "{}");
            String page = "/portal/" + app + "/endpoints/" + ep;
            assertThat(browser.get(page).body()).contains("Enabled").doesNotContain("Failing");

            herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> browser.get(page).body().contains("Failing: no delivery has succeeded since"),
                    "the page to say the endpoint is failing");
            assertThat(browser.get(page).body()).contains("unless one does, a failure from");
            assertThat(browser.get("/portal/" + app + "/endpoints").body()).as("the list says so too").contains("failing since");

            status.set(200);
            herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> !browser.get(page).body().contains("Failing"),
                    "a success to end the failing state");
            assertThat(browser.get(page).body()).contains("Enabled");
            assertThat(browser.get("/portal/" + app + "/endpoints").body()).doesNotContain("failing since");
        }
    }

    /** HERALD_DISABLE_AFTER=0s: no failure with retries left disables it, so the page names no time. */
    @Test
    void with_a_zero_limit_the_page_says_a_delivery_that_uses_up_its_retries_disables_it() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DISABLE_AFTER", "0s");
        env.put("HERALD_RETRY_SCHEDULE", "0,3600");
        try (var receiver = new Receiver(); var zero = TestHerald.start(env, java.time.Clock.systemUTC())) {
            receiver.reply(r -> Receiver.Reply.status(500));
            String app = zero.api.post("/api/v1/app", json("name", "Zero")).text("id");
            String ep = zero.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/zero"))).text("id");
            var browser = PortalBrowser.signedIn(zero, app, "{}");
            String page = "/portal/" + app + "/endpoints/" + ep;
            zero.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> browser.get(page).body().contains("Failing: no delivery has succeeded since"),
                    "the page to say the endpoint is failing");
            assertThat(browser.get(page).body()).contains("the first delivery to use up its retries disables it")
                    .doesNotContain("a failure from");
        }
    }
}
