package dev.herald.portal;

import dev.herald.domain.Capability;
import dev.herald.store.TokenStore.TokenOwner;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the portal's templates are given. */
public final class PortalViews {
    private PortalViews() {}

    /**
     * Every page's frame: the application, which part of the portal is open, and what its token may do (a page offers
     * only the changes it may make).
     */
    public record Shell(String appId, String appName, String section, TokenOwner owner) {
        public String base() {
            return "/portal/" + appId;
        }

        public boolean readOnly() {
            return owner.readOnly();
        }

        public boolean manageEndpoints() {
            return owner.can(Capability.MANAGE_ENDPOINT);
        }

        public boolean viewSecret() {
            return owner.can(Capability.VIEW_ENDPOINT_SECRET);
        }

        public boolean rotateSecret() {
            return owner.can(Capability.MANAGE_ENDPOINT_SECRET);
        }

        public boolean manageTransformations() {
            return owner.can(Capability.MANAGE_TRANSFORMATIONS);
        }

        /** Resend, recover and test events. */
        public boolean createAttempts() {
            return owner.can(Capability.CREATE_ATTEMPTS);
        }
    }

    /** The new-endpoint form: what was typed, the catalog's event types to choose from, and the API's objections. */
    public record EndpointForm(String url, String description, Set<String> filterTypes, String rateLimit,
                               String channels, List<String> eventTypes, Map<String, String> errors) {
        static EndpointForm empty(List<String> eventTypes) {
            return new EndpointForm("", "", Set.of(), "", "", eventTypes, Map.of());
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** The new-polling-endpoint form: what was typed, the event types to choose from, and the API's objections. */
    public record PollerForm(String description, Set<String> filterTypes, String channels, List<String> eventTypes,
                             Map<String, String> errors) {
        static PollerForm empty(List<String> eventTypes) {
            return new PollerForm("", Set.of(), "", eventTypes, Map.of());
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** The dashboard's connector form: what was typed (lists comma-separated), and the API's objections. */
    public record ConnectorForm(String name, String uid, String kind, String logo, String description, String instructions,
                                String allowedEventTypes, String featureFlags, String transformation,
                                Map<String, String> errors) {
        static ConnectorForm empty() {
            return new ConnectorForm("", "", "Custom", "", "", "", "", "", "{\n  \"body\": {\"text\": \"{{eventType}}: {{payload}}\"}\n}",
                    Map.of());
        }

        public List<String> kinds() {
            return dev.herald.api.ConnectorRoutes.KINDS;
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** The dashboard's event type form: what was typed (flags comma-separated, schemas as JSON), and the objections. */
    public record EventTypeForm(String name, String description, String groupName, String featureFlags,
                                boolean deprecated, boolean validatePayloads, String schemas, Map<String, String> errors) {
        static EventTypeForm empty() {
            return new EventTypeForm("", "", "", "", false, false, "", Map.of());
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** How a message stands at one endpoint. */
    public record Delivery(String endpointId, String url, int status, Instant nextAttempt) {}
}
