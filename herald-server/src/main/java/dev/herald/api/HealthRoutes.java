package dev.herald.api;

import dev.herald.store.SharedRead;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * No auth. {@code GET /api/v1/health} (and HEAD): 204 when the database answers and takes writes, else 503: whether
 * the node can serve (readiness). {@code /api/v1/health/ping}: 204 while the process answers requests at all, database
 * or not (liveness): a probe that restarts a node whose database is away would only add restarts to the outage
 * (svix-server's {@code /health/ping}).
 */
public final class HealthRoutes {
    /**
     * How long a probe waits for the database: a probe that waited out the socket timeout would hold a connection per
     * probe meanwhile, and tell the load balancer nothing sooner.
     */
    static final Duration PATIENCE = Duration.ofSeconds(2);
    /** Probes at once share one check (see {@link SharedRead}). */
    private final SharedRead<Boolean> writable;
    private volatile boolean stopping;

    public HealthRoutes(Jdbi jdbi) {
        // a database that answers but takes no writes (a standby, a primary being demoted) cannot serve either
        this.writable = new SharedRead<>(() -> jdbi.withHandle(h -> h.createQuery(
                "select not pg_is_in_recovery() and current_setting('transaction_read_only') = 'off'")
                .mapTo(Boolean.class).one()), PATIENCE);
    }

    /**
     * The node has begun to stop: readiness answers 503 from now on, through HERALD_SHUTDOWN_DELAY and while it hands
     * its work back and finishes what it sends (up to HERALD_SHUTDOWN_TIMEOUT), so that a load balancer takes it out
     * before its listener goes away.
     */
    public void stopping() {
        stopping = true;
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/health", this::health);
        routes.head("/api/v1/health", this::health);
        routes.get("/api/v1/health/ping", ctx -> ctx.status(204));
        routes.head("/api/v1/health/ping", ctx -> ctx.status(204));
    }

    private void health(Context ctx) {
        if (stopping) {
            ApiErrors.unavailable(ctx, "shutting down");
            return;
        }
        try {
            if (writable.get()) {
                ctx.status(204);
                return;
            }
            ApiErrors.unavailable(ctx, "database read-only");
        } catch (RuntimeException e) {
            ApiErrors.unavailable(ctx, "database unavailable");
        }
    }
}
