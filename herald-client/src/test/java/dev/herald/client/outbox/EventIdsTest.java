package dev.herald.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void is_evt_and_the_first_32_hex_of_sha256_over_the_nul_joined_parts() throws Exception {
        String expected = "evt_" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("email.received\0<m1@example.com>".getBytes(StandardCharsets.UTF_8))).substring(0, 32);

        assertThat(EventIds.deterministic("email.received", "<m1@example.com>")).isEqualTo(expected).hasSize(36);
    }

    @Test
    void same_parts_same_id() {
        assertThat(EventIds.deterministic("order.created", "42")).isEqualTo(EventIds.deterministic("order.created", "42"));
    }

    @Test
    void parts_that_concatenate_alike_get_different_ids() {
        assertThat(EventIds.deterministic("abc", "def")).isNotEqualTo(EventIds.deterministic("abcdef", ""));
        assertThat(EventIds.deterministic("a|b", "c")).isNotEqualTo(EventIds.deterministic("a", "b|c"));
        assertThat(EventIds.deterministic("order.created", "42")).isNotEqualTo(EventIds.deterministic("order.paid", "42"));
    }

    @Test
    void refuses_no_parts_null_parts_and_parts_holding_the_delimiter() {
        assertThatThrownBy(EventIds::deterministic).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIds.deterministic("a", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIds.deterministic("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outbox_message_id_from_parts_puts_the_event_type_first() {
        var message = OutboxMessage.of("acme", "email.received", "{\"to\":\"x\"}").idFrom("<m1@example.com>");

        assertThat(message.eventId()).isEqualTo(EventIds.deterministic("email.received", "<m1@example.com>"));
    }

    @Test
    void outbox_message_payload_must_be_a_json_object() {
        assertThatThrownBy(() -> OutboxMessage.of("acme", "x", "[1,2]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutboxMessage.of("acme", "x", "{not json")).isInstanceOf(IllegalArgumentException.class);
        assertThat(OutboxMessage.of("acme", "x", java.util.Map.of("a", 1)).payload()).isEqualTo("{\"a\":1}");
    }
}
