package dev.herald.queue;

import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Message;
import dev.herald.security.SecretBox;
import dev.herald.store.MessageStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * A delivery taken off the queue under a lease, with what sending it needs from its message and endpoint;
 * {@code eventId}, {@code transformation} (raw JSON, null when none) and the application's uid and name
 * are what an endpoint's transformation can render; {@code endpointThrottle} and {@code appThrottle} are the
 * throttleRate settings (requests per second, null or 0 when unlimited); {@code secrets} are the endpoint's live
 * signing secrets as stored (sealed), current first, read with the claim so sending needs no further query;
 * {@code ordered}: the endpoint delivers in order, so this delivery's result makes the next one claimable;
 * {@code sealedHeaders}: the endpoint's custom headers as stored (sealed, as its secrets; null when none are sealed, and
 * then {@code headers} holds them), opened with its secrets before sending ({@link #withHeaders}).
 */
public record ClaimedDelivery(
        long id,
        String msgId,
        String endpointId,
        String appId,
        int triggerType,
        int attemptNumber,
        String eventType,
        String payload,
        Instant messageCreatedAt,
        String url,
        Map<String, String> headers,
        boolean endpointDisabled,
        Instant due,
        String eventId,
        String transformation,
        String appUid,
        String appName,
        Long endpointThrottle,
        Long appThrottle,
        List<SecretBox.Sealed> secrets,
        boolean ordered,
        SecretBox.Sealed sealedHeaders) {

    /**
     * A delivery its publishing node wrote already leased to itself ({@link MessageStore#publishBatch(List, List,
     * MessageStore.Lease)}): what a claim of its row would have returned, from what publishing had in hand.
     */
    public static ClaimedDelivery leasedAtPublish(MessageStore.LeasedDelivery leased) {
        Message m = leased.message();
        Endpoint e = leased.endpoint();
        return new ClaimedDelivery(leased.id(), m.id(), e.id(), m.appId(), DeliveryStatus.TRIGGER_SCHEDULED, 1,
                m.eventType(), m.payload(), m.createdAt().truncatedTo(ChronoUnit.MICROS), e.url(), e.headers(), e.disabled(),
                leased.due(), m.eventId(), e.transformationJson(), leased.appUid(), leased.appName(), e.throttle(),
                leased.appThrottle(), leased.secrets(), false, e.sealedHeaders());
    }

    /** This delivery with its endpoint's sealed headers opened. */
    public ClaimedDelivery withHeaders(Map<String, String> opened) {
        return new ClaimedDelivery(id, msgId, endpointId, appId, triggerType, attemptNumber, eventType, payload, messageCreatedAt,
                url, opened, endpointDisabled, due, eventId, transformation, appUid, appName, endpointThrottle, appThrottle,
                secrets, ordered, null);
    }

    /** Requests per second allowed to the endpoint (or to all of the application's endpoints together); null when unlimited. */
    public Long endpointThrottleRate() {
        return endpointThrottle != null && endpointThrottle > 0 ? endpointThrottle : null;
    }

    public Long appThrottleRate() {
        return appThrottle != null && appThrottle > 0 ? appThrottle : null;
    }

    public boolean throttled() {
        return endpointThrottleRate() != null || appThrottleRate() != null;
    }
}
