package dev.herald.routing;

import static dev.herald.routing.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransformationContextTest {

    @Test
    void holds_the_message_app_and_endpoint() {
        assertThat(TransformationContext.of("msg_1", "invoice.paid", "evt_1", Instant.parse("2024-05-01T10:15:30.123Z"),
                json("{'a': 1}"), "app_1", "acme", "Acme", "ep_1"))
                .isEqualTo(json("""
                        {'msgId': 'msg_1', 'eventType': 'invoice.paid', 'eventId': 'evt_1',
                         'timestamp': '2024-05-01T10:15:30.123Z', 'payload': {'a': 1},
                         'app': {'id': 'app_1', 'uid': 'acme', 'name': 'Acme'}, 'endpoint': {'id': 'ep_1'}}
                        """));
    }

    @Test
    void leaves_out_what_is_null() {
        assertThat(TransformationContext.of("msg_1", "ping", null, null, null, "app_1", null, null, "ep_1"))
                .isEqualTo(json("{'msgId': 'msg_1', 'eventType': 'ping', 'app': {'id': 'app_1'}, 'endpoint': {'id': 'ep_1'}}"));
    }
}
