package dev.herald.client.listen;

import dev.herald.client.HeraldClient;
import dev.herald.client.HeraldException;
import dev.herald.client.HeraldNotFoundException;
import dev.herald.client.model.EndpointIn;
import java.util.Set;

/** An endpoint created for the listener's lifetime and deleted when it closes. */
final class TemporaryEndpoint implements AutoCloseable {
    private final HeraldClient herald;
    private final String app;
    private final String id;
    private final String secret;

    private TemporaryEndpoint(HeraldClient herald, String app, String id, String secret) {
        this.herald = herald;
        this.app = app;
        this.id = id;
        this.secret = secret;
    }

    /** @param secret the secret to give it, or null to use the one Herald generates */
    static TemporaryEndpoint create(HeraldClient herald, String app, String url, String secret, Set<String> eventTypes) {
        var in = EndpointIn.of(url).withDescription("herald listen (temporary)").withSecret(secret)
                .withFilterTypes(eventTypes.isEmpty() ? null : eventTypes);
        var endpoint = herald.endpoints().create(app, in);
        try {
            String key = secret != null ? secret : herald.endpoints().secret(app, endpoint.id());
            return new TemporaryEndpoint(herald, app, endpoint.id(), key);
        } catch (HeraldException e) {
            herald.endpoints().delete(app, endpoint.id());
            throw e;
        }
    }

    String id() {
        return id;
    }

    String secret() {
        return secret;
    }

    @Override
    public void close() {
        try {
            herald.endpoints().delete(app, id);
        } catch (HeraldNotFoundException alreadyGone) {
            // someone removed it first: the goal is reached
        }
    }
}
