package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.svix.Svix;
import com.svix.models.ApplicationIn;
import com.svix.models.EnvironmentIn;
import com.svix.models.EventTypeIn;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Svix's environment export and import ({@code environment.export}, {@code environment.import_}) with the official Java SDK. */
@ExtendWith(TestDatabase.class)
class EnvironmentSdkTest {
    static TestHerald herald;
    static Svix svix;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), Clock.systemUTC());
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** The SDK's Environment API (the Java SDK's Svix facade has no getter for it). */
    private static com.svix.api.Environment environment() {
        return new com.svix.api.Environment(svix.getHttpClient());
    }

    /**
     * The export by name. Over plain HTTP: the Java SDK 1.99.1 cannot send it (OkHttp refuses a POST without a body);
     * the JS SDK's check makes the call.
     */
    private static Map<String, JsonNode> exported() {
        var out = herald.api.post("/api/v1/environment/export", null);
        assertThat(out.status()).as("%s", out).isEqualTo(200);
        assertThat(out.body().path("version").asLong()).isEqualTo(1L);
        assertThat(out.body().path("createdAt").isTextual()).isTrue();
        assertThat(out.body().path("connectors").isArray()).isTrue();
        var byName = new java.util.LinkedHashMap<String, JsonNode>();
        out.body().path("eventTypes").forEach(t -> byName.put(t.path("name").asText(), t));
        return byName;
    }

    @Test
    void exports_the_catalog_and_imports_it_back_adding_and_updating_only() throws Exception {
        svix.getEventType().create(new EventTypeIn().name("env.kept").description("kept")
                .schemas(Map.of("1", Map.of("type", "object", "required", List.of("id")))).groupName("env"));
        svix.getEventType().create(new EventTypeIn().name("env.old").description("old"));
        svix.getEventType().delete("env.old"); // archived: exported as such
        assertThat(herald.api.patch("/api/v1/event-type/env.kept", "{\"validatePayloads\":true}").status()).isEqualTo(200);

        var before = exported();
        assertThat(before.get("env.kept").path("description").asText()).isEqualTo("kept");
        assertThat(before.get("env.kept").path("groupName").asText()).isEqualTo("env");
        assertThat(before.get("env.kept").path("schemas").path("1").path("required").get(0).asText()).isEqualTo("id");
        assertThat(before.get("env.old").path("archived").asBoolean()).isTrue();

        // an import from elsewhere: one type updated, one new; nothing is removed
        environment().import_(new EnvironmentIn().eventTypes(List.of(
                new EventTypeIn().name("env.kept").description("kept, imported")
                        .schemas(Map.of("1", Map.of("type", "object")))
                        .featureFlags(Set.of("beta")),
                new EventTypeIn().name("env.new").description("new").deprecated(true))));
        var after = exported();
        assertThat(after.keySet()).containsAll(before.keySet()).contains("env.new");
        assertThat(after.get("env.kept").path("description").asText()).isEqualTo("kept, imported");
        assertThat(after.get("env.kept").path("featureFlags").toString()).isEqualTo("[\"beta\"]");
        assertThat(after.get("env.kept").path("groupName").isNull()).as("replaced as by PUT").isTrue();
        assertThat(after.get("env.kept").path("schemas").path("1").has("required")).isFalse();
        assertThat(after.get("env.new").path("deprecated").asBoolean()).isTrue();
        assertThat(after.get("env.old").path("archived").asBoolean()).isTrue();
        // Herald's validatePayloads is not in Svix's EventTypeIn: an import leaves it as it was
        assertThat(herald.api.get("/api/v1/event-type/env.kept").body().path("validatePayloads").asBoolean()).isTrue();

        // an export imported again as it is, over HTTP, changes nothing but updatedAt
        var exportJson = herald.api.post("/api/v1/environment/export", null);
        assertThat(exportJson.status()).isEqualTo(200);
        assertThat(herald.api.post("/api/v1/environment/import", exportJson.raw()).status()).isEqualTo(204);
        var again = exported();
        assertThat(again.keySet()).isEqualTo(after.keySet());
        again.forEach((name, t) -> {
            var was = ((com.fasterxml.jackson.databind.node.ObjectNode) after.get(name).deepCopy()).put("updatedAt", "");
            assertThat(((com.fasterxml.jackson.databind.node.ObjectNode) t.deepCopy()).put("updatedAt", "")).isEqualTo(was);
        });
    }

    @Test
    void refuses_a_bad_item_connectors_and_any_but_an_admin_changing_nothing() throws Exception {
        svix.getEventType().create(new EventTypeIn().name("env.safe").description("safe"));
        var before = herald.api.post("/api/v1/environment/export", null).body().path("eventTypes");

        // the second item is bad: the first is not written either
        var badName = herald.api.post("/api/v1/environment/import",
                "{\"eventTypes\":[{\"name\":\"env.safe\",\"description\":\"changed\"},{\"name\":\"no spaces\",\"description\":\"x\"}]}");
        Problems.assertInvalid(badName, "body", "eventTypes", "[1]", "name");
        var badSchema = herald.api.post("/api/v1/environment/import",
                "{\"eventTypes\":[{\"name\":\"env.s\",\"description\":\"x\",\"schemas\":{\"1\":{\"type\":\"nonsense\"}}}]}");
        Problems.assertInvalid(badSchema, "body", "eventTypes", "[0]", "schemas");
        var twice = herald.api.post("/api/v1/environment/import",
                "{\"eventTypes\":[{\"name\":\"env.t\",\"description\":\"x\"},{\"name\":\"env.t\",\"description\":\"y\"}]}");
        Problems.assertInvalid(twice, "body", "eventTypes", "[1]", "name");
        Problems.assertInvalid(herald.api.post("/api/v1/environment/import", "{\"eventTypes\":[\"env.x\"]}"),
                "body", "eventTypes", "[0]");
        Problems.assertInvalid(herald.api.post("/api/v1/environment/import", "{\"eventTypes\":{}}"), "body", "eventTypes");
        // a Svix connector's JavaScript: Herald's transformations are templates
        Problems.assertInvalid(herald.api.post("/api/v1/environment/import",
                "{\"eventTypes\":[{\"name\":\"env.u\",\"description\":\"x\"}],\"connectors\":[{\"name\":\"c\","
                        + "\"transformation\":\"function handler(webhook) { return webhook }\"}]}"),
                "body", "connectors", "[0]", "transformation");
        Problems.assertInvalid(herald.api.post("/api/v1/environment/import", "{\"connectors\":{}}"), "body", "connectors");
        assertThat(herald.api.post("/api/v1/environment/export", null).body().path("eventTypes")).isEqualTo(before);

        String app = svix.getApplication().create(new ApplicationIn().name("env-tenant")).getId();
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token"));
        assertThat(tenant.post("/api/v1/environment/export", null).status()).isEqualTo(403);
        assertThat(tenant.post("/api/v1/environment/import", "{\"eventTypes\":[]}").status()).isEqualTo(403);
        // settings (the Svix portal's look) are accepted and ignored; an empty import is a no-op
        assertThat(herald.api.post("/api/v1/environment/import", "{\"settings\":{\"colorPaletteLight\":{}},\"connectors\":[]}").status())
                .isEqualTo(204);
        assertThat(herald.api.post("/api/v1/environment/export", null).body().path("eventTypes")).isEqualTo(before);
    }
}
