package dev.herald.api;

import dev.herald.domain.Endpoint;

/** Told of endpoint changes made through the API (operational webhooks listen here). */
@FunctionalInterface
public interface EndpointListener {
    EndpointListener NONE = (type, endpoint) -> {};

    /** {@code type} is {@code endpoint.created}, {@code endpoint.updated} or {@code endpoint.deleted}. */
    void onEndpointEvent(String type, Endpoint endpoint);
}
