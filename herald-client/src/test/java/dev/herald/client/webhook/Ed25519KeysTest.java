package dev.herald.client.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.client.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Asymmetric (v1a) signatures against the key pair, public key and signature of Svix's own tests. */
class Ed25519KeysTest {
    static final String SVIX_KEY = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
    static final String SVIX_PUBLIC_KEY = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TIMESTAMP = 1614265330L;
    static final String BODY = "{\"test\": 2432232314}";
    static final String SVIX_SIGNATURE = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
    static final String HMAC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String HMAC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(TIMESTAMP));

    @Test
    void signs_as_svix_does_and_shows_the_same_public_key() {
        var key = Ed25519Keys.signingKey(SVIX_KEY);
        assertThat(key.publicKeyText()).isEqualTo(SVIX_PUBLIC_KEY);
        byte[] signature = Ed25519Keys.sign(key.privateKey(),
                Ed25519Keys.signedContent(ID, TIMESTAMP, BODY.getBytes(StandardCharsets.UTF_8)));
        assertThat("v1a," + Base64.getEncoder().encodeToString(signature)).isEqualTo(SVIX_SIGNATURE);
    }

    @Test
    void refuses_keys_that_are_not_one_ed25519_key_pair() {
        byte[] pair = Base64.getDecoder().decode(SVIX_KEY.substring(5));
        byte[] otherHalf = pair.clone();
        otherHalf[40] ^= 1; // the public half no longer the seed's
        for (String bad : List.of("whsk_" + Base64.getEncoder().encodeToString(otherHalf),
                "whsk_" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(pair, 32)), "whsk_not*base64", "whsec_x")) {
            assertThatThrownBy(() -> Ed25519Keys.signingKey(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Ed25519Keys.publicKey("whpk_AAAA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_verifier_given_the_public_key_checks_the_v1a_entries() throws Exception {
        var verifier = WebhookVerifier.of(SVIX_PUBLIC_KEY).withClock(clock);
        // beside an HMAC entry (a rotation between the two kinds), in either order
        assertThat(verifier.verify(BODY, headers(HMAC_SIGNATURE + " " + SVIX_SIGNATURE)).id()).isEqualTo(ID);
        assertThat(verifier.verify(BODY, headers(SVIX_SIGNATURE + " " + HMAC_SIGNATURE)).id()).isEqualTo(ID);

        assertThatThrownBy(() -> verifier.verify(BODY.replace("2432", "2433"), headers(SVIX_SIGNATURE)))
                .isInstanceOf(InvalidSignatureException.class);
        assertThatThrownBy(() -> verifier.verify(BODY, headers(HMAC_SIGNATURE)))
                .as("an HMAC signature says nothing to a public key").isInstanceOf(InvalidSignatureException.class);
        assertThatThrownBy(() -> verifier.verify(BODY, headers("v1a,AAAA v1a,@@@")))
                .isInstanceOf(InvalidSignatureException.class);
        // and the HMAC secret's verifier takes the v1 entry of the same header, not the v1a one
        assertThat(WebhookVerifier.of(HMAC_SECRET).withClock(clock).verify(BODY, headers(SVIX_SIGNATURE + " " + HMAC_SIGNATURE)).id())
                .isEqualTo(ID);
        assertThatThrownBy(() -> WebhookVerifier.of(HMAC_SECRET).withClock(clock).verify(BODY, headers(SVIX_SIGNATURE)))
                .isInstanceOf(InvalidSignatureException.class);
    }

    private static Map<String, List<String>> headers(String signature) {
        return Map.of("webhook-id", List.of(ID), "webhook-timestamp", List.of(Long.toString(TIMESTAMP)),
                "webhook-signature", List.of(signature));
    }
}
