package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.AttemptOut;
import dev.herald.client.model.BulkReplayIn;
import dev.herald.client.model.ListResponse;
import dev.herald.client.model.RecoverIn;
import dev.herald.client.model.RecoverOut;
import dev.herald.client.model.ReplayIn;
import java.util.Map;

/**
 * The attempt log, and the recovery tools: resend one message, recover an endpoint's failures, replay what an endpoint
 * never had.
 */
public final class Attempts {
    private static final JavaType ONE = Types.of(AttemptOut.class);
    private static final JavaType PAGE = Types.listOf(AttemptOut.class);
    private static final JavaType RECOVER = Types.of(RecoverOut.class);

    private final Transport transport;

    Attempts(Transport transport) {
        this.transport = transport;
    }

    public Paged<AttemptOut> listByMessage(String app, String message, ListOptions options) {
        String path = Transport.path("/api/v1/app/{}/attempt/msg/{}", app, message);
        return new Paged<>(iterator -> transport.<ListResponse<AttemptOut>>get(path, options.query(iterator), PAGE));
    }

    public Paged<AttemptOut> listByMessage(String app, String message) {
        return listByMessage(app, message, ListOptions.defaults());
    }

    public Paged<AttemptOut> listByEndpoint(String app, String endpoint, ListOptions options) {
        String path = Transport.path("/api/v1/app/{}/attempt/endpoint/{}", app, endpoint);
        return new Paged<>(iterator -> transport.<ListResponse<AttemptOut>>get(path, options.query(iterator), PAGE));
    }

    public Paged<AttemptOut> listByEndpoint(String app, String endpoint) {
        return listByEndpoint(app, endpoint, ListOptions.defaults());
    }

    public AttemptOut get(String app, String message, String attempt) {
        return transport.get(Transport.path("/api/v1/app/{}/msg/{}/attempt/{}", app, message, attempt), Map.of(), ONE);
    }

    /** One more attempt of a message to one endpoint, now, outside the retry schedule. */
    public void resend(String app, String message, String endpoint) {
        transport.post(Transport.path("/api/v1/app/{}/msg/{}/endpoint/{}/resend", app, message, endpoint), null, null, null);
    }

    /** Resends every message that failed to this endpoint in the given window. */
    public RecoverOut recover(String app, String endpoint, RecoverIn in) {
        return transport.post(Transport.path("/api/v1/app/{}/endpoint/{}/recover", app, endpoint), in, null, RECOVER);
    }

    /**
     * Sends an endpoint each message of the window it never had and its filters accept (it was created later, or
     * disabled then). Running it again sends nothing twice. The answer's task says how many were queued
     * ({@link BackgroundTasks#get}).
     */
    public RecoverOut replayMissing(String app, String endpoint, ReplayIn in) {
        return transport.post(Transport.path("/api/v1/app/{}/endpoint/{}/replay-missing", app, endpoint), in, null, RECOVER);
    }

    /** Sends an endpoint again the messages of the window it had, narrowed as {@code in} says. */
    public RecoverOut bulkReplay(String app, String endpoint, BulkReplayIn in) {
        return transport.post(Transport.path("/api/v1/app/{}/endpoint/{}/bulk-replay", app, endpoint), in, null, RECOVER);
    }
}
