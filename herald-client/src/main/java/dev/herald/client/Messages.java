package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.ListResponse;
import dev.herald.client.model.MessageIn;
import dev.herald.client.model.MessageOut;
import dev.herald.client.model.PrecheckIn;
import java.util.Map;

/** {@code /api/v1/app/{app}/msg}: publishing events and reading them back. */
public final class Messages {
    private static final JavaType ONE = Types.of(MessageOut.class);
    private static final JavaType PAGE = Types.listOf(MessageOut.class);
    private static final JavaType PRECHECK = Types.of(Precheck.class);

    private record Precheck(boolean active) {}

    private final Transport transport;

    Messages(Transport transport) {
        this.transport = transport;
    }

    /** Publishes; Herald answers once the message and its fan-out are stored. Retries reuse one idempotency-key. */
    public MessageOut create(String app, MessageIn in) {
        return create(app, in, null);
    }

    /**
     * Publishes with your own idempotency-key: the same key with the same message within Herald's replay
     * window answers the first response again and stores nothing new.
     */
    public MessageOut create(String app, MessageIn in, String idempotencyKey) {
        return transport.post(Transport.path("/api/v1/app/{}/msg", app), in, idempotencyKey, ONE);
    }

    /** By message id or by your eventId. */
    public MessageOut get(String app, String messageIdOrEventId) {
        return transport.get(Transport.path("/api/v1/app/{}/msg/{}", app, messageIdOrEventId), Map.of(), ONE);
    }

    public Paged<MessageOut> list(String app, ListOptions options) {
        String path = Transport.path("/api/v1/app/{}/msg", app);
        return new Paged<>(iterator -> transport.<ListResponse<MessageOut>>get(path, options.query(iterator), PAGE));
    }

    public Paged<MessageOut> list(String app) {
        return list(app, ListOptions.defaults());
    }

    /**
     * Blanks the message's payload now (it reads as {@code {"expired":true}}); its deliveries still queued are
     * cancelled (one Herald has already taken may still go out).
     */
    public void expungeContent(String app, String message) {
        transport.delete(Transport.path("/api/v1/app/{}/msg/{}/content", app, message));
    }

    /** Whether a message of this type (and channels) would reach any endpoint now: skip building one nobody gets. */
    public boolean precheck(String app, PrecheckIn in) {
        return transport.<Precheck>post(Transport.path("/api/v1/app/{}/msg/precheck/active", app), in, null, PRECHECK).active();
    }
}
