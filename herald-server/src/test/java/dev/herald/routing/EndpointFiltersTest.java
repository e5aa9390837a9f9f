package dev.herald.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Endpoint;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointFiltersTest {
    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");
    private final EndpointFilters filters = new EndpointFilters();

    private static Endpoint endpoint(String filterJson) {
        return new Endpoint("ep_1", "app_1", null, "https://example.com", "", false, null, null, Map.of(), null, null,
                Map.of(), 1, T, T, filterJson, null, null);
    }

    private static EndpointFilters.View message(String payload) {
        return new EndpointFilters.View("invoice.paid", Set.of("eu"), payload);
    }

    @Test
    void an_endpoint_without_a_filter_takes_everything_and_its_payload_is_never_parsed() {
        assertThat(filters.passes(endpoint(null), message("not json at all"))).isTrue();
    }

    @Test
    void an_edit_applies_even_within_one_clock_tick() {
        assertThat(filters.passes(endpoint("{\"payload.kind\":\"a\"}"), message("{\"kind\":\"a\"}"))).isTrue();
        // same id, same updatedAt, different filter: the cache must not serve the old one
        assertThat(filters.passes(endpoint("{\"payload.kind\":\"b\"}"), message("{\"kind\":\"a\"}"))).isFalse();
        assertThat(filters.passes(endpoint("{\"channels\":\"eu\",\"eventType\":\"invoice.paid\"}"), message("{}"))).isTrue();
    }

    @Test
    void a_stored_filter_that_cannot_be_used_lets_nothing_through() {
        assertThat(filters.passes(endpoint("{\"payload.a\":{\"$nope\":1}}"), message("{\"a\":1}"))).isFalse();
    }
}
