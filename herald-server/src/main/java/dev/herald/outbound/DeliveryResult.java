package dev.herald.outbound;

/**
 * What happened to one {@link OutboundRequest}.
 *
 * @param statusCode HTTP status, or 0 when no response status arrived
 * @param responseBody the first {@link #MAX_BODY_BYTES} bytes of the response body as text; null
 *     when there was no response
 * @param durationMs time from send to completion
 * @param errorMessage null when the exchange completed; otherwise a short classification such as
 *     {@code "timeout after 15000 ms"} or {@code "blocked address 10.0.0.1 (private range)"}. A
 *     status can accompany an error when the connection broke after the status line.
 */
public record DeliveryResult(int statusCode, String responseBody, long durationMs, String errorMessage) {

    /** How much of a response body is kept: enough to debug a receiver, bounded for storage. */
    public static final int MAX_BODY_BYTES = 20_480;

    static DeliveryResult response(int statusCode, String responseBody, long durationMs) {
        return new DeliveryResult(statusCode, responseBody, durationMs, null);
    }

    static DeliveryResult failure(String errorMessage, long durationMs) {
        return new DeliveryResult(0, null, durationMs, errorMessage);
    }

    /** A completed exchange with a 2xx status: the receiver accepted the webhook. */
    public boolean isSuccess() {
        return errorMessage == null && statusCode >= 200 && statusCode < 300;
    }
}
