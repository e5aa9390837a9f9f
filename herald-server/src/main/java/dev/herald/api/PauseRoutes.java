package dev.herald.api;

import dev.herald.queue.QueueSignal;
import dev.herald.store.PauseStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;

/**
 * Pause, not lose: {@code POST …/endpoint/{ep}/pause|resume} holds one endpoint's deliveries in its queue;
 * {@code POST /api/v1/admin/pause|resume} (admin) holds all delivery on every node while publishing goes on.
 */
public final class PauseRoutes {
    private static final String ENDPOINT = "/api/v1/app/{app_id}/endpoint/{endpoint_id}";

    private final PauseStore pauses;
    private final AppResolver apps;
    private final EndpointRoutes endpoints;
    private final QueueSignal signal;
    private final Clock clock;

    public PauseRoutes(PauseStore pauses, AppResolver apps, EndpointRoutes endpoints, QueueSignal signal, Clock clock) {
        this.pauses = pauses;
        this.apps = apps;
        this.endpoints = endpoints;
        this.signal = signal;
        this.clock = clock;
    }

    public record PauseOut(boolean paused) {}

    public void register(RoutesConfig routes) {
        routes.post(ENDPOINT + "/pause", this::pauseEndpoint);
        routes.post(ENDPOINT + "/resume", this::resumeEndpoint);
        routes.get(ENDPOINT + "/pause", this::endpointState);
        routes.post("/api/v1/admin/pause", ctx -> setGlobal(ctx, true));
        routes.post("/api/v1/admin/resume", ctx -> setGlobal(ctx, false));
        routes.get("/api/v1/admin/pause", ctx -> {
            Auth.requireAdmin(ctx);
            ctx.json(new PauseOut(deliveryPaused()));
        });
    }

    void pauseEndpoint(Context ctx) {
        var endpoint = endpoints.find(ctx, apps.resolve(ctx));
        pauses.pauseEndpoint(endpoint.id(), clock.instant());
        ctx.status(204);
    }

    void resumeEndpoint(Context ctx) {
        var endpoint = endpoints.find(ctx, apps.resolve(ctx));
        pauses.resumeEndpoint(endpoint.id());
        signal.published();
        ctx.status(204);
    }

    void endpointState(Context ctx) {
        var endpoint = endpoints.find(ctx, apps.resolve(ctx));
        ctx.json(Map.of("paused", pauses.endpointPaused(endpoint.id())));
    }

    void setGlobal(Context ctx, boolean paused) {
        Auth.requireAdmin(ctx);
        setDeliveryPaused(paused);
        ctx.status(204);
    }

    /** Holds or resumes all delivery, on every node (the API's admin pause and the dashboard's button). */
    public void setDeliveryPaused(boolean paused) {
        pauses.setDeliveryPaused(paused, clock.instant());
        if (!paused) signal.published();
    }

    public boolean deliveryPaused() {
        return pauses.deliveryPaused();
    }
}
