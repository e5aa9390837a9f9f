package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rolling key rotation: nodes already on the new key seal new headers with it while the others, on the old key alone,
 * still serve. Those show the endpoint's page with a notice in place of its headers, and the API a 503, not a 500.
 */
@ExtendWith(TestDatabase.class)
class PortalKeyRotationTest {
    static final String NEW_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    /** Headers sealed with the new key would keep the next test's nodes, on the old key, from starting. */
    @AfterEach
    void leaveNothingSealedWithTheNewKey() {
        TestDatabase.clean();
    }

    @Test
    void a_node_without_the_key_shows_the_endpoint_page_with_a_notice_in_place_of_its_headers() {
        try (var oldKeyNode = TestHerald.start()) {
            String app = oldKeyNode.api.post("/api/v1/app", json("name", "Rolling")).text("id");
            String endpoint = oldKeyNode.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/k")).text("id");
            String headers = "/api/v1/app/" + app + "/endpoint/" + endpoint + "/headers";
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_ENCRYPTION_KEY", NEW_KEY);
            env.put("HERALD_ENCRYPTION_KEYS_OLD", TestHerald.ENCRYPTION_KEY);
            try (var newKeyNode = TestHerald.start(env, Clock.systemUTC())) {
                var put = newKeyNode.api.put(headers, json("headers", Map.of("X-Team", "rolling-team-7")));
                assertThat(put.status()).as(put.raw()).isEqualTo(204);
            }

            var page = PortalBrowser.signedIn(oldKeyNode, app, "{}").get("/portal/" + app + "/endpoints/" + endpoint);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("http://127.0.0.1:9/k")
                    .contains("This node lacks the encryption key these headers are sealed with")
                    .doesNotContain("rolling-team-7");
            var api = oldKeyNode.api.get(headers);
            assertThat(api.status()).as(api.raw()).isEqualTo(503);
            assertThat(api.text("code")).isEqualTo("service_unavailable");
            // the endpoint itself is still served: only its headers need the key
            assertThat(oldKeyNode.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).status()).isEqualTo(200);
        }
    }
}
