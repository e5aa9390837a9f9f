package dev.herald.delivery;

import dev.herald.outbound.UrlPolicy;
import dev.herald.outbound.OutboundRequest;
import dev.herald.queue.ClaimedDelivery;
import dev.herald.routing.PayloadJson;
import dev.herald.routing.RequestDraft;
import dev.herald.routing.TransformationContext;
import dev.herald.routing.TransformationRenderer;
import dev.herald.routing.VersionedCache;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a claimed delivery into the signed request to send: the payload as published, or what the
 * endpoint's transformation renders from it. The signature always covers the bytes actually sent.
 */
public final class DeliveryRequests {

    /** The attempt cannot be sent as configured (render failure, refused URL); the message says why. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private final SignedRequestFactory signer;
    private final UrlPolicy urlPolicy;
    // keyed by endpoint id, reused while the transformation text is the same: compiled once, not per attempt
    private final VersionedCache<TransformationRenderer> renderers = new VersionedCache<>();

    /** {@code urlPolicy}: the checks an endpoint URL gets when saved, applied to rendered URLs. */
    public DeliveryRequests(SignedRequestFactory signer, UrlPolicy urlPolicy) {
        this.signer = signer;
        this.urlPolicy = urlPolicy;
    }

    /**
     * @throws Refused when the transformation cannot be rendered or its URL is refused
     * @throws IllegalArgumentException for a bad endpoint URL or no live secret (as the factory does)
     */
    public OutboundRequest build(ClaimedDelivery d, Instant now, List<String> secrets) {
        byte[] payload = SignedRequestFactory.bytes(d.payload());
        if (d.transformation() == null) {
            return signer.build(URI.create(d.url()), d.msgId(), now.getEpochSecond(), payload, secrets, d.headers());
        }
        RequestDraft draft = render(d, payload);
        Optional<String> problem = draft.urlProblem(urlPolicy);
        if (problem.isPresent()) throw new Refused("transformation: " + problem.get());
        return signer.build(URI.create(draft.url()), draft.method(), d.msgId(), now.getEpochSecond(), draft.body(),
                secrets, draft.headers());
    }

    private RequestDraft render(ClaimedDelivery d, byte[] payload) {
        try {
            var renderer = renderers.get(d.endpointId(), d.transformation(),
                    () -> TransformationRenderer.parse(PayloadJson.parse(d.transformation())));
            var context = TransformationContext.of(d.msgId(), d.eventType(), d.eventId(), d.messageCreatedAt(),
                    PayloadJson.parse(d.payload()), d.appId(), d.appUid(), d.appName(), d.endpointId());
            return RequestDraft.of(d.url(), d.headers(), payload, renderer.render(context));
        } catch (RuntimeException e) {
            // whatever goes wrong stays with this attempt: it is recorded as failed, the dispatcher carries on
            throw new Refused("transformation could not be rendered: " + e.getMessage());
        }
    }
}
