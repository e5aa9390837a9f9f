package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Svix SDKs still carry MessageAttempt.listByMsgDeprecated and listByEndpointDeprecated, and svix-server still
 * serves their routes: a message's attempts, and its attempts at one endpoint.
 */
@ExtendWith(TestDatabase.class)
class DeprecatedAttemptRoutesTest {

    private static List<String> ids(com.fasterxml.jackson.databind.JsonNode page) {
        var ids = new ArrayList<String>();
        page.path("data").forEach(a -> ids.add(a.path("id").asText()));
        return ids;
    }

    @Test
    void a_message_s_attempts_are_listed_at_the_deprecated_routes_too() {
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "old routes")).text("id");
            String one = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/one"))).text("id");
            String two = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/two"))).text("id");
            String msg = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").text("id");
            Receiver.await(Duration.ofSeconds(20), () -> api.get("/api/v1/app/" + app + "/attempt/msg/" + msg)
                    .body().path("data").size() == 2, "both attempts recorded");

            var current = api.get("/api/v1/app/" + app + "/attempt/msg/" + msg);
            var deprecated = api.get("/api/v1/app/" + app + "/msg/" + msg + "/attempt");
            assertThat(deprecated.status()).as(deprecated.raw()).isEqualTo(200);
            assertThat(ids(deprecated.body())).hasSize(2).isEqualTo(ids(current.body()));

            var atOne = api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + one + "/attempt");
            assertThat(atOne.status()).as(atOne.raw()).isEqualTo(200);
            assertThat(atOne.body().path("data")).hasSize(1);
            assertThat(atOne.body().path("data").get(0).path("endpointId").asText()).isEqualTo(one);
            assertThat(api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + two + "/attempt?status=0")
                    .body().path("data")).hasSize(1);
            assertThat(api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/ep_missing/attempt").status()).isEqualTo(404);
        }
    }
}
