package dev.herald.security;

import dev.herald.client.webhook.Ed25519Keys;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Endpoint signing secrets: {@code whsec_} + base64 of 24 random bytes, as Svix makes them, or an Ed25519 key pair
 * ({@code whsk_}) an endpoint was given.
 */
public final class WebhookSecrets {
    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecrets() {}

    public static String generate() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /**
     * Supplied secrets may omit the prefix; they are stored with it so reads are uniform. An Ed25519 key pair
     * ({@code whsk_}) is kept as it is.
     */
    public static String normalize(String secret) {
        return secret.startsWith(PREFIX) || Ed25519Keys.isSigningKey(secret) ? secret : PREFIX + secret;
    }

    /**
     * What the API shows of a stored secret: an HMAC secret as it is (the receiver needs it), an Ed25519 key pair as
     * its public key ({@code whpk_…}), which is all a receiver needs and all that may leave Herald, as in Svix.
     */
    public static String shown(String secret) {
        return Ed25519Keys.isSigningKey(secret) ? Ed25519Keys.readSigningKey(secret).publicKeyText() : secret;
    }
}
