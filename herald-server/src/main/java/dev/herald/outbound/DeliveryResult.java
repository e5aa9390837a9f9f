package dev.herald.outbound;

/**
 * What happened to one {@link OutboundRequest}.
 *
 * @param statusCode HTTP status, or 0 when no complete response head arrived
 * @param responseBody the first {@link #MAX_BODY_BYTES} bytes of the response body as text; null
 *     when there was no response
 * @param durationMs time from send to completion
 * @param errorMessage null when the exchange completed; otherwise a short classification such as
 *     {@code "timeout after 15000 ms"} or {@code "blocked address 10.0.0.1 (private range)"}. A
 *     status can accompany an error when the connection broke during the body.
 * @param retryAfter the response's raw {@code Retry-After} header, null if absent, so the retry
 *     policy can honour a receiver asking for a pause
 */
public record DeliveryResult(int statusCode, String responseBody, long durationMs, String errorMessage, String retryAfter) {

    /** How much of a response body is kept: enough to debug a receiver, bounded for storage. */
    public static final int MAX_BODY_BYTES = 20_480;

    /** A result without a Retry-After header. */
    public DeliveryResult(int statusCode, String responseBody, long durationMs, String errorMessage) {
        this(statusCode, responseBody, durationMs, errorMessage, null);
    }

    /** No response at all, e.g. refused, timed out or blocked by the guard. */
    public static DeliveryResult failure(String errorMessage, long durationMs) {
        return new DeliveryResult(0, null, durationMs, errorMessage, null);
    }

    /**
     * A 2xx status: the receiver accepted the webhook. The status decides, as in Svix and the Standard Webhooks spec: a
     * body that broke off or dripped past the timeout after a 2xx head is noted ({@code errorMessage}) but does not
     * make the receiver, which has processed the webhook, get it again.
     */
    public boolean isSuccess() {
        return statusCode >= 200 && statusCode < 300;
    }
}
