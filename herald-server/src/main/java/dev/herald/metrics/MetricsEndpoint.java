package dev.herald.metrics;

import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * {@code GET /metrics}, the Prometheus text. Open by default, as most exporters are on a private network; with
 * HERALD_METRICS_TOKEN set, a scrape must carry {@code Authorization: Bearer <token>} (Prometheus's
 * {@code authorization} setting), compared in constant time.
 */
public final class MetricsEndpoint {
    private final PrometheusMeterRegistry registry;
    private final Optional<byte[]> token;

    public MetricsEndpoint(PrometheusMeterRegistry registry, Optional<String> token) {
        this.registry = registry;
        this.token = token.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
    }

    public void handle(Context ctx) {
        if (token.isPresent()) {
            String given = ctx.header("Authorization");
            if (given == null || !MessageDigest.isEqual(token.get(), given.getBytes(StandardCharsets.UTF_8))) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new UnauthorizedResponse("The metrics need HERALD_METRICS_TOKEN as a Bearer token");
            }
        }
        ctx.contentType("text/plain; version=0.0.4").result(registry.scrape());
    }
}
