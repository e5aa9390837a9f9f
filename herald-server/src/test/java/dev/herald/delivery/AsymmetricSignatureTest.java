package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.delivery.DeliveryFixture.secret;
import static dev.herald.delivery.DeliveryFixture.signatureHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.webhook.Ed25519Keys;
import dev.herald.client.webhook.WebhookVerifier;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An endpoint given an Ed25519 key pair ({@code whsk_…}, as Svix takes it) signs with it ({@code v1a,}); the API shows
 * only its public key ({@code whpk_…}), which is what the receiver verifies with.
 */
@ExtendWith(TestDatabase.class)
class AsymmetricSignatureTest {
    // Svix's own test key pair and its public key
    static final String KEY = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    static final String PUBLIC_KEY = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
    static TestHerald herald;
    Receiver receiver;
    String app;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anApplication() {
        receiver = new Receiver();
        app = app(herald.api, "asymmetric");
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void an_endpoint_with_an_ed25519_key_signs_v1a_and_shows_only_its_public_key() throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"" + receiver.url("/a") + "\",\"secret\":\"" + KEY + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String ep = created.text("id");
        assertThat(secret(herald.api, app, ep)).isEqualTo(PUBLIC_KEY);
        assertThat(created.raw()).doesNotContain("whsk_");

        String msg = publish(herald.api, app, "{\"eventType\":\"a.b\",\"payload\":{\"amount\":1.10}}");
        Receiver.await(WAIT, () -> receiver.requests("/a").size() == 1, "the delivery");
        var request = receiver.requests("/a").get(0);
        String header = request.header("webhook-signature");
        assertThat(header).startsWith("v1a,").doesNotContain(" ");
        // Herald's verifier given the public key, and the JDK's Ed25519 by hand on the exact bytes sent
        WebhookVerifier.of(PUBLIC_KEY).verify(request.body(), signatureHeaders(request, "webhook"));
        byte[] content = (msg + "." + request.header("webhook-timestamp") + "." + request.body()).getBytes(StandardCharsets.UTF_8);
        assertThat(Ed25519Keys.verify(Ed25519Keys.publicKey(PUBLIC_KEY), content,
                Base64.getDecoder().decode(header.substring("v1a,".length())))).isTrue();
    }

    @Test
    void rotation_between_the_kinds_signs_with_both_during_the_grace_period() throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + receiver.url("/r") + "\"}");
        String ep = created.text("id");
        String hmacSecret = secret(herald.api, app, ep);
        var rotated = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/secret/rotate", "{\"key\":\"" + KEY + "\"}");
        assertThat(rotated.status()).as(rotated.raw()).isBetween(200, 204);
        assertThat(secret(herald.api, app, ep)).isEqualTo(PUBLIC_KEY);

        publish(herald.api, app, "{\"eventType\":\"a.b\",\"payload\":{}}");
        Receiver.await(WAIT, () -> receiver.requests("/r").size() == 1, "the delivery");
        var request = receiver.requests("/r").get(0);
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2)
                .anyMatch(e -> e.startsWith("v1a,")).anyMatch(e -> e.startsWith("v1,"));
        // a receiver still on the old secret, and one already on the public key, both accept it
        new com.svix.Webhook(hmacSecret).verify(request.body(), signatureHeaders(request, "webhook"));
        WebhookVerifier.of(PUBLIC_KEY).verify(request.body(), signatureHeaders(request, "webhook"));
    }

    /** HERALD_DEFAULT_SIGNATURE_TYPE=ed25519: endpoints given no secret get a key pair of their own, as in Svix. */
    @Test
    void with_ed25519_as_the_default_an_endpoint_given_no_secret_gets_a_key_pair() throws Exception {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DEFAULT_SIGNATURE_TYPE", "ed25519");
        try (var node = TestHerald.start(env, java.time.Clock.systemUTC())) {
            String appId = app(node.api, "ed25519-default");
            var made = node.api.post("/api/v1/app/" + appId + "/endpoint", "{\"url\":\"" + receiver.url("/d") + "\"}");
            assertThat(made.status()).as(made.raw()).isEqualTo(201);
            String ep = made.text("id");
            var shown = node.api.get("/api/v1/app/" + appId + "/endpoint/" + ep + "/secret");
            assertThat(shown.status()).as(shown.raw()).isEqualTo(200);
            String first = shown.text("key");
            assertThat(first).startsWith("whpk_");
            assertThat(Ed25519Keys.publicKey(first)).isNotNull();
            // the key pair is sealed at rest like any secret
            String stored = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select encode(ciphertext, 'escape') from endpoint_secret where endpoint_id = :ep").bind("ep", ep).mapTo(String.class).one());
            assertThat(stored).doesNotContain("whsk_");

            assertThat(node.api.post("/api/v1/app/" + appId + "/endpoint/" + ep + "/secret/rotate", "{}").status()).isBetween(200, 204);
            String second = secret(node.api, appId, ep);
            assertThat(second).startsWith("whpk_").isNotEqualTo(first);
            publish(node.api, appId, "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(WAIT, () -> receiver.requests("/d").size() == 1, "the delivery");
            var request = receiver.requests("/d").get(0);
            assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch(e -> e.startsWith("v1a,"));
            WebhookVerifier.of(second).verify(request.body(), signatureHeaders(request, "webhook"));
            WebhookVerifier.of(first).verify(request.body(), signatureHeaders(request, "webhook"));

            // an AutoConfig token still carries an HMAC secret, which its endpoint signs with
            var token = dev.herald.api.AutoConfigTest.decode(node.api.post("/api/v1/app/" + appId + "/autoconfig", "{}").text("token"));
            assertThat(token.path("esec").asText()).startsWith("whsec_");
        }
    }

    @Test
    void a_key_pair_that_is_not_one_is_a_422_naming_the_field_and_stores_nothing() {
        byte[] pair = Base64.getDecoder().decode(KEY.substring(5));
        pair[40] ^= 1;
        String mismatched = "whsk_" + Base64.getEncoder().encodeToString(pair);
        String seedOnly = "whsk_" + Base64.getEncoder().encodeToString(Arrays.copyOf(pair, 32));
        for (String bad : new String[] {mismatched, seedOnly, "whsk_@@@@", PUBLIC_KEY}) {
            var refused = herald.api.post("/api/v1/app/" + app + "/endpoint",
                    "{\"url\":\"" + receiver.url("/x") + "\",\"secret\":\"" + bad + "\"}");
            assertThat(refused.status()).as(bad + " " + refused.raw()).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"secret\"]");
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();

        // an AutoConfig token carries an HMAC secret: the SDKs' AutoConfig.verify() checks v1 entries only
        String config = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("id");
        var autoConfig = herald.api.post("/api/v1/app/" + app + "/autoconfig/" + config + "/rotate",
                "{\"signingSecret\":{\"key\":\"" + KEY + "\"}}");
        assertThat(autoConfig.status()).as(autoConfig.raw()).isEqualTo(422);
        assertThat(autoConfig.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"signingSecret\",\"key\"]");
    }
}
