package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * As svix-server (its EndpointPatch and ApplicationPatch take these fields as absent or a value, never null): a PATCH
 * with an explicit null where a field has no null state is a 422 that changes nothing; it set the default instead
 * ({@code "disabled": null} enabled a disabled endpoint again, {@code "metadata": null} wiped the metadata). And a PUT
 * that makes an endpoint signs with the secret the body gives, as svix-server's upsert does (it made a new one, so
 * receivers checking signatures failed after a migration that PUT its endpoints).
 */
@ExtendWith(TestDatabase.class)
class EndpointPatchNullsTest {
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
    void an_explicit_null_for_a_field_without_a_null_state_is_refused_and_changes_nothing() {
        var api = herald.api;
        String app = api.post("/api/v1/app", "{\"name\":\"nulls\",\"metadata\":{\"team\":\"billing\"}}").text("id");
        String ep = api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"https://example.com/n\",\"description\":\"kept\",\"disabled\":true,\"metadata\":{\"k\":\"v\"},\"version\":3}").text("id");
        String path = "/api/v1/app/" + app + "/endpoint/" + ep;
        for (String field : new String[] {"disabled", "metadata", "description", "version", "url"}) {
            var answer = api.patch(path, "{\"" + field + "\":null}");
            assertThat(answer.status()).as(field + ": " + answer.raw()).isEqualTo(422);
            assertThat(answer.body().path("detail").get(0).path("loc").toString()).as(field).isEqualTo("[\"body\",\"" + field + "\"]");
        }
        var endpoint = api.get(path).body();
        assertThat(endpoint.path("disabled").asBoolean()).as("still disabled").isTrue();
        assertThat(endpoint.path("metadata").path("k").asText()).isEqualTo("v");
        assertThat(endpoint.path("description").asText()).isEqualTo("kept");
        assertThat(endpoint.path("version").asInt()).isEqualTo(3);
        // the nullable ones still clear with null
        assertThat(api.patch(path, "{\"rateLimit\":null,\"channels\":null,\"uid\":null}").status()).isEqualTo(200);

        var appAnswer = api.patch("/api/v1/app/" + app, "{\"metadata\":null}");
        assertThat(appAnswer.status()).as(appAnswer.raw()).isEqualTo(422);
        assertThat(api.get("/api/v1/app/" + app).body().path("metadata").path("team").asText()).isEqualTo("billing");
    }

    @Test
    void a_put_that_makes_an_endpoint_signs_with_the_secret_it_gives() {
        var api = herald.api;
        String app = api.post("/api/v1/app", json("name", "upsert")).text("id");
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var made = api.put("/api/v1/app/" + app + "/endpoint/billing", json("url", "https://example.com/b", "secret", secret));
        assertThat(made.status()).as(made.raw()).isEqualTo(201);
        assertThat(api.get("/api/v1/app/" + app + "/endpoint/billing/secret").text("key")).isEqualTo(secret);
        // replacing it leaves the secret alone, as svix-server's update does
        assertThat(api.put("/api/v1/app/" + app + "/endpoint/billing",
                json("url", "https://example.com/b2", "secret", "whsec_" + "A".repeat(32))).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/app/" + app + "/endpoint/billing/secret").text("key")).isEqualTo(secret);
        var refused = api.put("/api/v1/app/" + app + "/endpoint/other", json("url", "https://example.com/o", "secret", "not-a-secret"));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        // a bad secret is refused in a replacement too, which then changes nothing
        refused = api.put("/api/v1/app/" + app + "/endpoint/billing", json("url", "https://example.com/b3", "secret", "not-a-secret"));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        assertThat(api.get("/api/v1/app/" + app + "/endpoint/billing").text("url")).isEqualTo("https://example.com/b2");
    }
}
