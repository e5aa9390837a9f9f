package dev.herald.portal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the portal's templates are given. */
public final class PortalViews {
    private PortalViews() {}

    /**
     * Every page's frame: the application, which part of the portal is open, and whether its token may only read
     * (then no page offers a change).
     */
    public record Shell(String appId, String appName, String section, boolean readOnly) {
        public String base() {
            return "/portal/" + appId;
        }
    }

    /** The new-endpoint form: what was typed, the catalog's event types to choose from, and the API's objections. */
    public record EndpointForm(String url, String description, Set<String> filterTypes, List<String> eventTypes,
                               Map<String, String> errors) {
        static EndpointForm empty(List<String> eventTypes) {
            return new EndpointForm("", "", Set.of(), eventTypes, Map.of());
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** How a message stands at one endpoint. */
    public record Delivery(String endpointId, String url, int status, Instant nextAttempt) {}
}
