package dev.herald.security;

import java.security.SecureRandom;
import java.util.Base64;

/** Endpoint signing secrets: {@code whsec_} + base64 of 24 random bytes, as Svix makes them. */
public final class WebhookSecrets {
    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecrets() {}

    public static String generate() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** Supplied secrets may omit the prefix; they are stored with it so reads are uniform. */
    public static String normalize(String secret) {
        return secret.startsWith(PREFIX) ? secret : PREFIX + secret;
    }
}
