package dev.herald.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A webhook endpoint. {@code filterJson} and {@code transformationJson} are Herald's extras, raw JSON
 * (null when unset): a payload filter applied at fan-out and a request template applied at send time.
 * {@code sealedHeaders}: its custom headers as stored, sealed at rest (then {@code headers} is empty), opened only where
 * they are shown or sent (EndpointStore.headersOf, the dispatcher), so a node without the key that sealed them can still
 * look the endpoint up; null when {@code headers} holds them in the clear (new ones, or a row from before V31). Written
 * back as it is, it keeps the headers unchanged.
 */
public record Endpoint(
        String id,
        String appId,
        String uid,
        String url,
        String description,
        boolean disabled,
        Set<String> filterTypes,
        Set<String> channels,
        Map<String, String> headers,
        Long rateLimit,
        Long throttleRate,
        Map<String, String> metadata,
        int version,
        Instant createdAt,
        Instant updatedAt,
        String filterJson,
        String transformationJson,
        String ordering,
        dev.herald.security.SecretBox.Sealed sealedHeaders) {

    /** Herald's {@code ordering: "fifo"}: strictly in publish order, one at a time. Default: unordered, parallel. */
    public static final String FIFO = "fifo";

    /** The same endpoint with these headers in the clear (its sealed ones opened, or new ones to be sealed). */
    public Endpoint withHeaders(Map<String, String> opened) {
        return new Endpoint(id, appId, uid, url, description, disabled, filterTypes, channels, opened, rateLimit, throttleRate,
                metadata, version, createdAt, updatedAt, filterJson, transformationJson, ordering, null);
    }

    public boolean fifo() {
        return FIFO.equals(ordering);
    }

    /**
     * Requests per second this endpoint takes: the stricter of {@code throttleRate} and {@code rateLimit} (Svix's older
     * name for it, which its 1.x SDKs and Herald's portal set); null or 0 in both: unlimited. The claim reads the same
     * rule in SQL ({@code DeliveryQueue}).
     */
    public Long throttle() {
        if (throttleRate == null || throttleRate <= 0) return rateLimit != null && rateLimit > 0 ? rateLimit : null;
        return rateLimit != null && rateLimit > 0 ? Math.min(throttleRate, rateLimit) : throttleRate;
    }

    /** Svix's fan-out rule: an empty filter takes every type; channels, when set, must overlap. */
    public boolean accepts(String eventType, Set<String> messageChannels) {
        if (disabled) return false;
        if (filterTypes != null && !filterTypes.isEmpty() && !filterTypes.contains(eventType)) return false;
        if (channels != null && !channels.isEmpty()) {
            if (messageChannels == null) return false;
            for (String channel : messageChannels) {
                if (channels.contains(channel)) return true;
            }
            return false;
        }
        return true;
    }
}
