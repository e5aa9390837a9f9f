package dev.herald.api;

import dev.herald.domain.Endpoint;

/** Told of endpoint changes made through the API (operational webhooks listen here). */
@FunctionalInterface
public interface EndpointListener {
    EndpointListener NONE = (type, endpoint) -> {};

    /**
     * {@code type} is {@code endpoint.created}, {@code endpoint.updated} or {@code endpoint.deleted}; and, after an
     * update that disabled or enabled it, {@code endpoint.disabled} or {@code endpoint.enabled}.
     */
    void onEndpointEvent(String type, Endpoint endpoint);

    /** endpoint.updated, and endpoint.disabled or endpoint.enabled when the update turned it off or on. */
    default void updated(Endpoint before, Endpoint after) {
        onEndpointEvent("endpoint.updated", after);
        if (before.disabled() != after.disabled()) {
            onEndpointEvent(after.disabled() ? "endpoint.disabled" : "endpoint.enabled", after);
        }
    }
}
