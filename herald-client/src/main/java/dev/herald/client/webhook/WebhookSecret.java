package dev.herald.client.webhook;

import java.util.Base64;

/** The HMAC key behind a secret: base64 after an optional {@code whsec_} prefix, as Standard Webhooks defines it. */
final class WebhookSecret {
    static final String PREFIX = "whsec_";

    private WebhookSecret() {}

    static byte[] key(String secret) {
        if (secret == null || secret.isBlank()) throw new IllegalArgumentException("webhook secret is missing");
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook secret is not valid base64 (expected whsec_<base64>)", e);
        }
        if (key.length == 0) throw new IllegalArgumentException("webhook secret is empty");
        return key;
    }
}
