package dev.herald.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Endpoint;
import dev.herald.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointFiltersTest {
    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T);
    private final EndpointFilters filters = new EndpointFilters(clock);

    private static Endpoint endpoint(String filterJson) {
        return new Endpoint("ep_1", "app_1", null, "https://example.com", "", false, null, null, Map.of(), null, null,
                Map.of(), 1, T, T, filterJson, null, null, null);
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

    private static Endpoint endpoint(String id, String filterJson) {
        return endpoint("app_1", id, filterJson);
    }

    private static Endpoint endpoint(String appId, String id, String filterJson) {
        return new Endpoint(id, appId, null, "https://example.com", "", false, null, null, Map.of(), null, null,
                Map.of(), 1, T, T, filterJson, null, null, null);
    }

    /** 2,000 strings each costing a backtracking search all its budget: a message written to stall the writer. */
    private static String hostilePayload() {
        var items = new java.util.StringJoiner(",", "{\"a\":[", "]}");
        for (int i = 0; i < 2_000; i++) items.add("\"" + "a".repeat(30) + "\"");
        return items.toString();
    }

    @Test
    void one_filter_s_regex_searches_on_one_message_share_one_budget_and_no_other_filter_s() {
        String hostile = "{\"payload.a\":{\"$regex\":\"(.*a){12}b\"}}";
        var view = message(hostilePayload());
        for (int i = 0; i < 5; i++) {
            assertThat(filters.passes(endpoint("ep_" + i, hostile), view)).as("ep_" + i).isFalse();
        }
        // each search had a budget of its own: 2,000 elements times a million steps, per endpoint
        assertThat(view.regexStepsSpent()).isEqualTo(5 * EndpointFilters.FILTER_REGEX_STEPS);
        // after them, another application's endpoint with an ordinary filter on the same message decides it with a
        // budget of its own (the first application's allowance is spent: see the next test)
        assertThat(filters.passes(endpoint("app_2", "ep_ok", "{\"payload.a\":{\"$regex\":\"^a+$\"}}"), view)).isTrue();
    }

    /** Each search heavy but within its filter's budget: what a tenant's 50 filters could cost on every message. */
    private static String heavyPayload() {
        var items = new java.util.StringJoiner(",", "{\"a\":[", "]}");
        for (int i = 0; i < 12; i++) items.add("\"" + "a".repeat(20) + "\"");
        items.add("\"aaaab\"");
        return items.toString();
    }

    @Test
    void an_application_s_filters_together_take_no_more_than_its_allowance_past_which_they_let_messages_through() {
        String heavy = "{\"payload.a\":{\"$regex\":\"(.*a){4}c\"}}"; // never matches: a decided filter says no
        var probe = message(heavyPayload());
        assertThat(filters.passes(endpoint("app_probe", "ep_probe", heavy), probe)).isFalse();
        long cost = probe.regexStepsSpent();
        // within a filter's own budget, yet 50 of them would take several times the application's allowance
        assertThat(cost).isLessThan(EndpointFilters.FILTER_REGEX_STEPS).isGreaterThan(RegexAllowance.CAPACITY / 10);

        var view = message(heavyPayload());
        var decided = new java.util.ArrayList<Integer>();
        for (int i = 0; i < 50; i++) {
            if (!filters.passes(endpoint("app_1", "ep_" + i, heavy), view)) decided.add(i);
        }
        // the first ones decide until the allowance is spent; the one it ran out in and the rest are cut short, and
        // the message goes to them unfiltered: load costs no endpoint a message
        assertThat(decided).hasSizeBetween((int) (RegexAllowance.CAPACITY / cost) - 1, (int) (RegexAllowance.CAPACITY / cost));
        assertThat(decided).containsExactlyElementsOf(java.util.stream.IntStream.range(0, decided.size()).boxed().toList());
        assertThat(view.regexStepsSpent()).isLessThanOrEqualTo(RegexAllowance.CAPACITY + 50);
        // a filter without searches still decides, and another application's filters are not touched
        assertThat(filters.passes(endpoint("app_1", "ep_plain", "{\"payload.b\":{\"$exists\":true}}"), view)).isFalse();
        assertThat(filters.passes(endpoint("app_2", "ep_other", heavy), view)).isFalse();

        // a second later, a second's worth of steps; the cut-short filters were not made to skip messages
        clock.advance(Duration.ofSeconds(1));
        var next = message(heavyPayload());
        int nextDecided = 0;
        for (int i = 49; i >= 0; i--) {
            if (!filters.passes(endpoint("app_1", "ep_" + i, heavy), next)) nextDecided++;
        }
        assertThat(nextDecided).isBetween((int) (RegexAllowance.PER_SECOND / cost) - 1, (int) (RegexAllowance.PER_SECOND / cost));
        // replays are not held to the allowance
        assertThat(filters.passesReplaying(endpoint("app_1", "ep_0", heavy), message(heavyPayload()))).isFalse();
    }

    @Test
    void many_endpoints_with_ordinary_filters_over_a_long_field_all_decide() {
        var view = message("{\"text\":\"" + "a".repeat(9_000) + "zzz\"}");
        for (int i = 0; i < 150; i++) {
            assertThat(filters.passes(endpoint(String.format("ep_%03d", i), "{\"payload.text\":{\"$regex\":\"[z]{3}$\"}}"), view))
                    .as("ep_%03d", i).isTrue();
        }
        assertThat(view.regexStepsSpent()).isGreaterThan(150L * 9_000);
    }

    @Test
    void a_filter_that_runs_out_lets_the_next_messages_through_to_nobody_doubling_and_a_cut_short_not_decides_nothing() {
        var endpoint = endpoint("ep_slow", "{\"payload.a\":{\"$not\":{\"$regex\":\"(.*a){12}b\"}}}");
        var evaluated = new java.util.ArrayList<Integer>();
        for (int i = 1; i <= 16; i++) {
            var view = message(hostilePayload());
            assertThat(filters.passes(endpoint, view)).as("message " + i).isFalse();
            if (view.regexStepsSpent() > 0) evaluated.add(i);
        }
        // run out on 1, skip 1; run out on 3, skip 2; on 6, skip 4; on 11, skip 8
        assertThat(evaluated).containsExactly(1, 3, 6, 11);
        // a replay decides while live messages are skipped, and charges nothing
        assertThat(filters.passesReplaying(endpoint, message("{\"a\":[\"b\"]}"))).isTrue();
        var skipped = message("{\"a\":[\"b\"]}");
        assertThat(filters.passes(endpoint, skipped)).as("still skipping live messages").isFalse();
        assertThat(skipped.regexStepsSpent()).isZero();
        // an edited filter starts afresh
        var edited = endpoint("ep_slow", "{\"payload.a\":{\"$regex\":\"^b$\"}}");
        assertThat(filters.passes(edited, message("{\"a\":[\"b\"]}"))).isTrue();
    }

    /** A search cut short decides nothing, but does not undo what the filter's other parts decided. */
    @Test
    void a_search_cut_short_leaves_the_filter_decided_where_its_other_parts_decide_it() {
        String hostile = "{\"payload.a\":{\"$regex\":\"(.*a){12}b\"}}";
        String payload = hostilePayload().replace("{\"a\":", "{\"kind\":\"x\",\"a\":");
        // its own budget spent: the $or's other part is true, the $and's false, the lone search undecided
        var view = message(payload);
        assertThat(filters.passes(endpoint("app_own", "ep_or", "{\"$or\":[" + hostile + ",{\"payload.kind\":\"x\"}]}"), view)).isTrue();
        assertThat(view.regexStepsSpent()).as("the search did run out").isEqualTo(EndpointFilters.FILTER_REGEX_STEPS);
        assertThat(filters.passes(endpoint("app_own", "ep_and", "{\"$and\":[" + hostile + ",{\"payload.kind\":\"y\"}]}"),
                message(payload))).isFalse();
        assertThat(filters.passes(endpoint("app_own", "ep_not", "{\"$not\":" + hostile + "}"), message(payload)))
                .as("$not of a search cut short").isFalse();

        // the application's allowance spent (five filters that run out of their own budgets): a filter left undecided
        // lets the message through, one its other parts decide says what they say
        for (int i = 0; i < 5; i++) filters.passes(endpoint("app_load", "ep_drain_" + i, hostile), message(payload));
        // "b" is in none of the strings: searched in full, each of these would say no
        String search = "{\"payload.a\":{\"$regex\":\"b\"}}";
        assertThat(filters.passes(endpoint("app_load", "ep_undecided", search), message(payload)))
                .as("undecided: sent unfiltered").isTrue();
        assertThat(filters.passes(endpoint("app_load", "ep_decided_no", "{\"$and\":[" + search + ",{\"payload.kind\":\"y\"}]}"),
                message(payload))).as("decided by its other part").isFalse();
        assertThat(filters.passes(endpoint("app_load", "ep_plain", "{\"payload.kind\":\"x\"}"), message(payload))).isTrue();
        assertThat(filters.passes(endpoint("app_other", "ep_elsewhere", search), message(payload)))
                .as("another application's filter searches in full").isFalse();
    }

    /** A filter that runs out of its own budget on every message keeps skipping once it has drained the allowance. */
    @Test
    void a_filter_that_always_runs_out_keeps_doubling_its_skips_after_the_application_s_allowance_is_spent() {
        var endpoint = endpoint("ep_slow", "{\"payload.a\":{\"$regex\":\"(.*a){12}b\"}}");
        var evaluated = new java.util.ArrayList<Integer>();
        for (int i = 1; i <= 80; i++) {
            var view = message(hostilePayload());
            assertThat(filters.passes(endpoint, view)).as("message " + i).isFalse();
            if (view.regexStepsSpent() > 0) evaluated.add(i);
        }
        // five runs of its own budget spend the application's ten million; the sixth, cut short by the allowance, is
        // still the filter's doing: it was neither let through nor left to run on every message after
        assertThat(evaluated).containsExactly(1, 3, 6, 11, 20, 37, 70);
    }

    @Test
    void a_stored_filter_that_cannot_be_used_lets_nothing_through() {
        assertThat(filters.passes(endpoint("{\"payload.a\":{\"$nope\":1}}"), message("{\"a\":1}"))).isFalse();
    }
}
