package dev.herald.client;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * Herald's REST API (the Svix v1 wire format) from Java. Thread-safe; make one per server and share it.
 *
 * <pre>{@code
 * var herald = HeraldClient.builder("http://127.0.0.1:8071", token).build();
 * herald.messages().create("acme", MessageIn.of("invoice.paid", Map.of("id", "in_1")));
 * }</pre>
 *
 * Errors arrive as typed exceptions ({@link HeraldNotFoundException}, {@link HeraldValidationException}, …)
 * carrying Herald's error body. 5xx answers and broken connections are retried (see {@link Retries}); every
 * POST carries an idempotency-key that stays the same across those retries.
 */
public final class HeraldClient implements AutoCloseable {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final Applications applications;
    private final EventTypes eventTypes;
    private final Endpoints endpoints;
    private final Messages messages;
    private final Attempts attempts;
    private final BackgroundTasks backgroundTasks;
    private final Pollers pollers;
    private final Transport transport;

    private HeraldClient(Transport transport) {
        this.transport = transport;
        this.applications = new Applications(transport);
        this.eventTypes = new EventTypes(transport);
        this.endpoints = new Endpoints(transport);
        this.messages = new Messages(transport);
        this.attempts = new Attempts(transport);
        this.backgroundTasks = new BackgroundTasks(transport);
        this.pollers = new Pollers(transport);
    }

    public static Builder builder(String serverUrl, String token) {
        return new Builder(serverUrl, token);
    }

    public Applications applications() {
        return applications;
    }

    public EventTypes eventTypes() {
        return eventTypes;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    public Messages messages() {
        return messages;
    }

    public BackgroundTasks backgroundTasks() {
        return backgroundTasks;
    }

    public Attempts attempts() {
        return attempts;
    }

    /** Polling endpoints: making them, and reading them (with an admin, application or poller key). */
    public Pollers pollers() {
        return pollers;
    }

    /**
     * Ends the HTTP client this client built (its selector thread and pooled connections); one given to
     * {@link Builder#httpClient} stays the caller's to end. Calls made after this fail.
     */
    @Override
    public void close() {
        transport.close();
    }

    public static final class Builder {
        private final String serverUrl;
        private final String token;
        private Retries retries = Retries.DEFAULT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private HttpClient httpClient;

        private Builder(String serverUrl, String token) {
            this.serverUrl = Objects.requireNonNull(serverUrl, "serverUrl");
            this.token = token;
        }

        public Builder retries(Retries retries) {
            this.retries = Objects.requireNonNull(retries);
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout);
            return this;
        }

        /** Your own configured JDK client (proxy, TLS); redirects should stay off, as Herald never sends them. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient);
            return this;
        }

        public HeraldClient build() {
            HttpClient http = httpClient != null ? httpClient
                    : HttpClient.newBuilder().connectTimeout(DEFAULT_CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
            return new HeraldClient(new Transport(serverUrl, token, http, httpClient == null, retries, requestTimeout));
        }
    }
}
