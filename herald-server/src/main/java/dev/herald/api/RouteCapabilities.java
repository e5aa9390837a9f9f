package dev.herald.api;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.HEAD;
import static io.javalin.http.HandlerType.PATCH;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import dev.herald.domain.Capability;
import io.javalin.http.HandlerType;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which capability an application token given a list of them (Svix's AppPortalCapability) needs for each API route,
 * by the route's path template. A read needs {@link Capability#VIEW_BASE} unless listed; a change not listed here is
 * refused to every such token, so a route added later is closed to them until it is given a capability.
 */
final class RouteCapabilities {
    private static final String APP = "/api/v1/app/{app_id}";
    private static final String ENDPOINT = APP + "/endpoint/{endpoint_id}";
    private static final Map<String, Capability> BY_ROUTE = new HashMap<>();

    static {
        put(GET, ENDPOINT + "/secret", Capability.VIEW_ENDPOINT_SECRET);
        put(POST, ENDPOINT + "/secret/rotate", Capability.MANAGE_ENDPOINT_SECRET);

        put(PATCH, ENDPOINT + "/transformation", Capability.MANAGE_TRANSFORMATIONS);
        put(POST, ENDPOINT + "/transformation/simulate", Capability.MANAGE_TRANSFORMATIONS);

        put(POST, APP + "/msg/{msg_id}/endpoint/{endpoint_id}/resend", Capability.CREATE_ATTEMPTS);
        put(POST, ENDPOINT + "/recover", Capability.CREATE_ATTEMPTS);
        put(POST, ENDPOINT + "/replay-missing", Capability.CREATE_ATTEMPTS);
        put(POST, ENDPOINT + "/bulk-replay", Capability.CREATE_ATTEMPTS);
        put(POST, ENDPOINT + "/send-example", Capability.CREATE_ATTEMPTS);

        put(POST, APP + "/endpoint", Capability.MANAGE_ENDPOINT);
        put(PUT, ENDPOINT, Capability.MANAGE_ENDPOINT);
        put(PATCH, ENDPOINT, Capability.MANAGE_ENDPOINT);
        put(DELETE, ENDPOINT, Capability.MANAGE_ENDPOINT);
        put(PUT, ENDPOINT + "/headers", Capability.MANAGE_ENDPOINT);
        put(PATCH, ENDPOINT + "/headers", Capability.MANAGE_ENDPOINT);
        put(POST, ENDPOINT + "/pause", Capability.MANAGE_ENDPOINT);
        put(POST, ENDPOINT + "/resume", Capability.MANAGE_ENDPOINT);

        put(POST, APP + "/polling-endpoint", Capability.MANAGE_ENDPOINT);
        put(PATCH, APP + "/polling-endpoint/{poller_id}", Capability.MANAGE_ENDPOINT);
        put(DELETE, APP + "/polling-endpoint/{poller_id}", Capability.MANAGE_ENDPOINT);
        put(POST, APP + "/polling-endpoint/{poller_id}/key/rotate", Capability.MANAGE_ENDPOINT);
        put(POST, APP + "/destination", Capability.MANAGE_ENDPOINT);
        put(PUT, APP + "/destination/{destination_id}", Capability.MANAGE_ENDPOINT);
        put(PATCH, APP + "/destination/{destination_id}", Capability.MANAGE_ENDPOINT);
        put(DELETE, APP + "/destination/{destination_id}", Capability.MANAGE_ENDPOINT);
        put(PATCH, APP + "/destination/{destination_id}/transformation", Capability.MANAGE_TRANSFORMATIONS);
        put(POST, APP + "/autoconfig", Capability.MANAGE_ENDPOINT);
        put(DELETE, APP + "/autoconfig/{autoconfig_id}", Capability.MANAGE_ENDPOINT);
        put(POST, APP + "/autoconfig/{autoconfig_id}/rotate", Capability.MANAGE_ENDPOINT);
        put(PUT, APP + "/autoconfig/{autoconfig_id}/endpoint", Capability.MANAGE_ENDPOINT);
        put(PUT, APP + "/autoconfig/{autoconfig_id}/destination", Capability.MANAGE_ENDPOINT);
        put(PUT, APP + "/endpoint/{endpoint_id}/auto-config", Capability.MANAGE_ENDPOINT);
        // a named consumer's reads move its place (and a lease holds it): a read-only token that did so made the
        // consumer skip messages or locked it out for the lease. The iterator read (GET …/poller/{id}) changes nothing
        put(GET, PollerRoutes.POLL + "/consumer/{consumer_id}", Capability.MANAGE_ENDPOINT);
        put(POST, PollerRoutes.POLL + "/consumer/{consumer_id}/seek", Capability.MANAGE_ENDPOINT);
        put(GET, PollerRoutes.LEASE, Capability.MANAGE_ENDPOINT);
        put(POST, PollerRoutes.LEASE + "/commit", Capability.MANAGE_ENDPOINT);

        // changes nothing: which of the application's endpoints would take these event types
        put(POST, APP + "/msg/precheck/active", Capability.VIEW_BASE);
        // every token may end itself
        put(POST, "/api/v1/auth/logout", Capability.VIEW_BASE);
    }

    private RouteCapabilities() {}

    private static void put(HandlerType method, String path, Capability needed) {
        BY_ROUTE.put(method + " " + path, needed);
    }

    /** The capability the route needs; empty: the route is open only to tokens without a list. */
    static Optional<Capability> required(HandlerType method, String pathTemplate) {
        HandlerType as = method == HEAD ? GET : method; // a HEAD is answered by the GET's handler
        Capability listed = BY_ROUTE.get(as + " " + pathTemplate);
        if (listed != null) return Optional.of(listed);
        return as == GET ? Optional.of(Capability.VIEW_BASE) : Optional.empty();
    }
}
