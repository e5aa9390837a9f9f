package dev.herald.routing;

import static dev.herald.routing.TestJson.decimalJson;
import static dev.herald.routing.TestJson.json;
import static dev.herald.routing.TestJson.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransformationRendererTest {

    private static final JsonNode PAYLOAD = json("""
            {'amount': 1250, 'currency': 'EUR', 'paid': true, 'note': null,
             'user': {'id': 'u_1', 'name': 'Ann "the admin" <ann@example.com> & co', 'plan': 'pro'},
             'items': [{'id': 'it_1', 'qty': 2}, {'id': 'it_2', 'qty': 1}],
             'path': 'a/b?c=d&e=f', 'multiline': 'one\\ntwo'}
            """);

    private static final JsonNode CONTEXT = context(PAYLOAD);

    private static JsonNode context(JsonNode payload) {
        return TransformationContext.of("msg_1", "invoice.paid", "evt_1", Instant.parse("2024-05-01T10:15:30Z"),
                payload, "app_1", "acme", "Acme Corp", "ep_1");
    }

    private static RenderedRequest render(String transformation) {
        return TransformationRenderer.parse(json(transformation)).render(CONTEXT);
    }

    private static JsonNode body(String transformation) {
        return parse(render(transformation).body());
    }

    @Nested
    class UrlAndHeaders {

        @Test
        void url_is_interpolated_as_plain_text_without_html_escaping() {
            RenderedRequest request = render("{'url': 'https://hooks.example.com/{{app.uid}}/{{payload.path}}'}");
            assertThat(request.url()).isEqualTo("https://hooks.example.com/acme/a/b?c=d&e=f");
        }

        @Test
        void header_values_are_interpolated_as_plain_text_in_the_given_order() {
            RenderedRequest request = render("""
                    {'headers': {'X-Event': '{{eventType}}', 'X-User': '{{payload.user.name}}', 'Authorization': 'Bearer static'}}
                    """);
            assertThat(request.headers()).containsExactly(
                    entry("X-Event", "invoice.paid"),
                    entry("X-User", "Ann \"the admin\" <ann@example.com> & co"),
                    entry("Authorization", "Bearer static"));
        }

        @Test
        void control_characters_from_the_payload_cannot_split_a_header() {
            RenderedRequest request = render("{'headers': {'X-Note': '{{payload.multiline}}'}}");
            assertThat(request.headers()).containsEntry("X-Note", "one two");
        }

        @Test
        void missing_values_render_as_nothing() {
            RenderedRequest request = render("{'url': 'https://x.example/{{payload.nope}}/{{payload.note}}/{{nothing.at.all}}'}");
            assertThat(request.url()).isEqualTo("https://x.example///");
        }

        @Test
        void objects_and_arrays_render_as_compact_json() {
            RenderedRequest request = render("{'headers': {'X-Items': '{{payload.items}}', 'X-Qty': '{{payload.items.1.qty}}'}}");
            assertThat(request.headers()).containsEntry("X-Items", "[{\"id\":\"it_1\",\"qty\":2},{\"id\":\"it_2\",\"qty\":1}]");
            assertThat(request.headers()).containsEntry("X-Qty", "1");
        }

        @Test
        void triple_braces_and_ampersand_mean_the_same_as_double_braces() {
            RenderedRequest request = render("{'url': '{{{payload.path}}}|{{& payload.path}}|{{ payload.path }}'}");
            assertThat(request.url()).isEqualTo("a/b?c=d&e=f|a/b?c=d&e=f|a/b?c=d&e=f");
        }

        @Test
        void comments_render_as_nothing() {
            assertThat(render("{'url': 'https://x.example/{{! why this path }}in'}").url()).isEqualTo("https://x.example/in");
        }

        @Test
        void absent_fields_mean_keep_the_defaults() {
            RenderedRequest request = render("{}");
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.url()).isNull();
            assertThat(request.headers()).isEmpty();
            assertThat(request.body()).isNull();
        }

        @Test
        void json_null_fields_are_absent_too() {
            RenderedRequest request = render("{'method': null, 'url': null, 'headers': null, 'body': null}");
            assertThat(request).usingRecursiveComparison()
                    .isEqualTo(new RenderedRequest("POST", null, java.util.Map.of(), null));
        }

        @ParameterizedTest
        @CsvSource({"POST", "PUT", "PATCH"})
        void method_may_be_post_put_or_patch(String method) {
            assertThat(render("{'method': '" + method + "'}").method()).isEqualTo(method);
        }

        @Test
        void rendered_headers_cannot_be_modified() {
            RenderedRequest request = render("{'headers': {'X-A': 'a'}}");
            assertThatThrownBy(() -> request.headers().put("X-B", "b")).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    class Body {

        @Test
        void a_single_tag_keeps_the_type_of_its_value() {
            JsonNode body = body("""
                    {'body': {'amount': '{{payload.amount}}', 'paid': '{{payload.paid}}', 'user': '{{payload.user}}',
                              'items': '{{payload.items}}', 'note': '{{payload.note}}', 'first': '{{ payload.items.0 }}'}}
                    """);
            assertThat(body.get("amount").isNumber()).isTrue();
            assertThat(body.get("amount").intValue()).isEqualTo(1250);
            assertThat(body.get("paid").booleanValue()).isTrue();
            assertThat(body.get("user")).isEqualTo(PAYLOAD.get("user"));
            assertThat(body.get("items")).isEqualTo(PAYLOAD.get("items"));
            assertThat(body.get("note").isNull()).isTrue();
            assertThat(body.get("first")).isEqualTo(json("{'id': 'it_1', 'qty': 2}"));
        }

        @Test
        void a_single_tag_for_a_missing_value_becomes_an_empty_string() {
            assertThat(body("{'body': {'x': '{{payload.nope}}'}}")).isEqualTo(json("{'x': ''}"));
        }

        @Test
        void triple_brace_and_ampersand_single_tags_keep_types_too() {
            assertThat(body("{'body': ['{{{payload.amount}}}', '{{&payload.amount}}']}")).isEqualTo(json("[1250, 1250]"));
        }

        @Test
        void other_strings_are_interpolated_into_strings() {
            JsonNode body = body("{'body': {'summary': '{{payload.amount}} {{payload.currency}} for {{payload.user.id}}'}}");
            assertThat(body.get("summary").textValue()).isEqualTo("1250 EUR for u_1");
        }

        @Test
        void quotes_and_newlines_in_values_stay_valid_json() {
            byte[] raw = render("{'body': {'text': 'Hi {{payload.user.name}}: {{payload.multiline}}'}}").body();
            JsonNode body = parse(raw);
            assertThat(body.get("text").textValue()).isEqualTo("Hi Ann \"the admin\" <ann@example.com> & co: one\ntwo");
            assertThat(new String(raw, StandardCharsets.UTF_8)).doesNotContain("&amp;").doesNotContain("&quot;");
        }

        @Test
        void objects_inside_a_longer_string_print_as_compact_json() {
            JsonNode body = body("{'body': {'text': 'user={{payload.user}}'}}");
            assertThat(body.get("text").textValue())
                    .isEqualTo("user={\"id\":\"u_1\",\"name\":\"Ann \\\"the admin\\\" <ann@example.com> & co\",\"plan\":\"pro\"}");
        }

        @Test
        void templates_work_at_any_depth_and_constants_are_copied() {
            JsonNode body = body("""
                    {'body': {'version': 2, 'ok': true, 'none': null, 'static': 'plain text',
                              'data': {'lines': [{'ref': '{{payload.items.0.id}}'}, ['{{payload.items.1.qty}}', 'x{{eventType}}']]}}}
                    """);
            assertThat(body).isEqualTo(json("""
                    {'version': 2, 'ok': true, 'none': null, 'static': 'plain text',
                     'data': {'lines': [{'ref': 'it_1'}, [1, 'xinvoice.paid']]}}
                    """));
        }

        @Test
        void object_keys_are_not_templates() {
            assertThat(body("{'body': {'{{eventType}}': 1}}")).isEqualTo(json("{'{{eventType}}': 1}"));
        }

        @Test
        void the_body_may_be_any_json_value() {
            assertThat(body("{'body': '{{payload.amount}}'}")).isEqualTo(json("1250"));
            assertThat(body("{'body': 'event {{eventType}}'}")).isEqualTo(json("'event invoice.paid'"));
            assertThat(body("{'body': [1, 2]}")).isEqualTo(json("[1, 2]"));
            assertThat(body("{'body': 7}")).isEqualTo(json("7"));
            assertThat(body("{'body': '{{payload}}'}")).isEqualTo(PAYLOAD);
        }

        @Test
        void decimals_keep_their_written_form() {
            JsonNode context = context(decimalJson("{'amount': 1.10}"));
            RenderedRequest request = TransformationRenderer.parse(json("{'body': {'n': '{{payload.amount}}', 's': '={{payload.amount}}'}}"))
                    .render(context);
            assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1.10,\"s\":\"=1.10\"}");
        }
    }

    @Nested
    class Context {

        @Test
        void every_context_name_resolves() {
            JsonNode body = body("""
                    {'body': ['{{msgId}}', '{{eventType}}', '{{eventId}}', '{{timestamp}}', '{{app.id}}', '{{app.uid}}',
                              '{{app.name}}', '{{endpoint.id}}', '{{payload.items.1.id}}']}
                    """);
            assertThat(body).isEqualTo(json("""
                    ['msg_1', 'invoice.paid', 'evt_1', '2024-05-01T10:15:30Z', 'app_1', 'acme', 'Acme Corp', 'ep_1', 'it_2']
                    """));
        }

        @Test
        void null_context_values_render_as_empty() {
            JsonNode context = TransformationContext.of("msg_1", "ping", null, Instant.EPOCH, null, "app_1", null, null, "ep_1");
            RenderedRequest request = TransformationRenderer.parse(json("{'url': '[{{eventId}}|{{app.uid}}|{{payload.a}}|{{timestamp}}]'}"))
                    .render(context);
            assertThat(request.url()).isEqualTo("[|||1970-01-01T00:00:00Z]");
        }

        @Test
        void the_context_has_the_documented_shape() {
            assertThat(CONTEXT.get("app")).isEqualTo(json("{'id': 'app_1', 'uid': 'acme', 'name': 'Acme Corp'}"));
            assertThat(CONTEXT.get("endpoint")).isEqualTo(json("{'id': 'ep_1'}"));
            assertThat(CONTEXT.get("payload")).isSameAs(PAYLOAD);
        }

        @Test
        void templates_reach_json_values_only_never_java_methods() {
            RenderedRequest request = render("{'url': '{{payload.class}}|{{payload.user.name.length}}|{{payload.items.size}}|{{payload.items.-1}}'}");
            assertThat(request.url()).isEqualTo("|||");
        }

        @Test
        void a_parsed_renderer_renders_each_message_with_its_own_values() throws Exception {
            TransformationRenderer renderer = TransformationRenderer.parse(json("{'url': 'https://x.example/{{payload.n}}', 'body': {'n': '{{payload.n}}'}}"));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<RenderedRequest>> results = IntStream.range(0, 200)
                        .mapToObj(i -> pool.submit(() -> renderer.render(context(json("{'n': " + i + "}")))))
                        .toList();
                for (int i = 0; i < results.size(); i++) {
                    RenderedRequest request = results.get(i).get();
                    assertThat(request.url()).isEqualTo("https://x.example/" + i);
                    assertThat(parse(request.body())).isEqualTo(json("{'n': " + i + "}"));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Validation {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
                {'method': 'GET'}                                  | method must be one of POST, PUT or PATCH
                {'method': 'post'}                                 | method must be one of POST, PUT or PATCH
                {'method': 1}                                      | method must be one of POST, PUT or PATCH
                {'url': 5}                                         | url must be a string
                {'url': ['https://x.example']}                     | url must be a string
                {'headers': 'X-A: b'}                              | headers must be an object
                {'headers': {'X-A': 1}}                            | headers.X-A must be a string
                {'headers': {'X-A': {'v': 'b'}}}                   | headers.X-A must be a string
                {'headers': {'Bad Name': 'x'}}                     | headers: 'Bad Name' is not a valid header name
                {'headers': {'X-A\\r\\nX-B': 'x'}}                 | is not a valid header name
                {'bodyy': {}}                                      | unknown field 'bodyy' in transformation
                {'url': 'https://x.example/{{payload.a'}           | url is not a valid template
                {'headers': {'X-A': '{{#payload.items}}x{{/payload.items}}'}} | headers.X-A is not a valid template: {{#payload.items}}: sections are not supported, only {{name}} interpolation
                {'body': {'a': ['ok', '{{^payload.x}}none{{/payload.x}}']}}  | body.a[1] is not a valid template: {{^payload.x}}: inverted sections are not supported
                {'body': {'a': 'x{{> /etc/passwd}}'}}              | body.a is not a valid template: {{>/etc/passwd}}: partials are not supported
                {'body': {'a': 'x{{<base}}{{/base}}'}}             | body.a is not a valid template: {{<base}}: parent templates are not supported
                {'body': {'a': 'x{{$block}}y{{/block}}'}}          | body.a is not a valid template: {{$block}}: blocks are not supported
                {'body': {'a': 'x{{#payload.a}}'}}                 | body.a is not a valid template
                """)
        void rejects_with_a_message_naming_the_field(String transformation, String message) {
            assertThatThrownBy(() -> TransformationRenderer.parse(json(transformation)))
                    .isInstanceOf(InvalidTransformationException.class)
                    .hasMessageContaining(message);
        }

        @Test
        void rejects_a_transformation_that_is_not_an_object() {
            for (String notAnObject : List.of("[]", "'x'", "null")) {
                assertThatThrownBy(() -> TransformationRenderer.parse(json(notAnObject)))
                        .isInstanceOf(InvalidTransformationException.class)
                        .hasMessage("transformation must be a JSON object");
            }
            assertThatThrownBy(() -> TransformationRenderer.parse(null)).isInstanceOf(InvalidTransformationException.class);
        }
    }

    @Nested
    class Limits {

        private final JsonNode bigContext = context(json("{'blob': '" + "x".repeat(100_000) + "'}"));

        @Test
        void a_body_repeating_a_large_value_fails_instead_of_exhausting_memory() {
            String body = "['" + "{{payload}}', '".repeat(99) + "{{payload}}']";
            TransformationRenderer renderer = TransformationRenderer.parse(json("{'body': " + body + "}"));
            assertThatThrownBy(() -> renderer.render(bigContext))
                    .isInstanceOf(TransformationRenderException.class)
                    .hasMessageContaining("exceeds");
        }

        @Test
        void interpolated_strings_share_one_budget() {
            String many = "{{payload.blob}}".repeat(50);
            TransformationRenderer renderer = TransformationRenderer.parse(json("{'url': '" + many + "', 'body': {'a': 'x" + many + "'}}"));
            assertThatThrownBy(() -> renderer.render(bigContext))
                    .isInstanceOf(TransformationRenderException.class)
                    .hasMessageContaining("rendered request exceeds " + TransformationRenderer.MAX_RENDERED_CHARS);
        }

        @Test
        void a_large_but_reasonable_body_renders() {
            TransformationRenderer renderer = TransformationRenderer.parse(json("{'body': {'copy': '{{payload}}', 'text': '{{payload.blob}}!'}}"));
            JsonNode body = parse(renderer.render(bigContext).body());
            assertThat(body.get("text").textValue()).hasSize(100_001);
        }
    }
}
