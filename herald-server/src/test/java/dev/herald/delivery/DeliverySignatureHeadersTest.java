package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.delivery.DeliveryFixture.secret;
import static dev.herald.delivery.DeliveryFixture.verify;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_SIGNATURE_HEADERS picks the header names a receiver sees: webhook-* (default), svix-* or both. */
@ExtendWith(TestDatabase.class)
class DeliverySignatureHeadersTest {
    Receiver receiver;
    TestHerald herald;

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void stop() {
        if (herald != null) herald.close();
        receiver.close();
    }

    /** Starts Herald with the given header style, delivers one message and returns what arrived. */
    private Delivered deliverWith(String style) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_SIGNATURE_HEADERS", style);
        herald = TestHerald.start(env, Clock.systemUTC());
        String app = app(herald.api, "sig-" + style);
        String ep = endpoint(herald.api, app, receiver.url("/s"));
        String msg = publish(herald.api, app, "{\"eventType\":\"s.t\",\"payload\":{\"amount\":1.10}}");
        Receiver.await(WAIT, () -> receiver.requests("/s").size() == 1, "delivery");
        return new Delivered(receiver.requests("/s").get(0), secret(herald.api, app, ep), msg);
    }

    private record Delivered(Receiver.Request request, String secret, String msgId) {}

    @Test
    void svix_style_sends_only_svix_headers_that_the_svix_library_verifies() throws Exception {
        var d = deliverWith("svix");
        assertThat(d.request().header("svix-id")).isEqualTo(d.msgId());
        assertThat(d.request().header("svix-timestamp")).isNotBlank();
        assertThat(d.request().header("svix-signature")).startsWith("v1,");
        assertThat(d.request().headers().keySet()).noneMatch(name -> name.startsWith("webhook-"));
        verify(d.secret(), d.request(), "svix");
    }

    @Test
    void both_style_sends_both_header_sets_each_verifying_on_its_own() throws Exception {
        var d = deliverWith("both");
        assertThat(d.request().header("svix-id")).isEqualTo(d.msgId());
        assertThat(d.request().header("webhook-id")).isEqualTo(d.msgId());
        assertThat(d.request().header("svix-signature")).isEqualTo(d.request().header("webhook-signature"));
        verify(d.secret(), d.request(), "svix");
        verify(d.secret(), d.request(), "webhook");
    }

    @Test
    void webhook_style_named_explicitly_sends_only_webhook_headers() throws Exception {
        // the default (variable unset) is pinned in DeliveryBehaviourTest
        var d = deliverWith("webhook");
        assertThat(d.request().header("webhook-id")).isEqualTo(d.msgId());
        assertThat(d.request().headers().keySet()).noneMatch(name -> name.startsWith("svix-"));
        verify(d.secret(), d.request(), "webhook");
    }
}
