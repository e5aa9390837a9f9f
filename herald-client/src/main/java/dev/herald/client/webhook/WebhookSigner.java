package dev.herald.client.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs a request as Herald does, for testing your receiver: {@code v1,} + base64 HMAC-SHA256 of
 * {@code id.timestamp.body} under the secret's key.
 */
public final class WebhookSigner {
    private final byte[] key;

    private WebhookSigner(byte[] key) {
        this.key = key;
    }

    /** @param secret {@code whsec_<base64>} or bare base64 */
    public static WebhookSigner of(String secret) {
        return new WebhookSigner(WebhookSecret.key(secret));
    }

    /** The {@code webhook-signature} value: {@code v1,<base64>}. */
    public String sign(String id, long timestampSeconds, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(Hmac.sign(key, id, timestampSeconds, body));
    }

    public String sign(String id, long timestampSeconds, String body) {
        return sign(id, timestampSeconds, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The three {@code webhook-*} headers of a signed request. */
    public Map<String, String> headers(String id, long timestampSeconds, byte[] body) {
        var headers = new LinkedHashMap<String, String>();
        headers.put(WebhookHeaders.ID, id);
        headers.put(WebhookHeaders.TIMESTAMP, Long.toString(timestampSeconds));
        headers.put(WebhookHeaders.SIGNATURE, sign(id, timestampSeconds, body));
        return headers;
    }
}
