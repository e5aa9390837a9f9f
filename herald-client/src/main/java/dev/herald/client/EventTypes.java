package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.EventTypeIn;
import dev.herald.client.model.EventTypeOut;
import dev.herald.client.model.ListResponse;
import java.util.Map;

/** {@code /api/v1/event-type}: the catalog of event types. Deleting archives; {@link #expunge} removes. */
public final class EventTypes {
    private static final JavaType ONE = Types.of(EventTypeOut.class);
    private static final JavaType PAGE = Types.listOf(EventTypeOut.class);

    private final Transport transport;

    EventTypes(Transport transport) {
        this.transport = transport;
    }

    public EventTypeOut create(EventTypeIn in) {
        return transport.post("/api/v1/event-type", in, null, ONE);
    }

    public EventTypeOut get(String name) {
        return transport.get(Transport.path("/api/v1/event-type/{}", name), Map.of(), ONE);
    }

    /** Replaces the event type (PUT); creates it when missing. */
    public EventTypeOut update(EventTypeIn in) {
        return transport.put(Transport.path("/api/v1/event-type/{}", in.name()), in, ONE);
    }

    public void archive(String name) {
        transport.delete(Transport.path("/api/v1/event-type/{}", name));
    }

    public void expunge(String name) {
        transport.delete(Transport.path("/api/v1/event-type/{}", name) + "?expunge=true");
    }

    public Paged<EventTypeOut> list(ListOptions options) {
        return new Paged<>(iterator -> transport.<ListResponse<EventTypeOut>>get("/api/v1/event-type", options.query(iterator), PAGE));
    }

    public Paged<EventTypeOut> list() {
        return list(ListOptions.defaults());
    }
}
