package dev.herald.routing;

import java.util.Map;

/**
 * What a transformation makes of one message.
 *
 * @param method POST, PUT or PATCH (POST when the transformation names none)
 * @param url the URL to send to, or null to use the endpoint's own URL
 * @param headers extra headers to send, in the order the transformation lists them; never null
 * @param body the JSON body to send, or null to send the original payload
 */
public record RenderedRequest(String method, String url, Map<String, String> headers, byte[] body) {}
