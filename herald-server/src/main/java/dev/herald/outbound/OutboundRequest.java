package dev.herald.outbound;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to a webhook endpoint.
 *
 * @param url absolute http or https URL
 * @param method HTTP method; {@code POST} when null
 * @param headers extra request headers; Content-Type defaults to application/json
 * @param body request body; empty when null
 */
public record OutboundRequest(URI url, String method, Map<String, String> headers, byte[] body) {

    public OutboundRequest {
        Objects.requireNonNull(url, "url");
        method = method == null ? "POST" : method;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** The usual webhook: a POST of a JSON body. */
    public static OutboundRequest post(URI url, Map<String, String> headers, byte[] body) {
        return new OutboundRequest(url, "POST", headers, body);
    }
}
