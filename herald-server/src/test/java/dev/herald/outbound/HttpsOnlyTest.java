package dev.herald.outbound;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_ENDPOINT_HTTPS_ONLY (Svix's endpoint_https_only): a plain-http URL is refused wherever one is saved, and no
 * request goes out over plain http, whether its URL was saved before the setting was turned on or rendered by a
 * transformation. Requests go only to a receiver on 127.0.0.1, which must get none.
 */
@ExtendWith(TestDatabase.class)
class HttpsOnlyTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    static Map<String, String> httpsOnly() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_ENDPOINT_HTTPS_ONLY", "true");
        return env;
    }

    @Test
    void a_plain_http_url_is_refused_where_it_is_saved() {
        try (var herald = TestHerald.start(httpsOnly(), Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "h")).text("id");
            String endpoints = "/api/v1/app/" + app + "/endpoint";
            assertRefused(herald.api.post(endpoints, json("url", "http://127.0.0.1:9/hook")), "url");
            assertRefused(herald.api.post(endpoints, json("url", "HTTP://example.com/hook")), "url");

            var created = herald.api.post(endpoints, json("url", "https://hooks.example.com/h"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String ep = endpoints + "/" + created.text("id");
            assertRefused(herald.api.put(ep, json("url", "http://hooks.example.com/h")), "url");
            assertRefused(herald.api.patch(ep, json("url", "http://hooks.example.com/h")), "url");
            assertRefused(herald.api.patch(ep, "{\"transformation\":{\"url\":\"http://hooks.example.com/t\"}}"), "transformation");
            assertThat(herald.api.patch(ep, "{\"transformation\":{\"url\":\"https://hooks.example.com/t\"}}").status()).isEqualTo(200);
            assertThat(herald.api.get(ep).text("url")).isEqualTo("https://hooks.example.com/h");

            String autoConfig = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("id");
            assertRefused(herald.api.put("/api/v1/app/" + app + "/autoconfig/" + autoConfig + "/endpoint",
                    json("url", "http://hooks.example.com/a")), "url");
            assertRefused(herald.api.post("/api/v1/connector", json("name", "c",
                    "transformation", "{\"url\":\"http://hooks.example.com/c\"}")), "transformation");
            assertRefused(herald.api.post("/api/v1/operational-webhook/endpoint", json("url", "http://ops.example.com/o")), "url");
            assertThat(herald.api.post("/api/v1/operational-webhook/endpoint", json("url", "https://ops.example.com/o")).status()).isEqualTo(201);
        }
    }

    @Test
    void nothing_goes_out_over_plain_http_once_it_is_set() {
        try (var receiver = new Receiver()) {
            String app;
            String savedBefore;
            try (var herald = TestHerald.start()) { // the setting off: http to the receiver is taken
                app = herald.api.post("/api/v1/app", json("name", "h")).text("id");
                for (String type : new String[] {"plain", "templated"}) {
                    assertThat(herald.api.post("/api/v1/event-type", json("name", type, "description", type)).status()).isEqualTo(201);
                }
                savedBefore = herald.api.post("/api/v1/app/" + app + "/endpoint",
                        "{\"url\":\"" + receiver.url("/before") + "\",\"filterTypes\":[\"plain\"]}").text("id");
                assertThat(savedBefore).startsWith("ep_");
            }
            try (var herald = TestHerald.start(httpsOnly(), Clock.systemUTC())) {
                // a transformation whose URL comes from the payload: rendered per send, so checked per send
                String templated = herald.api.post("/api/v1/app/" + app + "/endpoint",
                        "{\"url\":\"https://hooks.example.com/h\",\"filterTypes\":[\"templated\"],"
                                + "\"transformation\":{\"url\":\"{{payload.target}}\"}}").text("id");
                String plain = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"plain\",\"payload\":{}}").text("id");
                String rendered = herald.api.post("/api/v1/app/" + app + "/msg",
                        "{\"eventType\":\"templated\",\"payload\":{\"target\":\"" + receiver.url("/rendered") + "\"}}").text("id");

                JsonNode first = attempt(herald, app, plain);
                assertThat(first.path("endpointId").asText()).isEqualTo(savedBefore);
                assertThat(first.path("status").asInt()).isEqualTo(2);
                assertThat(first.path("errorMessage").asText()).isEqualTo(UrlPolicy.HTTPS_ONLY);
                JsonNode second = attempt(herald, app, rendered);
                assertThat(second.path("endpointId").asText()).isEqualTo(templated);
                assertThat(second.path("status").asInt()).isEqualTo(2);
                assertThat(second.path("errorMessage").asText()).isEqualTo("transformation: rendered URL refused: " + UrlPolicy.HTTPS_ONLY);
            }
            assertThat(receiver.requests()).isEmpty();
        }
    }

    @Test
    void the_operational_webhook_url_is_held_to_it_and_the_value_must_be_a_boolean() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "https://ops.example.com/o");
        // without a secret every event would fail to be signed and be dropped: refused at start
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_OPERATIONAL_WEBHOOK_SECRET: required");
        for (String bad : java.util.List.of("whsec_!!!", "nope", "whsec_c2hvcnQ=")) {
            env.put("HERALD_OPERATIONAL_WEBHOOK_SECRET", bad);
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_OPERATIONAL_WEBHOOK_SECRET: must be");
        }
        env.put("HERALD_OPERATIONAL_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        for (String bad : java.util.List.of("notaurl", "ftp://ops.example.com/o", "https:///o", "https://ops.example.com/o#x", "https://:443/x",
                "https://ops.example.com:99999/o")) {
            env.put("HERALD_OPERATIONAL_WEBHOOK_URL", bad);
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessage("HERALD_OPERATIONAL_WEBHOOK_URL: '" + bad + "' is not a URL like https://ops.example.com/webhooks");
        }
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "https://u:p@ops.example.com/o");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_OPERATIONAL_WEBHOOK_URL: 'https://…@ops.example.com/o' is not a URL like https://ops.example.com/webhooks");
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "http://ops_receiver:8080/o");
        assertThat(HeraldConfig.fromEnvironment(env).operationalWebhookUrl()).contains("http://ops_receiver:8080/o");
        env.put("HERALD_OPERATIONAL_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        env.put("HERALD_ENDPOINT_HTTPS_ONLY", "true");
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "http://ops.example.com/o");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_OPERATIONAL_WEBHOOK_URL: must be https, as HERALD_ENDPOINT_HTTPS_ONLY is true");
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "https://ops.example.com/o");
        assertThat(HeraldConfig.fromEnvironment(env).endpointHttpsOnly()).isTrue();
        env.put("HERALD_ENDPOINT_HTTPS_ONLY", "maybe");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_ENDPOINT_HTTPS_ONLY");
        env.remove("HERALD_ENDPOINT_HTTPS_ONLY");
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", "http://ops.example.com/o");
        assertThat(HeraldConfig.fromEnvironment(env).endpointHttpsOnly()).isFalse();
    }

    private static void assertRefused(dev.herald.testing.ApiClient.Response response, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        JsonNode body = response.body();
        JsonNode item = body.path("detail").path(0);
        assertThat(item.path("loc").toString()).as(body.toString()).isEqualTo("[\"body\",\"" + field + "\"]");
        assertThat(item.path("msg").asText()).as(body.toString()).contains(UrlPolicy.HTTPS_ONLY);
    }

    private static JsonNode attempt(TestHerald herald, String app, String msg) {
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data").size() == 1,
                "the attempt of " + msg);
        return herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data").get(0);
    }
}
