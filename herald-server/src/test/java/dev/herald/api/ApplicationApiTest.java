package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class ApplicationApiTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void creates_reads_and_lists_an_application() {
        var created = herald.api.post("/api/v1/app", json("name", "Acme", "uid", "acme", "metadata", Map.of("plan", "pro")));
        assertThat(created.status()).isEqualTo(201);
        String id = created.text("id");
        assertThat(id).startsWith("app_").hasSize(31);
        assertThat(created.text("createdAt")).endsWith("Z");

        var byUid = herald.api.get("/api/v1/app/acme");
        assertThat(byUid.status()).isEqualTo(200);
        assertThat(byUid.text("id")).isEqualTo(id);
        assertThat(byUid.body().path("metadata").path("plan").asText()).isEqualTo("pro");

        var list = herald.api.get("/api/v1/app");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().path("data")).hasSize(1);
        assertThat(list.body().path("done").asBoolean()).isTrue();
    }

    @Test
    void refuses_missing_token_with_401() {
        var response = herald.api.withToken(null).get("/api/v1/app");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.text("code")).isEqualTo("authentication_failed");
    }

    @Test
    void missing_name_is_a_422_naming_the_field() {
        var response = herald.api.post("/api/v1/app", json("uid", "x"));
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"name\"]");
    }

    @Test
    void health_needs_no_token() {
        assertThat(herald.api.withToken(null).get("/api/v1/health").status()).isEqualTo(204);
    }
}
