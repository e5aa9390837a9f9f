package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.Endpoint;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies endpoints' payload filters at fan-out. Each filter is parsed once, not once per message: cached
 * by endpoint id and reused while the stored filter text is the same (an updatedAt version would miss two
 * edits within one clock tick, as with a test's fixed clock). A message's view is built only when some
 * endpoint has a filter.
 */
public final class EndpointFilters {
    private static final Logger log = LoggerFactory.getLogger(EndpointFilters.class);

    private final VersionedCache<Optional<PayloadFilter>> parsed = new VersionedCache<>();

    /** One message as filters see it, parsed on first use (most endpoints have no filter). */
    public static final class View {
        private final String eventType;
        private final Set<String> channels;
        private final String payload;
        private JsonNode view;

        public View(String eventType, Set<String> channels, String payload) {
            this.eventType = eventType;
            this.channels = channels;
            this.payload = payload;
        }

        JsonNode get() {
            if (view == null) {
                view = MessageView.of(eventType, channels, payload == null ? null : PayloadJson.parse(payload));
            }
            return view;
        }
    }

    /** Whether the endpoint's filter (if any) lets the message through; its type and channel rules are checked elsewhere. */
    public boolean passes(Endpoint endpoint, View message) {
        if (endpoint.filterJson() == null) return true;
        Optional<PayloadFilter> filter = parsed.get(endpoint.id(), endpoint.filterJson(), () -> parse(endpoint));
        // a stored filter this version cannot run lets nothing through: it was written to hold messages back
        return filter.isPresent() && filter.get().matches(message.get());
    }

    private static Optional<PayloadFilter> parse(Endpoint endpoint) {
        try {
            return Optional.of(PayloadFilter.parse(PayloadJson.parse(endpoint.filterJson())));
        } catch (RuntimeException e) {
            log.warn("endpoint {} has a filter that cannot be used; it receives no messages until fixed: {}",
                    endpoint.id(), e.getMessage());
            return Optional.empty();
        }
    }
}
