package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.EndpointIn;
import dev.herald.client.model.EndpointOut;
import dev.herald.client.model.ListResponse;
import dev.herald.client.model.RotateSecretIn;
import dev.herald.client.model.SecretOut;
import java.util.Map;

/** {@code /api/v1/app/{app}/endpoint}: where an application's webhooks go, and their signing secrets. */
public final class Endpoints {
    private static final JavaType ONE = Types.of(EndpointOut.class);
    private static final JavaType PAGE = Types.listOf(EndpointOut.class);
    private static final JavaType SECRET = Types.of(SecretOut.class);

    private final Transport transport;

    Endpoints(Transport transport) {
        this.transport = transport;
    }

    public EndpointOut create(String app, EndpointIn in) {
        return transport.post(Transport.path("/api/v1/app/{}/endpoint", app), in, null, ONE);
    }

    public EndpointOut get(String app, String endpoint) {
        return transport.get(Transport.path("/api/v1/app/{}/endpoint/{}", app, endpoint), Map.of(), ONE);
    }

    /** Replaces the endpoint (PUT); creates it, with the path key as uid, when it does not exist. */
    public EndpointOut update(String app, String endpoint, EndpointIn in) {
        return transport.put(Transport.path("/api/v1/app/{}/endpoint/{}", app, endpoint), in, ONE);
    }

    public void delete(String app, String endpoint) {
        transport.delete(Transport.path("/api/v1/app/{}/endpoint/{}", app, endpoint));
    }

    public Paged<EndpointOut> list(String app, ListOptions options) {
        String path = Transport.path("/api/v1/app/{}/endpoint", app);
        return new Paged<>(iterator -> transport.<ListResponse<EndpointOut>>get(path, options.query(iterator), PAGE));
    }

    public Paged<EndpointOut> list(String app) {
        return list(app, ListOptions.defaults());
    }

    /** The current signing secret, {@code whsec_…}: what the receiver verifies with. */
    public String secret(String app, String endpoint) {
        SecretOut out = transport.get(Transport.path("/api/v1/app/{}/endpoint/{}/secret", app, endpoint), Map.of(), SECRET);
        return out.key();
    }

    /** A new secret (Herald's, or {@code in.key()}); the old one keeps signing alongside for the grace period. */
    public void rotateSecret(String app, String endpoint, RotateSecretIn in) {
        transport.post(Transport.path("/api/v1/app/{}/endpoint/{}/secret/rotate", app, endpoint), in, null, null);
    }

    public void rotateSecret(String app, String endpoint) {
        rotateSecret(app, endpoint, new RotateSecretIn(null, null));
    }
}
