package dev.herald.security;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.cli.ReencryptCommand;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_ENCRYPTION_KEY rotates: old keys keep decrypting, and a command moves every secret (and integration key, and AutoConfig secret) to the new key. */
@ExtendWith(TestDatabase.class)
class KeyRotationTest {
    static final String OLD_KEY = TestHerald.ENCRYPTION_KEY;
    static final String NEW_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    /** The secrets this test sealed with its new key would keep the next test's nodes, on the old key, from starting. */
    @org.junit.jupiter.api.AfterEach
    void leaveNoSecretsSealedWithTheNewKey() {
        TestDatabase.clean();
    }

    @Test
    void rotates_the_encryption_key_without_losing_a_secret() {
        String app;
        String endpoint;
        String secret;
        String integration;
        String integrationKey;
        com.fasterxml.jackson.databind.JsonNode autoConfig;
        String portalToken;
        try (var herald = TestHerald.start()) {
            app = herald.api.post("/api/v1/app", json("name", "keys")).text("id");
            endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/k",
                    "headers", java.util.Map.of("X-Api-Key", "rotated-header-1"))).text("id");
            secret = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret").text("key");
            integration = herald.api.post("/api/v1/app/" + app + "/integration", json("name", "zap")).text("id");
            integrationKey = herald.api.get("/api/v1/app/" + app + "/integration/" + integration + "/key").text("key");
            autoConfig = dev.herald.api.AutoConfigTest.decode(herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("token"));
            portalToken = herald.api.send("POST", "/api/v1/auth/app-portal-access/" + app, "{}", "idempotency-key", "portal-1").text("token");
        }
        // the answer kept under the key, a token in it, is sealed like the secrets
        String kept = TestDatabase.jdbi().withHandle(h -> h.createQuery("select response from idempotency_key where key = 'portal-1'")
                .mapTo(String.class).one());
        assertThat(kept).startsWith("sealed:").doesNotContain(portalToken);
        var rotated = new HashMap<>(TestHerald.defaultEnv());
        rotated.put("HERALD_ENCRYPTION_KEY", NEW_KEY);
        rotated.put("HERALD_ENCRYPTION_KEYS_OLD", OLD_KEY);
        // new key current, old key still decrypting: works before re-encryption
        try (var herald = TestHerald.start(rotated, Clock.systemUTC())) {
            assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret").text("key")).isEqualTo(secret);
        }
        // without the old key: one line naming the setting (it was a stack trace), and nothing re-sealed
        var withoutOld = new HashMap<>(rotated);
        withoutOld.remove("HERALD_ENCRYPTION_KEYS_OLD");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReencryptCommand.run(withoutOld, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(dev.herald.config.ConfigException.class)
                .hasMessageStartingWith("HERALD_ENCRYPTION_KEYS_OLD: the database holds secrets sealed with key ")
                .hasMessageNotContaining(OLD_KEY).hasMessageNotContaining(NEW_KEY);
        var out = new ByteArrayOutputStream();
        assertThat(ReencryptCommand.run(rotated, new PrintStream(out, true))).isZero();
        assertThat(out.toString()).contains("re-encrypted 1 secrets, 1 endpoints' headers, 1 integration keys, 1 AutoConfig secrets and 1 answers kept under idempotency keys");
        String newKeyId = new SecretBox(java.util.Base64.getDecoder().decode(NEW_KEY), java.util.List.of()).currentKeyId();
        var keyIds = TestDatabase.jdbi().withHandle(h -> h.createQuery("select distinct key_id from endpoint_secret").mapTo(String.class).list());
        assertThat(keyIds).containsExactly(newKeyId);
        java.util.List<String> integrationKeyIds = TestDatabase.jdbi().withHandle(h -> h.createQuery("select distinct key_id from integration")
                .mapTo(String.class).list());
        assertThat(integrationKeyIds).containsExactly(newKeyId);
        java.util.List<String> autoConfigKeyIds = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select distinct secret_key_id from autoconfig").mapTo(String.class).list());
        assertThat(autoConfigKeyIds).containsExactly(newKeyId);
        java.util.List<String> headerKeyIds = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select distinct headers_key_id from endpoint where headers_key_id is not null").mapTo(String.class).list());
        assertThat(headerKeyIds).containsExactly(newKeyId);

        // after re-encryption the old key is no longer needed
        var newOnly = new HashMap<>(TestHerald.defaultEnv());
        newOnly.put("HERALD_ENCRYPTION_KEY", NEW_KEY);
        try (var herald = TestHerald.start(newOnly, Clock.systemUTC())) {
            assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret").text("key")).isEqualTo(secret);
            assertThat(herald.api.get("/api/v1/app/" + app + "/integration/" + integration + "/key").text("key")).isEqualTo(integrationKey);
            assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/headers").body().path("headers")
                    .path("X-Api-Key").asText()).isEqualTo("rotated-header-1");
            var replayed = herald.api.send("POST", "/api/v1/auth/app-portal-access/" + app, "{}", "idempotency-key", "portal-1");
            assertThat(replayed.status()).as(replayed.raw()).isEqualTo(200);
            assertThat(replayed.text("token")).isEqualTo(portalToken);
            // the AutoConfig secret, sealed before, is the one its first subscribe gives the endpoint
            String eid = autoConfig.path("eid").asText();
            var subscribed = herald.api.withToken(autoConfig.path("tok").asText()).put(
                    "/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config", "{\"endpoint\":{\"url\":\"http://127.0.0.1:9/a\"}}");
            assertThat(subscribed.status()).as(subscribed.raw()).isEqualTo(200);
            assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid + "/secret").text("key"))
                    .isEqualTo(autoConfig.path("esec").asText());
        }
    }

    /**
     * An endpoint read before reencrypt-secrets re-sealed its headers and written after (a PATCH of its description that
     * raced the command): the write keeps the row's re-sealed headers, not the stale copy it read, which only the old key
     * opens and which would be lost once that key is dropped.
     */
    @Test
    void an_endpoint_written_back_after_its_headers_were_re_encrypted_keeps_them_under_the_new_key() {
        String app;
        String endpoint;
        try (var herald = TestHerald.start()) {
            app = herald.api.post("/api/v1/app", json("name", "race")).text("id");
            endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/r",
                    "headers", java.util.Map.of("X-Api-Key", "raced-header-1"))).text("id");
        }
        byte[] oldKey = java.util.Base64.getDecoder().decode(OLD_KEY);
        byte[] newKey = java.util.Base64.getDecoder().decode(NEW_KEY);
        var rotated = new dev.herald.store.EndpointStore(TestDatabase.jdbi(), new SecretBox(newKey, java.util.List.of(oldKey)));
        var stale = rotated.find(app, endpoint).orElseThrow();
        assertThat(stale.sealedHeaders()).isNotNull();
        assertThat(rotated.reencryptHeaders()).isEqualTo(1);

        rotated.update(new dev.herald.domain.Endpoint(stale.id(), stale.appId(), stale.uid(), stale.url(), "changed meanwhile",
                stale.disabled(), stale.filterTypes(), stale.channels(), stale.headers(), stale.rateLimit(), stale.throttleRate(),
                stale.metadata(), stale.version(), stale.createdAt(), stale.updatedAt(), stale.filterJson(),
                stale.transformationJson(), stale.ordering(), stale.sealedHeaders()));

        var newOnly = new dev.herald.store.EndpointStore(TestDatabase.jdbi(), new SecretBox(newKey, java.util.List.of()));
        var written = newOnly.find(app, endpoint).orElseThrow();
        assertThat(written.description()).isEqualTo("changed meanwhile");
        assertThat(newOnly.headersOf(written)).containsExactly(java.util.Map.entry("X-Api-Key", "raced-header-1"));
    }
}
