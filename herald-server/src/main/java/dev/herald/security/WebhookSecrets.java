package dev.herald.security;

import dev.herald.client.webhook.Ed25519Keys;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

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

    /** A new Ed25519 key pair as {@code whsk_} and base64 of its seed and public key, the form Svix takes. */
    public static String generateEd25519() {
        byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
        Ed25519.generatePrivateKey(RANDOM, seed);
        byte[] pair = java.util.Arrays.copyOf(seed, Ed25519.SECRET_KEY_SIZE + Ed25519.PUBLIC_KEY_SIZE);
        Ed25519.generatePublicKey(seed, 0, pair, Ed25519.SECRET_KEY_SIZE);
        return Ed25519Keys.SECRET_PREFIX + Base64.getEncoder().encodeToString(pair);
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
