package dev.herald.client.listen;

import java.util.Set;

/**
 * What {@code herald listen} does.
 *
 * @param host       address to bind (default 127.0.0.1)
 * @param port       port to bind; 0 picks a free one
 * @param secret     {@code whsec_…} to verify with; may be null when {@code app} is set (the temporary endpoint's
 *                   secret is used)
 * @param status     the HTTP status answered to verified requests (e.g. 500 to watch Herald retry)
 * @param app        with {@code token}: create a temporary endpoint in this application pointing here
 * @param token      Herald API token, for {@code app}
 * @param serverUrl  Herald's URL, for {@code app}
 * @param publicUrl  the URL Herald should call, when it is not {@code http://host:port/} (e.g. Herald in Docker)
 * @param eventTypes only these event types go to the temporary endpoint; empty means all
 */
public record ListenOptions(String host, int port, String secret, int status, String app, String token,
                            String serverUrl, String publicUrl, Set<String> eventTypes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9000;
    public static final int DEFAULT_STATUS = 200;
    public static final String DEFAULT_SERVER_URL = "http://127.0.0.1:8071";

    public ListenOptions {
        if (host == null || host.isBlank()) host = DEFAULT_HOST;
        if (serverUrl == null || serverUrl.isBlank()) serverUrl = DEFAULT_SERVER_URL;
        eventTypes = eventTypes == null ? Set.of() : Set.copyOf(eventTypes);
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("--port must be between 0 and 65535");
        if (status < 100 || status > 599) throw new IllegalArgumentException("--status must be an HTTP status (100-599)");
        if (app != null && (token == null || token.isBlank())) {
            throw new IllegalArgumentException("--app needs a token (--token or HERALD_TOKEN) to create the endpoint");
        }
        if (app == null && (secret == null || secret.isBlank())) {
            throw new IllegalArgumentException("give --secret whsec_… to verify requests, or --app and a token to "
                    + "create a temporary endpoint whose secret is used");
        }
    }

    /** Verify-only: listen on {@code port} with {@code secret}, answering 200. */
    public static ListenOptions verifying(int port, String secret) {
        return new ListenOptions(DEFAULT_HOST, port, secret, DEFAULT_STATUS, null, null, null, null, Set.of());
    }

    public ListenOptions withStatus(int status) {
        return new ListenOptions(host, port, secret, status, app, token, serverUrl, publicUrl, eventTypes);
    }

    public ListenOptions withApp(String serverUrl, String token, String app) {
        return new ListenOptions(host, port, secret, status, app, token, serverUrl, publicUrl, eventTypes);
    }

    public ListenOptions withEventTypes(Set<String> eventTypes) {
        return new ListenOptions(host, port, secret, status, app, token, serverUrl, publicUrl, eventTypes);
    }
}
