package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.EventTypeImportOpenApiIn;
import dev.herald.testing.ApiClient;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event catalog imported from an OpenAPI document (Svix's import), with the official SDK. */
@ExtendWith(TestDatabase.class)
class EventTypeImportTest {
    static TestHerald herald;
    static Svix svix;

    static final String SHOP_YAML = """
            openapi: 3.1.0
            info: {title: Shop, version: "1"}
            webhooks:
              order.created:
                post:
                  summary: An order was placed
                  x-svix-group-name: orders
                  requestBody:
                    content:
                      application/json:
                        schema:
                          $ref: '#/components/schemas/Order'
              order.refunded:
                post:
                  description: Money went back
                  deprecated: true
                  requestBody:
                    content:
                      application/json:
                        schema:
                          type: object
                          properties:
                            order: {$ref: '#/components/schemas/Order'}
            components:
              schemas:
                Order:
                  type: object
                  required: [id]
                  properties:
                    id: {type: string}
                    total: {type: integer}
            """;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void imports_webhooks_from_yaml_with_references_written_out_and_archives_the_rest_when_asked() throws Exception {
        assertThat(herald.api.post("/api/v1/event-type", "{\"name\":\"legacy.type\",\"description\":\"old\"}").status()).isEqualTo(201);

        var out = svix.getEventType().importOpenapi(new EventTypeImportOpenApiIn().specRaw(SHOP_YAML).replaceAll(true));
        assertThat(out.getData().getModified()).containsExactly("order.created", "order.refunded");

        var created = herald.api.get("/api/v1/event-type/order.created").body();
        assertThat(created.path("description").asText()).isEqualTo("An order was placed");
        assertThat(created.path("groupName").asText()).isEqualTo("orders");
        assertThat(created.path("schemas").toString()).isEqualTo(
                "{\"1\":{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\"},\"total\":{\"type\":\"integer\"}}}}");
        var refunded = herald.api.get("/api/v1/event-type/order.refunded").body();
        assertThat(refunded.path("deprecated").asBoolean()).isTrue();
        assertThat(refunded.path("description").asText()).isEqualTo("Money went back");
        assertThat(refunded.path("schemas").path("1").path("properties").path("order").path("required").toString())
                .isEqualTo("[\"id\"]");
        assertThat(herald.api.get("/api/v1/event-type/legacy.type").body().path("archived").asBoolean()).isTrue();

        // again, as JSON, without replaceAll: updates in place, archives nothing more, unarchives what it names
        herald.api.delete("/api/v1/event-type/order.refunded");
        var spec = Map.of("openapi", "3.1.0", "webhooks", Map.of("order.refunded", Map.of("post",
                Map.of("summary", "Refunded", "requestBody", Map.of("content", Map.of("application/json",
                        Map.of("schema", Map.of("type", "object"))))))));
        var again = svix.getEventType().importOpenapi(new EventTypeImportOpenApiIn().spec(spec));
        assertThat(again.getData().getModified()).containsExactly("order.refunded");
        var updated = herald.api.get("/api/v1/event-type/order.refunded").body();
        assertThat(updated.path("archived").asBoolean()).isFalse();
        assertThat(updated.path("description").asText()).isEqualTo("Refunded");
        assertThat(updated.path("deprecated").asBoolean()).isFalse();
        assertThat(herald.api.get("/api/v1/event-type/order.created").body().path("archived").asBoolean()).isFalse();
    }

    @Test
    void a_dry_run_answers_what_would_change_and_writes_nothing() throws Exception {
        String yaml = SHOP_YAML.replace("order.created", "order.shipped").replace("order.refunded", "order.lost");
        var out = svix.getEventType().importOpenapi(new EventTypeImportOpenApiIn().specRaw(yaml).dryRun(true));
        assertThat(out.getData().getModified()).isNullOrEmpty(); // the SDK reads Herald's [] as null
        assertThat(out.getData().getToModify()).extracting(t -> t.getName()).containsExactly("order.shipped", "order.lost");
        assertThat(out.getData().getToModify().get(0).getGroupName()).isEqualTo("orders");
        assertThat(herald.api.get("/api/v1/event-type/order.shipped").status()).isEqualTo(404);
    }

    @Test
    void a_bad_document_is_refused_with_where_and_changes_nothing() {
        String recursive = """
                {"webhooks": {"tree.grown": {"post": {"requestBody": {"content": {"application/json":
                  {"schema": {"$ref": "#/components/schemas/Node"}}}}}}},
                 "components": {"schemas": {"Node": {"type": "object",
                  "properties": {"child": {"$ref": "#/components/schemas/Node"}}}}}}""";
        assertRefused("{\"spec\":" + recursive + "}", List.of("body", "spec", "webhooks", "tree.grown"));
        assertRefused("{\"spec\":{\"webhooks\":{\"a.b\":{\"post\":{\"requestBody\":{\"content\":{\"application/json\":"
                + "{\"schema\":{\"$ref\":\"https://example.com/x.json\"}}}}}}}}}", List.of("body", "spec", "webhooks", "a.b"));
        assertRefused("{\"spec\":{\"webhooks\":{\"bad name\":{\"post\":{}}}}}", List.of("body", "spec", "webhooks", "bad name"));
        assertRefused("{\"spec\":{\"openapi\":\"3.1.0\"}}", List.of("body", "spec"));
        assertRefused("{\"specRaw\":\"webhooks: [unclosed\"}", List.of("body", "specRaw"));
        // YAML's own bombs: aliases that would multiply to a million values are not expanded (answered at once, the
        // alias read as its name), and nesting past any schema's is refused
        String laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                + "webhooks: {laugh.now: {post: {summary: *f}}}\n";
        var laughed = herald.api.post("/api/v1/event-type/import/openapi", ApiClient.json("specRaw", laughs, "dryRun", true));
        assertThat(laughed.status()).isEqualTo(200);
        assertThat(laughed.raw().length()).as(laughed.raw()).isLessThan(1_000);
        assertRefused(ApiClient.json("specRaw", "[".repeat(5_000) + "]".repeat(5_000)), List.of("body", "specRaw"));
        assertRefused("{\"spec\":{\"webhooks\":{\"a.b\":{\"post\":{\"requestBody\":{\"content\":{\"application/json\":"
                + "{\"schema\":{\"type\":\"no-such-type\"}}}}}}}}}", List.of("body", "spec", "webhooks", "a.b", "schemas"));
        // references used many times multiply: 12 levels of 10 uses each would write out 10^12 values
        var bomb = new StringBuilder("{\"spec\":{\"webhooks\":{\"boom.now\":{\"post\":{\"requestBody\":{\"content\":"
                + "{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/L0\"}}}}}}},\"components\":{\"schemas\":{");
        for (int level = 0; level < 12; level++) {
            bomb.append(level == 0 ? "" : ",").append("\"L").append(level).append("\":{\"type\":\"object\",\"properties\":{");
            for (int use = 0; use < 10; use++) {
                bomb.append(use == 0 ? "" : ",").append("\"p").append(use).append("\":")
                        .append(level == 11 ? "{\"type\":\"string\"}" : "{\"$ref\":\"#/components/schemas/L" + (level + 1) + "\"}");
            }
            bomb.append("}}");
        }
        bomb.append("}}}}");
        assertRefused(bomb.toString(), List.of("body", "spec", "webhooks", "boom.now"));
        // a chain of 30 references, three levels each, nests deeper than a stored schema may
        var deep = new StringBuilder("{\"spec\":{\"webhooks\":{\"deep.one\":{\"post\":{\"requestBody\":{\"content\":"
                + "{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/D0\"}}}}}}},\"components\":{\"schemas\":{");
        for (int level = 0; level < 30; level++) {
            deep.append(level == 0 ? "" : ",").append("\"D").append(level).append("\":{\"type\":\"object\",\"properties\":{\"next\":")
                    .append(level == 29 ? "{\"type\":\"string\"}" : "{\"$ref\":\"#/components/schemas/D" + (level + 1) + "\"}").append("}}");
        }
        deep.append("}}}}");
        assertRefused(deep.toString(), List.of("body", "spec", "webhooks", "deep.one"));
        // fields a create refuses are refused here too, before anything is written: a NUL (PostgreSQL cannot store
        // it: a 400 after the first webhook was written), a group name or feature flag a create would not take
        assertRefused("{\"spec\":{\"webhooks\":{\"a.created\":{\"post\":{\"description\":\"ok\"}},"
                + "\"b.created\":{\"post\":{\"description\":\"x\\u0000y\"}}}}}", List.of("body", "spec", "webhooks", "b.created", "description"));
        assertRefused("{\"spec\":{\"webhooks\":{\"c.created\":{\"post\":{\"x-svix-group-name\":\"Billing Events\"}}}}}",
                List.of("body", "spec", "webhooks", "c.created", "groupName"));
        assertRefused("{\"spec\":{\"webhooks\":{\"d.created\":{\"post\":{\"x-svix-feature-flag\":\"beta flag\"}}}}}",
                List.of("body", "spec", "webhooks", "d.created", "featureFlag"));
        for (String type : List.of("a.created", "b.created", "c.created", "d.created")) {
            assertThat(herald.api.get("/api/v1/event-type/" + type).status()).as(type).isEqualTo(404);
        }
        assertThat(herald.api.get("/api/v1/event-type/boom.now").status()).isEqualTo(404);
        assertThat(herald.api.get("/api/v1/event-type/tree.grown").status()).isEqualTo(404);
        assertThat(herald.api.get("/api/v1/event-type/a.b").status()).isEqualTo(404);
    }

    private static void assertRefused(String body, List<String> loc) {
        ApiClient.Response response = herald.api.post("/api/v1/event-type/import/openapi", body);
        assertThat(response.status()).as(body).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").findValuesAsText("")).isEmpty();
        var actual = new java.util.ArrayList<String>();
        response.body().path("detail").get(0).path("loc").forEach(n -> actual.add(n.asText()));
        assertThat(actual).as(body + " → " + response.raw()).isEqualTo(loc);
    }

    /** Svix's EventTypeImportOpenApiIn documents neither or both of spec and specRaw as a 400 Bad Request. */
    @Test
    void neither_or_both_of_spec_and_spec_raw_is_a_400() {
        for (String body : new String[] {"{}", "{\"spec\":{\"openapi\":\"3.1.0\"},\"specRaw\":\"openapi: 3.1.0\"}"}) {
            var answer = herald.api.post("/api/v1/event-type/import/openapi", body);
            assertThat(answer.status()).as(body + ": " + answer.raw()).isEqualTo(400);
            assertThat(answer.text("code")).isEqualTo("bad_request");
        }
    }
}
