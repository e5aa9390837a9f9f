package dev.herald.api;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.json.JavalinJackson;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

/** The HTTP server: Javalin on virtual threads, authentication first, then the resource routes. */
public final class ApiServer implements AutoCloseable {
    private final Javalin javalin;

    public ApiServer(InetSocketAddress address, long maxRequestBytes, Auth auth, Idempotency idempotency,
                     List<Consumer<RoutesConfig>> resources) {
        this.javalin = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jetty.host = address.getHostString();
            config.jetty.port = address.getPort();
            config.http.maxRequestSize = maxRequestBytes;
            config.http.defaultContentType = "application/json";
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            ApiErrors.register(config);
            // every POST honours idempotency-key
            config.router.handlerWrapper(endpoint -> endpoint.method == io.javalin.http.HandlerType.POST
                    ? idempotency.wrap(endpoint.handler) : endpoint.handler);
            config.routes.beforeMatched("/api/v1/*", ctx -> {
                if (!ctx.path().startsWith("/api/v1/health")) auth.authenticate(ctx);
            });
            resources.forEach(r -> r.accept(config.routes));
        });
    }

    public ApiServer start() {
        javalin.start();
        return this;
    }

    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
