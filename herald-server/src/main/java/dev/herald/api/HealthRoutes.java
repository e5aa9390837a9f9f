package dev.herald.api;

import io.javalin.config.RoutesConfig;
import org.jdbi.v3.core.Jdbi;

/** {@code GET /api/v1/health}: no auth; 204 when the database answers, 503 when it does not. */
public final class HealthRoutes {
    private final Jdbi jdbi;

    public HealthRoutes(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/health", ctx -> {
            try {
                jdbi.withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
                ctx.status(204);
            } catch (RuntimeException e) {
                ctx.header("Retry-After", "5");
                ctx.status(503).json(new ApiErrors.ErrorOut("service_unavailable", "database unavailable"));
            }
        });
    }
}
