package dev.herald.client.listen;

import com.sun.net.httpserver.HttpServer;
import java.util.concurrent.ExecutorService;

/** A running {@code herald listen}: the local receiver and, with {@code --app}, its temporary endpoint. */
public final class Listener implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final TemporaryEndpoint endpoint;
    private final String url;

    Listener(HttpServer server, ExecutorService executor, TemporaryEndpoint endpoint, String url) {
        this.server = server;
        this.executor = executor;
        this.endpoint = endpoint;
        this.url = url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL Herald calls. */
    public String url() {
        return url;
    }

    /** The temporary endpoint's id, or null without {@code --app}. */
    public String endpointId() {
        return endpoint == null ? null : endpoint.id();
    }

    /** Deletes the temporary endpoint first (so Herald stops sending), then stops the receiver. */
    @Override
    public void close() {
        try {
            if (endpoint != null) endpoint.close();
        } finally {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
