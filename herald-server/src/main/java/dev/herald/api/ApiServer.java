package dev.herald.api;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.json.JavalinJackson;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPool;

/** The HTTP server: Javalin on virtual threads, authentication first, then the resource routes. */
public final class ApiServer implements AutoCloseable {
    private final Javalin javalin;

    public ApiServer(InetSocketAddress address, long maxRequestBytes, Auth auth, Idempotency idempotency,
                     List<Consumer<RoutesConfig>> resources) {
        this.javalin = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jetty.threadPool = threadPool();
            config.jetty.addConnector((server, http) -> connector(server, http, address));
            config.http.maxRequestSize = maxRequestBytes;
            config.http.defaultContentType = "application/json";
            // a known route asked with another method is a 405, as in Svix, not a 404 saying the route is missing
            config.http.prefer405over404 = true;
            // the buffer Javalin copies each response through, allocated per response (32 KB unless set): the API's
            // answers are mostly a few hundred bytes, and Jetty buffers what it is given anyway
            config.http.responseBufferSize = 4096;
            config.startup.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, true));
            ApiErrors.register(config);
            // as Svix's server: a browser on any origin may call the API (the SDKs run in browsers with an
            // application's token). A bearer token is never sent by the browser on its own, so no credentials are
            // allowed; the cookie-signed pages are outside this path and stay same-origin
            config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                rule.path = "/api/v1/*";
                rule.anyHost();
                rule.maxAge = 600;
            }));
            // every POST of the API honours idempotency-key (the cookie-signed pages' forms are not the API's: a
            // proxy adding the header there made every form a 401)
            config.router.handlerWrapper(endpoint -> endpoint.method == io.javalin.http.HandlerType.POST
                    && endpoint.path.startsWith("/api/v1/") ? idempotency.wrap(endpoint.handler) : endpoint.handler);
            // before anything reads a query parameter: Javalin decodes them in the body's charset
            config.routes.before(QueryParams::requireReadableCharset);
            config.routes.beforeMatched("/api/v1/*", ctx -> {
                if (!ctx.path().startsWith("/api/v1/health")) auth.authenticate(ctx);
                QueryParams.requireWellFormed(ctx);
            });
            resources.forEach(r -> r.accept(config.routes));
        });
    }

    /**
     * Requests are handled on virtual threads, Jetty's selectors and acceptor on platform threads. Javalin's own
     * virtual-thread pool runs the selectors on virtual threads too, so every wait of a selector went through the
     * JDK's poller thread, one more wake-up per request (BENCHMARKS.md, session 8).
     */
    private static ThreadPool threadPool() {
        var pool = new QueuedThreadPool();
        pool.setName("herald-api");
        pool.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("herald-api-request"));
        return pool;
    }

    /**
     * HTTP/1.1, and HTTP/2 over cleartext for clients that speak it from the start (prior knowledge): a client
     * publishing at a high rate multiplexes its requests over one connection, and many arrive in one read.
     */
    private static ServerConnector connector(Server server, HttpConfiguration http, InetSocketAddress address) {
        var connector = new ServerConnector(server, new HttpConnectionFactory(http), new PriorKnowledgeOnly(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        return connector;
    }

    /**
     * HTTP/2 for clients that start with it, but no upgrade from HTTP/1.1 ("Upgrade: h2c"), which the JDK's HttpClient
     * asks for by default. Upgraded, such a client's POST answered before its body had arrived (a 401 or 403 decided
     * on the headers) was reset under it, and the JDK client threw instead of returning the answer.
     */
    private static final class PriorKnowledgeOnly extends HTTP2CServerConnectionFactory {
        PriorKnowledgeOnly(HttpConfiguration http) {
            super(http);
        }

        @Override
        public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request,
                                            HttpFields.Mutable response) {
            // Jetty hands the prior-knowledge preface ("PRI * HTTP/2.0") here too
            if (HttpMethod.PRI.is(request.getMethod())) {
                return super.upgradeConnection(connector, endPoint, request, response);
            }
            return null; // declined: the request goes on over HTTP/1.1
        }
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
