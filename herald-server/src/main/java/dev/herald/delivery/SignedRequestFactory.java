package dev.herald.delivery;

import dev.herald.config.HeraldConfig.SignatureHeaders;
import dev.herald.outbound.OutboundRequest;
import dev.herald.outbound.Signer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the signed HTTP request for one attempt: the endpoint's custom headers, then the Standard
 * Webhooks headers (and/or Svix's names), signing exactly the bytes that are sent.
 */
public final class SignedRequestFactory {
    private final SignatureHeaders style;

    public SignedRequestFactory(SignatureHeaders style) {
        this.style = style;
    }

    public OutboundRequest build(URI url, String msgId, long timestampSeconds, byte[] body, List<String> secrets,
                                 Map<String, String> customHeaders) {
        return build(url, "POST", msgId, timestampSeconds, body, secrets, customHeaders);
    }

    /** The same with another method (an endpoint's transformation may send PUT or PATCH). */
    public OutboundRequest build(URI url, String method, String msgId, long timestampSeconds, byte[] body,
                                 List<String> secrets, Map<String, String> customHeaders) {
        String signature = Signer.signatureHeader(secrets, msgId, timestampSeconds, body);
        var headers = new LinkedHashMap<String, String>(customHeaders);
        // one entry per name: the request's map is unordered, so "Content-Type" next to "content-type" would
        // let a random one win. A custom content type replaces the default, as in Svix.
        boolean customContentType = customHeaders.keySet().stream().anyMatch("content-type"::equalsIgnoreCase);
        if (!customContentType) headers.put("content-type", "application/json");
        String timestamp = Long.toString(timestampSeconds);
        if (style != SignatureHeaders.SVIX) {
            headers.put("webhook-id", msgId);
            headers.put("webhook-timestamp", timestamp);
            headers.put("webhook-signature", signature);
        }
        if (style != SignatureHeaders.WEBHOOK) {
            headers.put("svix-id", msgId);
            headers.put("svix-timestamp", timestamp);
            headers.put("svix-signature", signature);
        }
        return new OutboundRequest(url, method, headers, body);
    }

    public static byte[] bytes(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
