package dev.herald.api;

import io.javalin.config.RoutesConfig;
import org.jdbi.v3.core.Jdbi;

/** {@code GET /api/v1/health}: no auth; 204 when the database answers and takes writes, else 503. */
public final class HealthRoutes {
    private final Jdbi jdbi;

    public HealthRoutes(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/health", ctx -> {
            try {
                // a database that answers but takes no writes (a standby, a primary being demoted) cannot serve either
                boolean writable = jdbi.withHandle(h -> h.createQuery(
                        "select not pg_is_in_recovery() and current_setting('transaction_read_only') = 'off'")
                        .mapTo(Boolean.class).one());
                if (writable) {
                    ctx.status(204);
                    return;
                }
                ApiErrors.unavailable(ctx, "database read-only");
            } catch (RuntimeException e) {
                ApiErrors.unavailable(ctx, "database unavailable");
            }
        });
    }
}
