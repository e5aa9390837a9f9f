package dev.herald.routing;

import static dev.herald.routing.TestJson.decimalJson;
import static dev.herald.routing.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadFilterTest {

    /** The message view for an invoice.paid message on channels eu and vip. */
    private static final JsonNode INVOICE = view("""
            {'eventType': 'invoice.paid', 'channels': ['eu', 'vip'], 'payload': {
              'amount': 250, 'currency': 'EUR', 'paid': true, 'note': null, 'ratio': 0.5,
              'customer': {'id': 'cus_1', 'plan': 'pro', 'email': 'ann@example.com', 'tags': ['beta', 'early']},
              'items': [{'id': 'it_1', 'sku': 'A', 'qty': 1}, {'id': 'it_2', 'sku': 'B', 'qty': 3}]}}
            """);

    private static JsonNode view(String json) {
        return json(json);
    }

    private static boolean matches(String filter, JsonNode view) {
        return PayloadFilter.parse(json(filter)).matches(view);
    }

    private static boolean matches(String filter) {
        return matches(filter, INVOICE);
    }

    @Nested
    class Equality {

        @Test
        void plain_value_on_a_nested_path_means_equality() {
            assertThat(matches("{'payload.customer.plan': 'pro'}")).isTrue();
            assertThat(matches("{'payload.customer.plan': 'free'}")).isFalse();
        }

        @Test
        void event_type_is_matched_like_any_field() {
            assertThat(matches("{'eventType': 'invoice.paid'}")).isTrue();
            assertThat(matches("{'eventType': 'invoice.created'}")).isFalse();
        }

        @Test
        void several_keys_must_all_match() {
            assertThat(matches("{'eventType': 'invoice.paid', 'payload.currency': 'EUR'}")).isTrue();
            assertThat(matches("{'eventType': 'invoice.paid', 'payload.currency': 'USD'}")).isFalse();
        }

        @Test
        void numbers_compare_by_value_whatever_their_type() {
            assertThat(matches("{'payload.amount': 250.0}")).isTrue();
            assertThat(matches("{'payload.ratio': 0.50}")).isTrue();
            JsonNode decimals = decimalJson("{'eventType': 'e', 'payload': {'amount': 1.10, 'big': 12345678901234567890}}");
            assertThat(matches("{'payload.amount': 1.1}", decimals)).isTrue();
            assertThat(matches("{'payload.big': 12345678901234567890}", decimals)).isTrue();
            assertThat(matches("{'payload.big': 12345678901234567891}", decimals)).isFalse();
        }

        @Test
        void longs_beyond_double_precision_are_not_rounded_together() {
            JsonNode view = json("{'payload': {'id': 9007199254740993}}");
            assertThat(matches("{'payload.id': 9007199254740993}", view)).isTrue();
            assertThat(matches("{'payload.id': 9007199254740992}", view)).isFalse();
            assertThat(matches("{'payload.id': 9007199254740992.0}", view)).isFalse();
        }

        @Test
        void a_string_never_equals_a_number() {
            assertThat(matches("{'payload.amount': '250'}")).isFalse();
        }

        @Test
        void booleans_and_null_are_values() {
            assertThat(matches("{'payload.paid': true}")).isTrue();
            assertThat(matches("{'payload.paid': false}")).isFalse();
            assertThat(matches("{'payload.note': null}")).isTrue();
        }

        @Test
        void null_does_not_match_a_missing_field() {
            assertThat(matches("{'payload.nothing': null}")).isFalse();
        }

        @Test
        void an_object_without_operators_is_a_literal_compared_whole() {
            JsonNode view = json("{'payload': {'user': {'id': 1, 'plan': 'pro'}}}");
            assertThat(matches("{'payload.user': {'plan': 'pro', 'id': 1.0}}", view)).isTrue();
            assertThat(matches("{'payload.user': {'plan': 'pro'}}", view)).isFalse();
            assertThat(matches("{'payload.user': {'plan': 'pro', 'id': 1, 'extra': 2}}", view)).isFalse();
        }

        @Test
        void explicit_eq_behaves_like_a_plain_value() {
            assertThat(matches("{'payload.currency': {'$eq': 'EUR'}}")).isTrue();
            assertThat(matches("{'payload.currency': {'$eq': 'USD'}}")).isFalse();
        }

        @Test
        void an_empty_filter_matches_everything() {
            assertThat(matches("{}")).isTrue();
            assertThat(matches("{}", json("{}"))).isTrue();
        }

        @Test
        void a_null_view_never_matches() {
            assertThat(PayloadFilter.parse(json("{}")).matches(null)).isFalse();
        }
    }

    @Nested
    class Operators {

        @Test
        void neq_matches_a_present_different_value() {
            assertThat(matches("{'payload.currency': {'$neq': 'USD'}}")).isTrue();
            assertThat(matches("{'payload.currency': {'$neq': 'EUR'}}")).isFalse();
            assertThat(matches("{'payload.amount': {'$neq': 250.0}}")).isFalse();
        }

        @Test
        void in_and_nin_test_membership() {
            assertThat(matches("{'eventType': {'$in': ['invoice.paid', 'invoice.created']}}")).isTrue();
            assertThat(matches("{'eventType': {'$in': ['invoice.created']}}")).isFalse();
            assertThat(matches("{'payload.amount': {'$in': ['250', 250.0]}}")).isTrue();
            assertThat(matches("{'eventType': {'$nin': ['invoice.created']}}")).isTrue();
            assertThat(matches("{'eventType': {'$nin': ['invoice.created', 'invoice.paid']}}")).isFalse();
            assertThat(matches("{'eventType': {'$in': []}}")).isFalse();
        }

        @ParameterizedTest(name = "amount 250 {0} {1} -> {2}")
        @CsvSource({
            "$gt, 249, true", "$gt, 250, false", "$gte, 250, true", "$gte, 250.5, false",
            "$lt, 251, true", "$lt, 250, false", "$lte, 250.0, true", "$lte, 249.99, false"})
        void comparisons_order_numbers_numerically(String operator, String bound, boolean expected) {
            assertThat(matches("{'payload.amount': {'" + operator + "': " + bound + "}}")).isEqualTo(expected);
        }

        @Test
        void comparisons_order_strings_lexicographically() {
            assertThat(matches("{'payload.customer.id': {'$gt': 'cus_0'}}")).isTrue();
            assertThat(matches("{'payload.customer.id': {'$lt': 'cus_0'}}")).isFalse();
            JsonNode dated = json("{'payload': {'at': '2024-05-01T10:00:00Z'}}");
            assertThat(matches("{'payload.at': {'$gte': '2024-01-01', '$lt': '2025-01-01'}}", dated)).isTrue();
        }

        @Test
        void comparisons_between_a_string_and_a_number_never_match() {
            assertThat(matches("{'payload.amount': {'$gt': 'a'}}")).isFalse();
            assertThat(matches("{'payload.amount': {'$lt': 'a'}}")).isFalse();
            assertThat(matches("{'payload.currency': {'$gt': 1}}")).isFalse();
            assertThat(matches("{'payload.paid': {'$gt': 0}}")).isFalse();
        }

        @Test
        void several_operators_on_one_field_must_all_hold() {
            assertThat(matches("{'payload.amount': {'$gte': 100, '$lt': 1000}}")).isTrue();
            assertThat(matches("{'payload.amount': {'$gte': 100, '$lt': 200}}")).isFalse();
        }

        @Test
        void exists_tests_presence_and_null_counts_as_present() {
            assertThat(matches("{'payload.amount': {'$exists': true}}")).isTrue();
            assertThat(matches("{'payload.note': {'$exists': true}}")).isTrue();
            assertThat(matches("{'payload.missing': {'$exists': true}}")).isFalse();
            assertThat(matches("{'payload.missing': {'$exists': false}}")).isTrue();
            assertThat(matches("{'payload.amount': {'$exists': false}}")).isFalse();
        }

        @Test
        void regex_finds_the_pattern_anywhere_in_a_string() {
            assertThat(matches("{'payload.customer.email': {'$regex': '@example\\\\.com$'}}")).isTrue();
            assertThat(matches("{'payload.customer.email': {'$regex': 'example'}}")).isTrue();
            assertThat(matches("{'payload.customer.email': {'$regex': '^example'}}")).isFalse();
            assertThat(matches("{'payload.customer.email': {'$regex': '(?i)ANN@'}}")).isTrue();
        }

        /**
         * A pattern whose matching recurses once per repetition ((a|bc)* over a long run of a's) overflows the stack well
         * within the step budget: no match, as past the budget. The error reached the publish batch and failed it whole.
         */
        @Test
        void regex_too_deep_for_the_stack_is_no_match_not_an_error() {
            JsonNode view = json("{'payload': {'s': '" + "a".repeat(9_000) + "'}}");
            assertThat(matches("{'payload.s': {'$regex': '^(a|bc)*$'}}", view)).isFalse();
            assertThat(matches("{'payload.s': {'$regex': '^a+$'}}", view)).isTrue();
        }

        @Test
        void regex_never_matches_a_non_string() {
            assertThat(matches("{'payload.amount': {'$regex': '250'}}")).isFalse();
            assertThat(matches("{'payload.customer': {'$regex': 'pro'}}")).isFalse();
        }

        @Test
        void not_on_a_field_negates_its_operators() {
            assertThat(matches("{'payload.amount': {'$not': {'$gt': 1000}}}")).isTrue();
            assertThat(matches("{'payload.amount': {'$not': {'$gt': 100, '$lt': 1000}}}")).isFalse();
            assertThat(matches("{'payload.amount': {'$not': {'$gt': 100, '$lt': 200}}}")).isTrue();
            assertThat(matches("{'payload.customer.email': {'$not': {'$regex': '@corp\\\\.com$'}}}")).isTrue();
        }
    }

    @Nested
    class Arrays {

        @Test
        void equality_matches_any_element() {
            assertThat(matches("{'channels': 'eu'}")).isTrue();
            assertThat(matches("{'channels': 'vip'}")).isTrue();
            assertThat(matches("{'channels': 'us'}")).isFalse();
        }

        @Test
        void equality_with_an_array_matches_the_whole_array() {
            assertThat(matches("{'channels': ['eu', 'vip']}")).isTrue();
            assertThat(matches("{'channels': ['vip', 'eu']}")).isFalse();
            assertThat(matches("{'channels': ['eu']}")).isFalse();
        }

        @Test
        void in_matches_when_any_element_is_listed() {
            assertThat(matches("{'channels': {'$in': ['us', 'vip']}}")).isTrue();
            assertThat(matches("{'channels': {'$in': ['us', 'apac']}}")).isFalse();
        }

        @Test
        void negations_need_no_element_to_match() {
            assertThat(matches("{'channels': {'$neq': 'eu'}}")).isFalse();
            assertThat(matches("{'channels': {'$neq': 'us'}}")).isTrue();
            assertThat(matches("{'channels': {'$nin': ['us', 'eu']}}")).isFalse();
            assertThat(matches("{'channels': {'$nin': ['us', 'apac']}}")).isTrue();
        }

        @Test
        void comparisons_and_regex_match_any_element() {
            assertThat(matches("{'payload.customer.tags': {'$regex': '^ea'}}")).isTrue();
            assertThat(matches("{'payload.items.qty': {'$gt': 2}}")).isTrue();
            assertThat(matches("{'payload.items.qty': {'$gt': 3}}")).isFalse();
        }

        @Test
        void a_numeric_segment_indexes_into_an_array() {
            assertThat(matches("{'payload.items.0.id': 'it_1'}")).isTrue();
            assertThat(matches("{'payload.items.1.sku': 'B'}")).isTrue();
            assertThat(matches("{'payload.items.1.sku': 'A'}")).isFalse();
            assertThat(matches("{'payload.items.2.sku': {'$exists': false}}")).isTrue();
            assertThat(matches("{'channels.0': 'eu'}")).isTrue();
        }

        @Test
        void a_named_segment_looks_into_every_element() {
            assertThat(matches("{'payload.items.sku': 'B'}")).isTrue();
            assertThat(matches("{'payload.items.sku': 'C'}")).isFalse();
            assertThat(matches("{'payload.items.sku': {'$nin': ['C', 'D']}}")).isTrue();
            assertThat(matches("{'payload.items.weight': {'$exists': false}}")).isTrue();
        }

        @Test
        void a_digit_key_of_an_object_is_a_field_name() {
            JsonNode view = json("{'payload': {'codes': {'0': 'zero'}}}");
            assertThat(matches("{'payload.codes.0': 'zero'}", view)).isTrue();
        }

        @Test
        void empty_channels_match_nothing_but_absence_checks() {
            JsonNode view = MessageView.of("user.created", List.of(), json("{}"));
            assertThat(matches("{'channels': 'eu'}", view)).isFalse();
            assertThat(matches("{'channels': {'$in': ['eu']}}", view)).isFalse();
            assertThat(matches("{'channels.0': {'$exists': false}}", view)).isTrue();
        }
    }

    @Nested
    class MissingValues {

        @ParameterizedTest(name = "{0} does not match a message without payload.x")
        @CsvSource(delimiter = '|', textBlock = """
                {'payload.x': 1}
                {'payload.x': {'$eq': 1}}
                {'payload.x': {'$neq': 1}}
                {'payload.x': {'$in': [1, 2]}}
                {'payload.x': {'$nin': [1, 2]}}
                {'payload.x': {'$gt': 0}}
                {'payload.x': {'$lte': 0}}
                {'payload.x': {'$regex': '.*'}}
                {'payload.x': {'$not': {'$eq': 1}}}
                {'payload.x': {'$exists': true}}
                """)
        void a_missing_field_fails_every_condition_but_exists_false(String filter) {
            assertThat(matches(filter)).isFalse();
        }

        @Test
        void exists_false_is_the_way_to_match_absence() {
            assertThat(matches("{'payload.x': {'$exists': false}}")).isTrue();
        }

        @Test
        void a_path_through_a_scalar_is_missing() {
            assertThat(matches("{'payload.currency.code': {'$neq': 'x'}}")).isFalse();
            assertThat(matches("{'payload.currency.code': {'$exists': false}}")).isTrue();
        }

        @Test
        void a_message_without_payload_has_no_payload_fields() {
            JsonNode view = MessageView.of("ping", null, null);
            assertThat(matches("{'payload.a': {'$neq': 1}}", view)).isFalse();
            assertThat(matches("{'payload': {'$exists': false}}", view)).isTrue();
            assertThat(matches("{'eventType': 'ping'}", view)).isTrue();
        }

        @Test
        void a_top_level_not_is_plain_negation_and_so_matches_absence() {
            assertThat(matches("{'$not': {'payload.x': 1}}")).isTrue();
            assertThat(matches("{'$not': {'payload.amount': 250}}")).isFalse();
        }
    }

    @Nested
    class Logic {

        @Test
        void and_needs_every_filter() {
            assertThat(matches("{'$and': [{'eventType': 'invoice.paid'}, {'payload.amount': {'$gt': 100}}]}")).isTrue();
            assertThat(matches("{'$and': [{'eventType': 'invoice.paid'}, {'payload.amount': {'$gt': 1000}}]}")).isFalse();
        }

        @Test
        void or_needs_one_filter() {
            assertThat(matches("{'$or': [{'eventType': 'invoice.created'}, {'channels': 'vip'}]}")).isTrue();
            assertThat(matches("{'$or': [{'eventType': 'invoice.created'}, {'channels': 'us'}]}")).isFalse();
        }

        @Test
        void not_negates_a_filter() {
            assertThat(matches("{'$not': {'eventType': 'invoice.created'}}")).isTrue();
            assertThat(matches("{'$not': {'eventType': 'invoice.paid', 'channels': 'eu'}}")).isFalse();
            assertThat(matches("{'$not': {'eventType': 'invoice.paid', 'channels': 'us'}}")).isTrue();
        }

        @Test
        void logical_operators_nest_and_combine_with_fields() {
            String filter = """
                    {'eventType': {'$in': ['invoice.paid', 'invoice.refunded']},
                     '$or': [{'payload.amount': {'$gte': 1000}},
                             {'$and': [{'payload.customer.plan': 'pro'}, {'$not': {'channels': 'test'}}]}]}
                    """;
            assertThat(matches(filter)).isTrue();
            JsonNode testChannel = view("{'eventType': 'invoice.paid', 'channels': ['test'],"
                    + " 'payload': {'amount': 5, 'customer': {'plan': 'pro'}}}");
            assertThat(matches(filter, testChannel)).isFalse();
        }
    }

    @Nested
    class Validation {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
                {'payload.a': {'$foo': 1}}                              | unknown operator $foo at payload.a
                {'$foo': 1}                                             | unknown operator $foo at the top level
                {'$or': [{'payload.a': 1}, {'payload.b': {'$bar': 1}}]} | unknown operator $bar at $or[1].payload.b
                {'$not': {'$and': [{'payload.a': {'$baz': 1}}]}}        | unknown operator $baz at $not.$and[0].payload.a
                {'payload.a': {'$not': {'$qux': 1}}}                    | unknown operator $qux at payload.a
                {'payload.a': {'$ne': 1}}                               | unknown operator $ne at payload.a
                {'payload.a': {'$in': 1}}                               | $in at payload.a must be an array
                {'payload.a': {'$nin': {'a': 1}}}                       | $nin at payload.a must be an array
                {'$and': {'payload.a': 1}}                              | $and at the top level must be a non-empty array of filters
                {'$and': []}                                            | $and at the top level must be a non-empty array of filters
                {'$or': []}                                             | $or at the top level must be a non-empty array of filters
                {'$or': [{'payload.a': {'$or': []}}]}                   | operator $or at $or[0].payload.a combines filters
                {'$or': [1]}                                            | $or[0] must be a filter object
                {'$not': [{'payload.a': 1}]}                            | $not must be a filter object
                {'payload.a': {'$exists': 'yes'}}                       | $exists at payload.a must be true or false
                {'payload.a': {'$exists': 1}}                           | $exists at payload.a must be true or false
                {'payload.a': {'$regex': 5}}                            | $regex at payload.a must be a string
                {'payload.a': {'$regex': '(unclosed'}}                  | invalid $regex at payload.a: Unclosed group
                {'payload.a': {'$gt': true}}                            | $gt at payload.a must be a number or a string
                {'payload.a': {'$lte': [1]}}                            | $lte at payload.a must be a number or a string
                {'payload.a': {'$not': 5}}                              | $not at payload.a must be an operator object
                {'payload.a': {'$not': {'b': 1}}}                       | $not at payload.a must be an operator object
                {'payload.a': {'$gt': 1, 'b': 2}}                       | condition at payload.a mixes operators and plain fields
                {'$eq': 1}                                              | operator $eq at the top level must be applied to a field
                {'evenType': 'x'}                                       | unknown field evenType: paths start with eventType, channels or payload
                {'payload..a': 1}                                       | invalid path payload..a
                {'payload.a.': 1}                                       | invalid path payload.a.
                """)
        void rejects_with_a_message_naming_the_operator_or_path(String filter, String message) {
            assertThatThrownBy(() -> PayloadFilter.parse(json(filter)))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessageContaining(message);
        }

        @Test
        void rejects_a_filter_that_is_not_an_object() {
            for (String notAnObject : List.of("[]", "'eventType'", "1", "null")) {
                assertThatThrownBy(() -> PayloadFilter.parse(json(notAnObject)))
                        .isInstanceOf(InvalidFilterException.class)
                        .hasMessage("filter must be a JSON object");
            }
            assertThatThrownBy(() -> PayloadFilter.parse(null)).isInstanceOf(InvalidFilterException.class);
        }

        @Test
        void rejects_a_regex_longer_than_256_characters() {
            String ok = "a".repeat(256);
            assertThat(PayloadFilter.parse(json("{'payload.a': {'$regex': '" + ok + "'}}"))).isNotNull();
            assertThatThrownBy(() -> PayloadFilter.parse(json("{'payload.a': {'$regex': '" + ok + "a'}}")))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessageContaining("invalid $regex at payload.a: pattern longer than 256 characters");
        }

        @Test
        void accepts_ten_levels_of_nesting_and_rejects_eleven() {
            assertThat(PayloadFilter.parse(nestedNots(9, "{'payload.a': 1}")).matches(json("{'payload': {'a': 1}}")))
                    .isFalse(); // nine nots around an equality that holds
            assertThatThrownBy(() -> PayloadFilter.parse(nestedNots(10, "{'payload.a': 1}")))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessageContaining("nested deeper than 10 levels");
            // an operator object is a level too
            assertThatThrownBy(() -> PayloadFilter.parse(nestedNots(9, "{'payload.a': {'$eq': 1}}")))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessageContaining("nested deeper than 10 levels at $not.$not.$not.$not.$not.$not.$not.$not.$not.payload.a");
        }

        @Test
        void accepts_a_hundred_conditions_and_rejects_more() {
            assertThat(PayloadFilter.parse(conditions(100)).matches(json("{'payload': {'f0': 0}}"))).isFalse();
            assertThatThrownBy(() -> PayloadFilter.parse(conditions(101)))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessage("filter has more than 100 conditions");
            assertThatThrownBy(() -> PayloadFilter.parse(json("{'payload.a': {'$in': [1], '$nin': [2]},"
                    + " '$or': [" + "{'payload.b': 1},".repeat(98) + "{'payload.c': 1}]}")))
                    .isInstanceOf(InvalidFilterException.class)
                    .hasMessage("filter has more than 100 conditions");
        }

        private static JsonNode nestedNots(int depth, String inner) {
            return json("{'$not': ".repeat(depth) + inner + "}".repeat(depth));
        }

        private static JsonNode conditions(int count) {
            ObjectNode filter = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < count; i++) {
                filter.put("payload.f" + i, i);
            }
            return filter;
        }
    }

    @Nested
    class RegexGuards {

        @Test
        void strings_longer_than_ten_thousand_characters_never_match() {
            PayloadFilter filter = PayloadFilter.parse(json("{'payload.text': {'$regex': 'a'}}"));
            assertThat(filter.matches(json("{'payload': {'text': '" + "a".repeat(10_000) + "'}}"))).isTrue();
            assertThat(filter.matches(json("{'payload': {'text': '" + "a".repeat(10_001) + "'}}"))).isFalse();
        }

        @Test
        void catastrophic_backtracking_gives_up_as_no_match() {
            // polynomial blow-up (n^12) that runs for hours unbounded
            PayloadFilter filter = PayloadFilter.parse(json("{'payload.text': {'$regex': '(.*a){12}b'}}"));
            JsonNode view = json("{'payload': {'text': '" + "a".repeat(40) + "'}}");
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThat(filter.matches(view)).isFalse());
        }

        @Test
        void the_budget_leaves_ordinary_searches_over_long_strings_alone() {
            PayloadFilter filter = PayloadFilter.parse(json("{'payload.text': {'$regex': '(foo|bar)\\\\d+baz$'}}"));
            String text = "x".repeat(9_980) + "bar12345baz";
            assertThat(filter.matches(json("{'payload': {'text': '" + text + "'}}"))).isTrue();
        }
    }

    @Nested
    class Speed {

        @Test
        void a_moderate_filter_runs_a_hundred_thousand_times() {
            PayloadFilter filter = PayloadFilter.parse(json("""
                    {'eventType': {'$in': ['invoice.paid', 'invoice.refunded']},
                     'payload.amount': {'$gte': 100, '$lt': 10000},
                     'payload.customer.email': {'$regex': '@example\\\\.com$'},
                     '$or': [{'payload.customer.plan': 'enterprise'}, {'channels': 'vip'}],
                     'payload.items.sku': {'$nin': ['X', 'Y']}}
                    """));
            JsonNode miss = json("{'eventType': 'invoice.paid', 'channels': ['eu'], 'payload': {'amount': 250,"
                    + " 'customer': {'plan': 'pro', 'email': 'bob@example.com'}, 'items': []}}");
            int matched = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                if (filter.matches(i % 2 == 0 ? INVOICE : miss)) {
                    matched++;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("PayloadFilter: 100,000 matches of a 7-condition filter in " + millis + " ms");
            assertThat(matched).isEqualTo(50_000);
        }
    }

    @Test
    void to_string_shows_the_filter_as_given() {
        assertThat(PayloadFilter.parse(json("{'payload.a': {'$gt': 1}}"))).hasToString("{\"payload.a\":{\"$gt\":1}}");
    }
}
