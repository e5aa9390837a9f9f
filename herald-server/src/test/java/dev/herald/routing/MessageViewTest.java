package dev.herald.routing;

import static dev.herald.routing.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageViewTest {

    @Test
    void has_the_shape_filters_are_written_against() {
        assertThat(MessageView.of("invoice.paid", List.of("eu", "vip"), json("{'amount': 5}")))
                .isEqualTo(json("{'eventType': 'invoice.paid', 'channels': ['eu', 'vip'], 'payload': {'amount': 5}}"));
    }

    @Test
    void null_channels_are_empty_and_a_null_payload_is_absent() {
        assertThat(MessageView.of("ping", null, null)).isEqualTo(json("{'eventType': 'ping', 'channels': []}"));
    }
}
