package dev.herald.routing;

import static dev.herald.routing.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadSchemaValidatorTest {

    private static final String INVOICE_SCHEMA = """
            {'type': 'object', 'required': ['id', 'amount'],
             'properties': {'id': {'type': 'string'}, 'amount': {'type': 'integer', 'minimum': 0},
                            'tags': {'type': 'array', 'items': {'type': 'string'}}}}
            """;

    private static PayloadSchemaValidator compile(String schemas) {
        return PayloadSchemaValidator.compile(json(schemas));
    }

    @Nested
    class Validation {

        private final PayloadSchemaValidator validator = compile("{'1': " + INVOICE_SCHEMA + "}");

        @Test
        void a_conforming_payload_has_no_violations() {
            assertThat(validator.violations(json("{'id': 'inv_1', 'amount': 5, 'tags': ['a']}"))).isEmpty();
        }

        @Test
        void each_violation_names_its_json_path() {
            assertThat(validator.violations(json("{'id': 'inv_1', 'amount': 'five', 'tags': ['a', 2]}")))
                    .containsExactlyInAnyOrder(
                            "$.amount: string found, integer expected",
                            "$.tags[1]: integer found, string expected");
        }

        @Test
        void missing_required_properties_are_reported_at_the_object() {
            assertThat(validator.violations(json("{'amount': -1}")))
                    .containsExactlyInAnyOrder(
                            "$: required property 'id' not found",
                            "$.amount: must have a minimum value of 0");
        }

        @Test
        void a_null_or_non_object_payload_is_validated_as_json() {
            assertThat(validator.violations(null)).containsExactly("$: null found, object expected");
            assertThat(validator.violations(json("[1]"))).containsExactly("$: array found, object expected");
        }

        @Test
        void patterns_are_searched_like_ecma_262() {
            PayloadSchemaValidator codes = compile("{'1': {'properties': {'code': {'type': 'string', 'pattern': '^[A-Z]{3}$'}}}}");
            assertThat(codes.violations(json("{'code': 'EUR'}"))).isEmpty();
            assertThat(codes.violations(json("{'code': 'EURO'}"))).containsExactly("$.code: does not match the regex pattern ^[A-Z]{3}$");
            assertThat(codes.violations(json("{'code': 'EUR\\n'}"))).hasSize(1);
        }

        @Test
        void a_catastrophic_pattern_gives_up_as_a_violation_instead_of_hanging() {
            PayloadSchemaValidator validator = compile("{'1': {'properties': {'text': {'pattern': '(.*a){12}b'}}}}");
            JsonNode payload = json("{'text': '" + "a".repeat(40) + "'}");
            assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThat(validator.violations(payload)).containsExactly("$.text: does not match the regex pattern (.*a){12}b"));
        }

        @Test
        void violations_are_capped_with_a_count_of_the_rest() {
            PayloadSchemaValidator strings = compile("{'1': {'type': 'array', 'items': {'type': 'string'}}}");
            List<String> violations = strings.violations(json("[" + "1,".repeat(149) + "1]"));
            assertThat(violations).hasSize(PayloadSchemaValidator.MAX_VIOLATIONS + 1);
            assertThat(violations.getLast()).isEqualTo("… and 50 more");
        }
    }

    @Nested
    class Versions {

        @Test
        void payloads_are_validated_against_the_highest_numbered_version() {
            PayloadSchemaValidator validator = compile("""
                    {'2': {'type': 'object', 'required': ['two']},
                     '10': {'type': 'object', 'required': ['ten']},
                     '9': {'type': 'object', 'required': ['nine']}}
                    """);
            assertThat(validator.version()).contains("10");
            assertThat(validator.violations(json("{'ten': 1}"))).isEmpty();
            assertThat(validator.violations(json("{'two': 1, 'nine': 1}"))).containsExactly("$: required property 'ten' not found");
        }

        @Test
        void no_versions_means_nothing_is_rejected() {
            PayloadSchemaValidator validator = compile("{}");
            assertThat(validator.version()).isEmpty();
            assertThat(validator.violations(json("'anything'"))).isEmpty();
        }

        @Test
        void boolean_schemas_are_schemas() {
            assertThat(compile("{'1': true}").violations(json("{}"))).isEmpty();
            assertThat(compile("{'1': false}").violations(json("{}"))).hasSize(1);
        }

        @Test
        void older_versions_are_checked_when_compiling_too() {
            assertThatThrownBy(() -> compile("{'1': {'type': 'strin'}, '2': {'type': 'string'}}"))
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessageStartingWith("schema version 1 is not a valid JSON Schema: $.type:");
        }
    }

    @Nested
    class Dialects {

        @Test
        void draft_2020_12_is_the_default() {
            // prefixItems only exists in 2020-12
            PayloadSchemaValidator validator = compile("{'1': {'prefixItems': [{'type': 'integer'}, {'type': 'string'}]}}");
            assertThat(validator.violations(json("[1, 'a']"))).isEmpty();
            assertThat(validator.violations(json("['a', 'b']"))).containsExactly("$[0]: string found, integer expected");
        }

        @Test
        void draft_2020_12_can_be_named_explicitly() {
            PayloadSchemaValidator validator = compile("""
                    {'1': {'$schema': 'https://json-schema.org/draft/2020-12/schema', '$defs': {'id': {'type': 'string'}},
                           'properties': {'id': {'$ref': '#/$defs/id'}}}}
                    """);
            assertThat(validator.violations(json("{'id': 7}"))).containsExactly("$.id: integer found, string expected");
        }

        @ParameterizedTest
        @CsvSource({"http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema"})
        void draft_07_applies_when_its_schema_says_so(String dialect) {
            // in draft-07, an array of schemas under items validates positions (it was replaced by prefixItems)
            PayloadSchemaValidator validator = compile("""
                    {'1': {'$schema': '%s', 'definitions': {'n': {'type': 'integer'}},
                           'items': [{'$ref': '#/definitions/n'}, {'type': 'string'}], 'additionalItems': false}}
                    """.formatted(dialect));
            assertThat(validator.violations(json("[1, 'a']"))).isEmpty();
            assertThat(validator.violations(json("['a', 'b']"))).containsExactly("$[0]: string found, integer expected");
            assertThat(validator.violations(json("[1, 'a', 'extra']"))).hasSize(1);
        }

        @Test
        void schemas_sharing_an_id_do_not_see_each_other() {
            PayloadSchemaValidator strings = compile("{'1': {'$id': 'https://example.com/s', 'type': 'string'}}");
            PayloadSchemaValidator numbers = compile("{'1': {'$id': 'https://example.com/s', 'type': 'number'}}");
            assertThat(strings.violations(json("'a'"))).isEmpty();
            assertThat(numbers.violations(json("1"))).isEmpty();
            assertThat(numbers.violations(json("'a'"))).hasSize(1);
        }
    }

    @Nested
    class Rejections {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
                []                                                   | schemas must be a JSON object
                "schema"                                             | schemas must be a JSON object
                null                                                 | schemas must be a JSON object
                {'v1': {'type': 'object'}}                           | schema version 'v1' must be a positive integer
                {'0': {'type': 'object'}}                            | schema version '0' must be a positive integer
                {'01': {'type': 'object'}}                           | schema version '01' must be a positive integer
                {'1': 'object'}                                      | schema version 1 must be a JSON Schema object
                {'1': {'type': 5}}                                   | schema version 1 is not a valid JSON Schema: $.type
                {'1': {'properties': {'a': {'minimum': 'x'}}}}       | schema version 1 is not a valid JSON Schema: $.properties.a.minimum: string found, number expected
                {'1': {'$schema': 'https://example.com/my-dialect'}} | schema version 1 has an unsupported $schema
                {'1': {'$schema': 5}}                                | schema version 1 has an unsupported $schema
                {'1': {'$ref': '#/$defs/missing'}}                   | schema version 1 does not compile: Reference /$defs/missing cannot be resolved
                {'1': {'pattern': '(unclosed'}}                      | schema version 1 does not compile: invalid pattern: Unclosed group
                {'1': {'$ref': 'classpath:draft-07/schema'}}         | schema version 1 does not compile: Schema from 'classpath:draft-07/schema' is not allowed to be loaded
                {'1': {'$ref': 'file:///etc/passwd'}}                | Only local references
                {'1': {'$id': 'https://example.com/a', 'properties': {'b': {'$ref': 'b.json'}}}} | Schema from 'https://example.com/b.json' is not allowed to be loaded
                """)
        void rejects_with_a_message_saying_what_is_wrong(String schemas, String message) {
            assertThatThrownBy(() -> compile(schemas))
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessageContaining(message);
        }

        @Test
        void rejects_a_reference_cycle_that_never_reaches_a_value() {
            for (String looping : List.of("{'1': {'$ref': '#'}}",
                    "{'1': {'$ref': '#/$defs/a', '$defs': {'a': {'$ref': '#/$defs/b'}, 'b': {'$ref': '#/$defs/a'}}}}")) {
                assertThatThrownBy(() -> compile(looping))
                        .isInstanceOf(InvalidSchemaException.class)
                        .hasMessage("schema version 1 does not compile: its $ref chain loops without reaching a value");
            }
        }

        @Test
        void a_cycle_only_reached_through_a_property_is_reported_when_validating() {
            PayloadSchemaValidator validator = compile("{'1': {'properties': {'x': {'$ref': '#/properties/x'}}}}");
            assertThat(validator.violations(json("{'y': 1}"))).isEmpty();
            assertThatThrownBy(() -> validator.violations(json("{'x': 1}")))
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessage("schema version 1 cannot be applied: its $ref chain loops without reaching a value");
        }

        @Test
        void recursive_schemas_that_descend_into_the_payload_are_fine() {
            PayloadSchemaValidator tree = compile("""
                    {'1': {'type': 'object', 'properties': {'name': {'type': 'string'},
                           'children': {'type': 'array', 'items': {'$ref': '#'}}}}}
                    """);
            assertThat(tree.violations(json("{'name': 'a', 'children': [{'name': 'b', 'children': [{'name': 3}]}]}")))
                    .containsExactly("$.children[0].children[0].name: integer found, string expected");
        }

        @Test
        void rejects_a_null_argument() {
            assertThatThrownBy(() -> PayloadSchemaValidator.compile(null)).isInstanceOf(InvalidSchemaException.class);
        }

        @Test
        void never_fetches_a_remote_reference() throws Exception {
            AtomicInteger requests = new AtomicInteger();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                byte[] schema = "{\"type\": \"string\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, schema.length);
                exchange.getResponseBody().write(schema);
                exchange.close();
            });
            server.start();
            try {
                String base = "http://127.0.0.1:" + server.getAddress().getPort();
                JsonNode remoteRef = json("{'1': {'properties': {'a': {'$ref': '" + base + "/a.json'}}}}");
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(remoteRef))
                        .isInstanceOf(InvalidSchemaException.class)
                        .hasMessageContaining("is not allowed to be loaded")
                        .hasMessageContaining("Only local references");
                JsonNode remoteDialect = json("{'1': {'$schema': '" + base + "/dialect'}}");
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(remoteDialect))
                        .isInstanceOf(InvalidSchemaException.class)
                        .hasMessageContaining("unsupported $schema");
                JsonNode relativeToRemoteId = json("{'1': {'$id': '" + base + "/root.json', 'items': {'$ref': 'item.json'}}}");
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(relativeToRemoteId))
                        .isInstanceOf(InvalidSchemaException.class);
                JsonNode remoteDynamicRef = json("{'1': {'$dynamicRef': '" + base + "/meta.json#meta'}}");
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(remoteDynamicRef))
                        .isInstanceOf(InvalidSchemaException.class)
                        .hasMessageContaining("is not allowed to be loaded");
                assertThat(requests).hasValue(0);
            } finally {
                server.stop(0);
            }
        }
    }

    @Nested
    class CostBounds {
        private String chain() {
            var defs = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                defs.append(i == 0 ? "" : ",").append("'d").append(i).append("': {'allOf': [{'$ref': '#/$defs/d").append(i + 1)
                        .append("'}, {'$ref': '#/$defs/d").append(i + 1).append("'}]}");
            }
            return defs.append(", 'd40': {'type': 'string'}").toString();
        }

        /** The library checks every allOf branch and remembers nothing: forty $defs each naming the next twice, 2^40 checks. */
        @Test
        void a_schema_whose_references_expand_beyond_bounds_is_refused_at_compile() {
            JsonNode atRoot = json("{'1': {'$ref': '#/$defs/d0', '$defs': {" + chain() + "}}}");
            JsonNode underProperty = json("{'1': {'type': 'object', 'properties': {'p': {'$ref': '#/$defs/d0'}}, '$defs': {" + chain() + "}}}");
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(atRoot)).isInstanceOf(InvalidSchemaException.class)
                        .hasMessageContaining("too large to validate");
                assertThatThrownBy(() -> PayloadSchemaValidator.compile(underProperty)).isInstanceOf(InvalidSchemaException.class)
                        .hasMessageContaining("too large to validate");
            });
            // the same chain through $anchor names, which the library resolves too
            var anchored = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                anchored.append(i == 0 ? "" : ",").append("'d").append(i).append("': {'$anchor': 'a").append(i).append("', 'allOf': [{'$ref': '#a")
                        .append(i + 1).append("'}, {'$ref': '#a").append(i + 1).append("'}]}");
            }
            anchored.append(", 'd40': {'$anchor': 'a40', 'type': 'string'}");
            JsonNode byAnchor = json("{'1': {'type': 'object', 'properties': {'p': {'$ref': '#a0'}}, '$defs': {" + anchored + "}}}");
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> PayloadSchemaValidator.compile(byAnchor))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("too large to validate"));
            // recursion the payload bounds (a tree) is no expansion
            JsonNode tree = json("{'1': {'type': 'object', 'properties': {'children': {'type': 'array', 'items': {'$ref': '#'}}}}}");
            assertThat(PayloadSchemaValidator.compile(tree).violations(json("{'children': [{'children': []}]}"))).isEmpty();
        }

        /** A pattern's search has its own budget; 1,000 strings of one payload spent it 1,000 times (about a minute of CPU). */
        @Test
        void the_pattern_searches_of_one_payload_share_one_budget() {
            var validator = PayloadSchemaValidator.compile(json(
                    "{'1': {'type': 'object', 'properties': {'a': {'type': 'array', 'items': {'type': 'string', 'pattern': '(.*a){12}b'}}}}}"));
            String bad = "a".repeat(40); // each search backtracks past its own budget
            JsonNode payload = json("{'a': [" + String.join(",", java.util.Collections.nCopies(1_000, "'" + bad + "'")) + "]}");
            // with a budget per search only, about a minute here (26 s for 400 strings); with the shared one, about a second
            List<String> found = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> validator.violations(payload));
            assertThat(found).isNotEmpty();
        }
    }
}
