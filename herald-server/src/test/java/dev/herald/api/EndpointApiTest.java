package dev.herald.api;

import static dev.herald.api.Problems.assertError;
import static dev.herald.api.Problems.assertInvalid;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestDatabase.class)
class EndpointApiTest {
    static final String SECRET_BODY = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // base64 of 24 bytes
    static TestHerald herald;
    String app;
    String base;

    @BeforeAll
    static void start() {
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void createAppAndTypes() {
        app = herald.api.post("/api/v1/app", json("name", "Shop", "uid", "shop")).text("id");
        base = "/api/v1/app/" + app + "/endpoint";
        for (String type : List.of("order.created", "order.paid", "order.refunded")) {
            assertThat(herald.api.post("/api/v1/event-type", json("name", type, "description", type)).status())
                    .isEqualTo(201);
        }
    }

    private Response create(Object... fields) {
        var created = herald.api.post(base, json(fields));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created;
    }

    private String createId(Object... fields) {
        return create(fields).text("id");
    }

    private String secretOf(String endpoint) {
        var secret = herald.api.get(base + "/" + endpoint + "/secret");
        assertThat(secret.status()).as("%s", secret).isEqualTo(200);
        return secret.text("key");
    }

    @Test
    void creates_an_endpoint_with_defaults() {
        var created = create("url", "https://example.com/hook");
        assertThat(created.text("id")).startsWith("ep_");
        assertThat(created.text("url")).isEqualTo("https://example.com/hook");
        assertThat(created.text("description")).isEmpty();
        assertThat(created.body().path("version").asInt()).isEqualTo(1);
        assertThat(created.body().path("disabled").asBoolean()).isFalse();
        assertThat(created.body().path("metadata").isObject()).isTrue();
        assertThat(created.text("createdAt")).endsWith("Z");

        var read = herald.api.get(base + "/" + created.text("id"));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(created.body());
    }

    @Test
    void echoes_every_field_of_endpoint_in() {
        var created = create("url", "https://example.com/full", "description", "Full", "uid", "full-ep",
                "disabled", true, "filterTypes", List.of("order.created", "order.paid"), "channels", List.of("eu", "us"),
                "rateLimit", 10, "throttleRate", 4, "metadata", Map.of("team", "billing"), "version", 2,
                "headers", Map.of("X-Api-Key", "k1"));
        assertThat(created.text("uid")).isEqualTo("full-ep");
        assertThat(created.text("description")).isEqualTo("Full");
        assertThat(created.body().path("disabled").asBoolean()).isTrue();
        assertThat(created.body().path("filterTypes").toString()).contains("order.created", "order.paid");
        assertThat(created.body().path("channels")).hasSize(2);
        assertThat(created.body().path("rateLimit").asLong()).isEqualTo(10);
        assertThat(created.body().path("throttleRate").asLong()).isEqualTo(4);
        assertThat(created.body().path("metadata").path("team").asText()).isEqualTo("billing");
        assertThat(created.body().path("version").asInt()).isEqualTo(2);
        assertThat(herald.api.get(base + "/full-ep/headers").body().path("headers").path("X-Api-Key").asText())
                .isEqualTo("k1");
    }

    @Test
    void accepts_event_types_as_an_alias_of_filter_types() {
        var created = create("url", "https://example.com/a", "eventTypes", List.of("order.paid"));
        assertThat(created.body().path("filterTypes").toString()).isEqualTo("[\"order.paid\"]");
    }

    @Test
    void never_shows_the_secret_in_endpoint_out() {
        var created = create("url", "https://example.com/s", "secret", "whsec_" + SECRET_BODY);
        assertThat(created.body().has("secret")).isFalse();
        assertThat(created.raw()).doesNotContain(SECRET_BODY);
        assertThat(herald.api.get(base + "/" + created.text("id")).raw()).doesNotContain(SECRET_BODY);
        assertThat(herald.api.get(base).raw()).doesNotContain(SECRET_BODY);
    }

    @Test
    void generates_a_whsec_secret_of_24_random_bytes() {
        String first = secretOf(createId("url", "https://example.com/1"));
        String second = secretOf(createId("url", "https://example.com/2"));
        assertThat(first).matches("^whsec_[A-Za-z0-9+/]{32}$");
        assertThat(Base64.getDecoder().decode(first.substring(6))).hasSize(24);
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void keeps_a_supplied_secret_with_or_without_prefix() {
        assertThat(secretOf(createId("url", "https://example.com/p", "secret", "whsec_" + SECRET_BODY)))
                .isEqualTo("whsec_" + SECRET_BODY);
        assertThat(secretOf(createId("url", "https://example.com/np", "secret", SECRET_BODY)))
                .isEqualTo("whsec_" + SECRET_BODY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "whsec_short", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", "has spaces in it but is long enough",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GK",
            "MfKQ9r8GKYqrTwjU=D8ILPZIo2LaLaSw"})
    void rejects_a_bad_secret_with_422(String secret) {
        assertInvalid(herald.api.post(base, json("url", "https://example.com/x", "secret", secret)), "body", "secret");
        assertThat(herald.api.get(base).body().path("data")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}|url",
            "{\"url\": null}|url",
            "{\"url\": 42}|url",
            "{\"url\": \"\"}|url",
            "{\"url\": \"ftp://example.com/x\"}|url",
            "{\"url\": \"javascript:alert(1)\"}|url",
            "{\"url\": \"file:///etc/passwd\"}|url",
            "{\"url\": \"not a url\"}|url",
            "{\"url\": \"https://\"}|url",
            "{\"url\": \"https://user:pw@example.com/\"}|url",
            "{\"url\": \"https://example.com:99999/\"}|url",
            "{\"url\": \"https://example.com:0/\"}|url",
            "{\"url\": \" https://example.com/\"}|url",
            "{\"url\": \"https://example.com/\", \"description\": 1}|description",
            "{\"url\": \"https://example.com/\", \"uid\": \"bad uid\"}|uid",
            "{\"url\": \"https://example.com/\", \"uid\": \"\"}|uid",
            "{\"url\": \"https://example.com/\", \"disabled\": \"no\"}|disabled",
            "{\"url\": \"https://example.com/\", \"filterTypes\": \"order.paid\"}|filterTypes",
            "{\"url\": \"https://example.com/\", \"filterTypes\": [1]}|filterTypes",
            "{\"url\": \"https://example.com/\", \"channels\": [\"bad channel\"]}|channels",
            "{\"url\": \"https://example.com/\", \"headers\": [\"x\"]}|headers",
            "{\"url\": \"https://example.com/\", \"headers\": {\"X-A\": 1}}|headers",
            "{\"url\": \"https://example.com/\", \"rateLimit\": -5}|rateLimit",
            "{\"url\": \"https://example.com/\", \"throttleRate\": \"x\"}|throttleRate",
            "{\"url\": \"https://example.com/\", \"metadata\": {\"k\": 2}}|metadata",
            "{\"url\": \"https://example.com/\", \"version\": 0}|version",
            "{\"url\": \"https://example.com/\", \"version\": 65536}|version",
            "{\"url\": \"https://example.com/\", \"rateLimit\": 0}|rateLimit",
            "{\"url\": \"https://example.com/\", \"rateLimit\": 65536}|rateLimit",
            "{\"url\": \"https://example.com/\", \"throttleRate\": 0}|throttleRate",
            "{\"url\": \"https://example.com/\", \"throttleRate\": 100000}|throttleRate",
            "{\"url\": \"https://example.com/\", \"version\": \"2\"}|version",
            "{\"url\": \"https://example.com/\", \"secret\": 12345}|secret",
    })
    void rejects_missing_or_wrong_typed_fields_with_422(String body, String field) {
        assertInvalid(herald.api.post(base, body), "body", field);
        assertThat(herald.api.get(base).body().path("data")).isEmpty();
    }

    /** Svix's rates and versions are u16 (at least 1) in its SDKs: a larger one stored broke their reads of a list. */
    @Test
    void rates_and_versions_are_taken_from_1_to_65535_on_create_put_and_patch() {
        String id = herald.api.post(base, json("url", "https://example.com/", "rateLimit", 1, "throttleRate", 65535,
                "version", 65535)).text("id");
        var got = herald.api.get(base + "/" + id).body();
        assertThat(got.path("rateLimit").asLong()).isEqualTo(1);
        assertThat(got.path("throttleRate").asLong()).isEqualTo(65535);
        assertThat(got.path("version").asLong()).isEqualTo(65535);
        for (String field : List.of("rateLimit", "throttleRate", "version")) {
            for (long bad : new long[] {0, 65536}) {
                assertInvalid(herald.api.patch(base + "/" + id, json(field, bad)), "body", field);
                assertInvalid(herald.api.put(base + "/" + id, json("url", "https://example.com/", field, bad)), "body", field);
            }
        }
        assertThat(herald.api.get(base + "/" + id).body()).as("unchanged").isEqualTo(got);
        var patched = herald.api.patch(base + "/" + id, json("rateLimit", 65535, "throttleRate", 1));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body().path("rateLimit").asLong()).isEqualTo(65535);
        assertThat(patched.body().path("throttleRate").asLong()).isEqualTo(1);
    }

    @Test
    void accepts_a_url_of_exactly_65536_characters_and_rejects_one_more() {
        String prefix = "https://example.com/";
        String longest = prefix + "a".repeat(65_536 - prefix.length());
        assertThat(create("url", longest).text("url")).hasSize(65_536);
        assertInvalid(herald.api.post(base, json("url", longest + "a")), "body", "url");
    }

    @Test
    void rejects_an_unknown_filter_type_with_422() {
        var response = herald.api.post(base, json("url", "https://example.com/", "filterTypes",
                List.of("order.paid", "no.such.type")));
        assertInvalid(response, "body", "filterTypes");
        assertThat(response.raw()).contains("no.such.type");
        assertInvalid(herald.api.post(base, json("url", "https://example.com/", "eventTypes", List.of("nope"))),
                "body", "eventTypes");
    }

    @Test
    void rejects_an_archived_filter_type_with_422() {
        assertThat(herald.api.delete("/api/v1/event-type/order.refunded").status()).isEqualTo(204);
        assertInvalid(herald.api.post(base, json("url", "https://example.com/", "filterTypes", List.of("order.refunded"))),
                "body", "filterTypes");
    }

    @Test
    void accepts_ten_channels_and_rejects_eleven() {
        var ten = IntStream.range(0, 10).mapToObj(i -> "ch" + i).toList();
        assertThat(create("url", "https://example.com/10", "channels", ten).body().path("channels")).hasSize(10);
        var eleven = IntStream.range(0, 11).mapToObj(i -> "ch" + i).toList();
        assertInvalid(herald.api.post(base, json("url", "https://example.com/11", "channels", eleven)), "body", "channels");
    }

    @Test
    void an_empty_filter_or_channel_list_is_refused_as_svix_refuses_it_and_null_means_every_one() {
        // an empty list read as "every type" (or channel), where its writer may have meant none
        assertInvalid(herald.api.post(base, json("url", "https://example.com/e", "filterTypes", List.of())), "body", "filterTypes");
        assertInvalid(herald.api.post(base, json("url", "https://example.com/e", "eventTypes", List.of())), "body", "eventTypes");
        assertInvalid(herald.api.post(base, json("url", "https://example.com/e", "channels", List.of())), "body", "channels");
        assertThat(herald.api.get(base).body().path("data")).isEmpty();

        String ep = createId("url", "https://example.com/e", "filterTypes", List.of("order.paid"), "channels", List.of("eu"));
        assertInvalid(herald.api.patch(base + "/" + ep, json("filterTypes", List.of())), "body", "filterTypes");
        assertInvalid(herald.api.patch(base + "/" + ep, json("channels", List.of())), "body", "channels");
        assertInvalid(herald.api.put(base + "/" + ep, json("url", "https://example.com/e", "channels", List.of())), "body", "channels");
        var kept = herald.api.get(base + "/" + ep).body();
        assertThat(kept.path("filterTypes").toString()).isEqualTo("[\"order.paid\"]");
        assertThat(kept.path("channels").toString()).isEqualTo("[\"eu\"]");

        var cleared = herald.api.patch(base + "/" + ep, "{\"filterTypes\":null,\"channels\":null}");
        assertThat(cleared.status()).as("%s", cleared).isEqualTo(200);
        assertThat(cleared.body().path("filterTypes").isNull()).isTrue();
        assertThat(cleared.body().path("channels").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "content-length", "Transfer-Encoding", "Content-Encoding", "Connection", "webhook-id", "Webhook-Signature",
            "webhook-timestamp", "svix-id", "Svix-Tenant", "X-Bad\r\nInjected", "X-Bad Name", "X:Colon", ""})
    void rejects_reserved_or_malformed_header_names_everywhere(String name) {
        var headers = Map.of(name, "v");
        assertInvalid(herald.api.post(base, json("url", "https://example.com/", "headers", headers)), "body", "headers");
        String ep = createId("url", "https://example.com/h");
        assertInvalid(herald.api.put(base + "/" + ep + "/headers", json("headers", headers)), "body", "headers");
        assertInvalid(herald.api.patch(base + "/" + ep + "/headers", json("headers", headers)), "body", "headers");
        assertThat(herald.api.get(base + "/" + ep + "/headers").body().path("headers").size()).isZero();
    }

    /** Other webhook-* names are the user's, as svix-server takes them: only the signature's own three are reserved. */
    @Test
    void webhook_prefixed_headers_other_than_the_signature_s_are_taken() {
        String ep = createId("url", "https://example.com/h", "headers", Map.of("Webhook-Tenant", "acme"));
        assertThat(herald.api.get(base + "/" + ep + "/headers").body().path("headers").path("Webhook-Tenant").asText()).isEqualTo("acme");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\u0000b", "a\u0007"})
    void rejects_control_characters_in_header_values(String value) {
        var response = herald.api.post(base, json("url", "https://example.com/", "headers", Map.of("X-Ok", value)));
        assertThat(response.status()).as("%s", response).isEqualTo(422);
        assertThat(herald.api.get(base).body().path("data")).isEmpty();
    }

    @Test
    void duplicate_uid_in_one_application_is_409_but_fine_across_applications() {
        create("url", "https://example.com/1", "uid", "primary");
        assertError(herald.api.post(base, json("url", "https://example.com/2", "uid", "primary")), 409, "conflict");
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        assertThat(herald.api.post("/api/v1/app/" + other + "/endpoint",
                json("url", "https://example.com/3", "uid", "primary")).status()).isEqualTo(201);
    }

    @Test
    void finds_an_endpoint_by_id_or_uid_through_the_app_id_or_uid() {
        String id = createId("url", "https://example.com/u", "uid", "by-uid");
        assertThat(herald.api.get("/api/v1/app/shop/endpoint/by-uid").text("id")).isEqualTo(id);
        assertThat(herald.api.get("/api/v1/app/shop/endpoint/" + id).text("uid")).isEqualTo("by-uid");
    }

    @Test
    void unknown_application_or_endpoint_is_404_on_every_route() {
        String noApp = "/api/v1/app/app_missing/endpoint";
        assertError(herald.api.get(noApp), 404, "not_found");
        assertError(herald.api.post(noApp, json("url", "https://example.com/")), 404, "not_found");
        for (String suffix : List.of("", "/secret", "/headers")) {
            assertError(herald.api.get(base + "/ep_missing" + suffix), 404, "not_found");
            assertError(herald.api.get(noApp + "/ep_missing" + suffix), 404, "not_found");
        }
        assertError(herald.api.patch(base + "/ep_missing", json("url", "https://example.com/")), 404, "not_found");
        assertError(herald.api.delete(base + "/ep_missing"), 404, "not_found");
        assertError(herald.api.post(base + "/ep_missing/secret/rotate", "{}"), 404, "not_found");
        assertError(herald.api.put(base + "/ep_missing/headers", json("headers", Map.of())), 404, "not_found");
        assertError(herald.api.patch(base + "/ep_missing/headers", json("headers", Map.of())), 404, "not_found");
    }

    @Test
    void an_endpoint_of_another_application_is_404() {
        String ep = createId("url", "https://example.com/mine");
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        String otherBase = "/api/v1/app/" + other + "/endpoint/" + ep;
        assertError(herald.api.get(otherBase), 404, "not_found");
        assertError(herald.api.get(otherBase + "/secret"), 404, "not_found");
        assertError(herald.api.delete(otherBase), 404, "not_found");
        assertThat(herald.api.get(base + "/" + ep).status()).isEqualTo(200);
    }

    @Test
    void put_replaces_the_endpoint_but_keeps_its_secret_and_headers() {
        var created = create("url", "https://example.com/old", "uid", "put-ep", "description", "old",
                "filterTypes", List.of("order.paid"), "channels", List.of("eu"), "rateLimit", 3,
                "metadata", Map.of("k", "v"), "headers", Map.of("X-Keep", "yes"));
        String id = created.text("id");
        String secret = secretOf(id);

        var put = herald.api.put(base + "/" + id, json("url", "https://example.com/new", "version", 3));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text("id")).isEqualTo(id);
        assertThat(put.text("url")).isEqualTo("https://example.com/new");
        assertThat(put.text("description")).isEmpty();
        assertThat(put.body().path("uid").isNull()).isTrue();
        assertThat(put.body().path("filterTypes").isNull()).isTrue();
        assertThat(put.body().path("channels").isNull()).isTrue();
        assertThat(put.body().path("rateLimit").isNull()).isTrue();
        assertThat(put.body().path("metadata").size()).isZero();
        assertThat(put.body().path("version").asInt()).isEqualTo(3);
        assertThat(put.text("createdAt")).isEqualTo(created.text("createdAt"));
        assertThat(herald.api.get(base + "/" + id).body()).isEqualTo(put.body());
        assertThat(secretOf(id)).isEqualTo(secret);
        assertThat(herald.api.get(base + "/" + id + "/headers").body().path("headers").path("X-Keep").asText())
                .isEqualTo("yes");
    }

    @Test
    void put_with_explicit_null_headers_clears_them_as_patch_does() {
        String id = createId("url", "https://example.com/h", "headers", Map.of("X-Gone", "soon"));
        var put = herald.api.put(base + "/" + id, "{\"url\": \"https://example.com/h\", \"headers\": null}");
        assertThat(put.status()).isEqualTo(200);
        var cleared = herald.api.get(base + "/" + id + "/headers");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().path("headers").isObject()).isTrue();
        assertThat(cleared.body().path("headers").size()).isZero();
        assertThat(herald.api.put(base + "/" + id, json("url", "https://example.com/h", "headers",
                Map.of("X-Back", "1"))).status()).isEqualTo(200);
        assertThat(herald.api.get(base + "/" + id + "/headers").body().path("headers").path("X-Back").asText())
                .isEqualTo("1");
    }

    @Test
    void put_creates_a_missing_endpoint_with_the_path_key_as_uid() {
        var put = herald.api.put(base + "/new-by-put", json("url", "https://example.com/put"));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("uid")).isEqualTo("new-by-put");
        assertThat(secretOf("new-by-put")).startsWith("whsec_");
    }

    @Test
    void put_validates_the_body() {
        String id = createId("url", "https://example.com/v");
        assertInvalid(herald.api.put(base + "/" + id, json("url", "gopher://x")), "body", "url");
        assertInvalid(herald.api.put(base + "/" + id, json("description", "no url")), "body", "url");
        assertInvalid(herald.api.put(base + "/" + id, json("url", "https://e.com/", "filterTypes", List.of("x.y"))),
                "body", "filterTypes");
        assertThat(herald.api.get(base + "/" + id).text("url")).isEqualTo("https://example.com/v");
    }

    @Test
    void patch_leaves_absent_fields_unchanged() {
        String id = create("url", "https://example.com/p", "uid", "patch-ep", "description", "d",
                "filterTypes", List.of("order.paid"), "channels", List.of("eu"), "rateLimit", 3, "throttleRate", 2,
                "metadata", Map.of("k", "v"), "headers", Map.of("X-Keep", "yes")).text("id");
        var patched = herald.api.patch(base + "/" + id, json("description", "changed"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.text("description")).isEqualTo("changed");
        assertThat(patched.text("url")).isEqualTo("https://example.com/p");
        assertThat(patched.text("uid")).isEqualTo("patch-ep");
        assertThat(patched.body().path("filterTypes")).hasSize(1);
        assertThat(patched.body().path("channels")).hasSize(1);
        assertThat(patched.body().path("rateLimit").asLong()).isEqualTo(3);
        assertThat(patched.body().path("throttleRate").asLong()).isEqualTo(2);
        assertThat(patched.body().path("metadata").path("k").asText()).isEqualTo("v");
        assertThat(herald.api.get(base + "/" + id).body()).isEqualTo(patched.body());
        assertThat(herald.api.get(base + "/" + id + "/headers").body().path("headers").size()).isEqualTo(1);
    }

    @Test
    void patch_with_explicit_null_clears_the_field() {
        String id = create("url", "https://example.com/p", "uid", "nulls", "filterTypes", List.of("order.paid"),
                "channels", List.of("eu"), "rateLimit", 3, "throttleRate", 2, "metadata", Map.of("k", "v")).text("id");
        var patched = herald.api.patch(base + "/" + id, "{\"uid\": null, \"filterTypes\": null, \"channels\": null,"
                + " \"rateLimit\": null, \"throttleRate\": null, \"metadata\": {}}");
        assertThat(patched.status()).as("%s", patched).isEqualTo(200);
        assertThat(patched.body().path("uid").isNull()).isTrue();
        assertThat(patched.body().path("filterTypes").isNull()).isTrue();
        assertThat(patched.body().path("channels").isNull()).isTrue();
        assertThat(patched.body().path("rateLimit").isNull()).isTrue();
        assertThat(patched.body().path("throttleRate").isNull()).isTrue();
        // metadata has no null state (svix-server's EndpointPatch: a null is a 422, EndpointPatchNullsTest); {} empties it
        assertThat(patched.body().path("metadata").size()).isZero();
        assertError(herald.api.get(base + "/nulls"), 404, "not_found");
    }

    @Test
    void patch_validates_what_it_is_given() {
        String id = createId("url", "https://example.com/p");
        assertInvalid(herald.api.patch(base + "/" + id, "{\"url\": null}"), "body", "url");
        assertInvalid(herald.api.patch(base + "/" + id, json("url", "ftp://x")), "body", "url");
        assertInvalid(herald.api.patch(base + "/" + id, json("filterTypes", List.of("nope"))), "body", "filterTypes");
        assertInvalid(herald.api.patch(base + "/" + id, json("channels",
                IntStream.range(0, 11).mapToObj(i -> "c" + i).toList())), "body", "channels");
        assertInvalid(herald.api.patch(base + "/" + id, json("secret", "bad")), "body", "secret");
        assertThat(herald.api.get(base + "/" + id).text("url")).isEqualTo("https://example.com/p");
    }

    @Test
    void patch_with_a_secret_replaces_the_secret() {
        String id = createId("url", "https://example.com/p");
        assertThat(herald.api.patch(base + "/" + id, json("secret", SECRET_BODY)).status()).isEqualTo(200);
        assertThat(secretOf(id)).isEqualTo("whsec_" + SECRET_BODY);
    }

    @Test
    void patch_to_a_uid_another_endpoint_holds_is_409() {
        createId("url", "https://example.com/1", "uid", "first");
        String second = createId("url", "https://example.com/2", "uid", "second");
        assertError(herald.api.patch(base + "/" + second, json("uid", "first")), 409, "conflict");
    }

    @Test
    void rotate_without_a_key_makes_a_new_generated_secret() {
        String id = createId("url", "https://example.com/r");
        String before = secretOf(id);
        var rotated = herald.api.post(base + "/" + id + "/secret/rotate", null);
        assertThat(rotated.status()).isEqualTo(204);
        String after = secretOf(id);
        assertThat(after).isNotEqualTo(before).matches("^whsec_[A-Za-z0-9+/]{32}$");
        assertThat(herald.api.post(base + "/" + id + "/secret/rotate", "{}").status()).isEqualTo(204);
        assertThat(secretOf(id)).isNotEqualTo(after);
    }

    @Test
    void rotate_with_a_key_makes_that_key_current() {
        String id = createId("url", "https://example.com/r");
        String before = secretOf(id);
        var rotated = herald.api.post(base + "/" + id + "/secret/rotate", json("key", "whsec_" + SECRET_BODY));
        assertThat(rotated.status()).isEqualTo(204);
        assertThat(secretOf(id)).isEqualTo("whsec_" + SECRET_BODY).isNotEqualTo(before);
    }

    @Test
    void rotate_rejects_a_bad_key_and_keeps_the_old_secret() {
        String id = createId("url", "https://example.com/r");
        String before = secretOf(id);
        assertInvalid(herald.api.post(base + "/" + id + "/secret/rotate", json("key", "too-short")), "body", "key");
        assertInvalid(herald.api.post(base + "/" + id + "/secret/rotate", json("key", 5)), "body", "key");
        var notJson = herald.api.post(base + "/" + id + "/secret/rotate", "nope");
        assertThat(notJson.status()).isEqualTo(422);
        assertThat(secretOf(id)).isEqualTo(before);
    }

    @Test
    void headers_can_be_read_replaced_and_patched() {
        String id = createId("url", "https://example.com/h", "headers", Map.of("X-One", "1", "X-Two", "2"));
        String path = base + "/" + id + "/headers";
        var read = herald.api.get(path);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("headers").size()).isEqualTo(2);
        assertThat(read.body().path("sensitive").isArray()).isTrue();

        assertThat(herald.api.put(path, json("headers", Map.of("X-Three", "3"))).status()).isEqualTo(204);
        assertThat(herald.api.get(path).body().path("headers").toString()).isEqualTo("{\"X-Three\":\"3\"}");

        var patched = herald.api.patch(path, "{\"headers\": {\"X-Four\": \"4\", \"X-Three\": null}}");
        assertThat(patched.status()).isEqualTo(204);
        assertThat(herald.api.get(path).body().path("headers").toString()).isEqualTo("{\"X-Four\":\"4\"}");

        // a credential is shown by name only (Svix's EndpointHeadersOut.sensitive), and still sent
        assertThat(herald.api.patch(path, "{\"headers\": {\"Authorization\": \"Bearer s3cret\", \"X-Auth-Token\": \"t\"}}")
                .status()).isEqualTo(204);
        var withheld = herald.api.get(path);
        assertThat(withheld.raw()).doesNotContain("s3cret");
        assertThat(withheld.body().path("headers").toString()).isEqualTo("{\"X-Four\":\"4\"}");
        var names = new java.util.ArrayList<String>();
        withheld.body().path("sensitive").forEach(n -> names.add(n.asText()));
        assertThat(names).containsExactlyInAnyOrder("Authorization", "X-Auth-Token");

        assertThat(herald.api.patch(path, json("headers", Map.of("X-Five", "5"), "deleteHeaders", List.of("X-Four")))
                .status()).isEqualTo(204);
        assertThat(herald.api.get(path).body().path("headers").toString()).isEqualTo("{\"X-Five\":\"5\"}");
    }

    /** Header names are case-insensitive: two that differ by case only would go out as one, which one by chance. */
    @Test
    void header_names_are_one_whatever_their_case() {
        String id = createId("url", "https://example.com/h", "headers", Map.of("X-Token", "old", "X-Keep", "k"));
        String path = base + "/" + id + "/headers";
        assertThat(herald.api.patch(path, "{\"headers\": {\"x-token\": \"new\"}}").status()).isEqualTo(204);
        assertThat(herald.api.get(path).body().path("headers").toString()).isEqualTo("{\"X-Keep\":\"k\",\"x-token\":\"new\"}");
        assertThat(herald.api.patch(path, json("deleteHeaders", List.of("X-TOKEN"))).status()).isEqualTo(204);
        assertThat(herald.api.patch(path, "{\"headers\": {\"x-keep\": null}}").status()).isEqualTo(204);
        assertThat(herald.api.get(path).body().path("headers").toString()).isEqualTo("{}");

        String twice = "{\"X-A\": \"1\", \"x-a\": \"2\"}";
        assertInvalid(herald.api.put(path, "{\"headers\": " + twice + "}"), "body", "headers");
        assertInvalid(herald.api.post(base, "{\"url\": \"https://example.com/\", \"headers\": " + twice + "}"), "body", "headers");
    }

    @Test
    void put_headers_requires_the_headers_field() {
        String id = createId("url", "https://example.com/h", "headers", Map.of("X-One", "1"));
        String path = base + "/" + id + "/headers";
        assertInvalid(herald.api.put(path, "{}"), "body", "headers");
        assertInvalid(herald.api.put(path, "{\"headers\": null}"), "body", "headers");
        assertThat(herald.api.get(path).body().path("headers").size()).isEqualTo(1);
    }

    @Test
    void delete_removes_the_endpoint_and_its_secret() {
        String id = createId("url", "https://example.com/d");
        assertThat(herald.api.delete(base + "/" + id).status()).isEqualTo(204);
        assertError(herald.api.get(base + "/" + id), 404, "not_found");
        assertError(herald.api.get(base + "/" + id + "/secret"), 404, "not_found");
        assertThat(TestDatabase.jdbi().<Integer, RuntimeException>withHandle(h -> h.createQuery("select count(*) from endpoint_secret")
                .mapTo(Integer.class).one())).isZero();
    }

    @Test
    void walks_every_endpoint_once_through_the_iterator() {
        var ids = new ArrayList<String>();
        IntStream.range(0, 8).forEach(i -> ids.add(createId("url", "https://example.com/" + i)));
        var newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);
        assertThat(Pages.walk(herald.api, base, 3, "", "id")).containsExactlyElementsOf(newestFirst);
        assertThat(Pages.walk(herald.api, base, 3, "&order=ascending", "id")).containsExactlyElementsOf(ids);
        assertThat(Pages.walk(herald.api, base, 4, "&order=ascending", "id")).containsExactlyElementsOf(ids);
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=251", "limit=1.5", "order=random"})
    void rejects_bad_list_parameters_with_422(String query) {
        assertThat(herald.api.get(base + "?" + query).status()).isEqualTo(422);
    }

    @ParameterizedTest
    @CsvSource({"GET,", "POST,", "GET,/ep_x", "PUT,/ep_x", "PATCH,/ep_x", "DELETE,/ep_x", "GET,/ep_x/secret",
            "POST,/ep_x/secret/rotate", "GET,/ep_x/headers", "PUT,/ep_x/headers", "PATCH,/ep_x/headers"})
    void refuses_a_wrong_or_missing_token_with_401(String method, String suffix) {
        String path = base + (suffix == null ? "" : suffix);
        String body = json("url", "https://example.com/", "headers", Map.of());
        assertError(herald.api.withToken("sk_wrong").send(method, path, body), 401, "authentication_failed");
        assertError(herald.api.withToken(null).send(method, path, body), 401, "authentication_failed");
        assertThat(herald.api.get(base).body().path("data")).isEmpty();
    }
}
