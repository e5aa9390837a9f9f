package dev.herald.outbound;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of {@link WebhookClient}.
 *
 * @param version Herald's version, sent as {@code User-Agent: Herald/<version>}
 * @param connectTimeout limit for establishing a TCP (and TLS) connection
 * @param totalTimeout limit for the whole exchange, from queueing to the last body byte
 * @param maxConnectionsPerDestination concurrent connections to one scheme/host/port
 * @param maxRequestsQueued requests in flight or waiting across all destinations; beyond it sends
 *     fail at once instead of piling up memory
 * @param httpsOnly refuse every request whose URL is not https ({@code HERALD_ENDPOINT_HTTPS_ONLY})
 * @param trustAnyCertificate take any https receiver's certificate, unchecked
 *     ({@code HERALD_DANGEROUS_DISABLE_TLS_VERIFICATION}: a test receiver with a certificate of its own making)
 * @param proxy the proxy every request goes through ({@code HERALD_PROXY_URL}), or null: straight to the receiver
 */
public record WebhookClientSettings(
        String version,
        Duration connectTimeout,
        Duration totalTimeout,
        int maxConnectionsPerDestination,
        int maxRequestsQueued,
        boolean httpsOnly,
        boolean trustAnyCertificate,
        OutboundProxy proxy) {

    public WebhookClientSettings {
        Objects.requireNonNull(version, "version");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(totalTimeout, "totalTimeout");
        if (maxConnectionsPerDestination < 1 || maxRequestsQueued < 1) {
            throw new IllegalArgumentException("connection and queue limits must be at least 1");
        }
    }

    /**
     * The most a response's status line and headers may take; past it the attempt fails. Jetty's default is no limit: a
     * receiver streaming one endless header held its bytes in Herald's memory until the total timeout, per request.
     */
    public static final int MAX_RESPONSE_HEADERS_BYTES = 64 * 1024;

    public static WebhookClientSettings defaults(String version) {
        return new WebhookClientSettings(version, Duration.ofSeconds(5), Duration.ofSeconds(15), 64, 10_000, false,
                false, null);
    }

    public WebhookClientSettings withConnectTimeout(Duration value) {
        return new WebhookClientSettings(version, value, totalTimeout, maxConnectionsPerDestination,
                maxRequestsQueued, httpsOnly, trustAnyCertificate, proxy);
    }

    public WebhookClientSettings withTotalTimeout(Duration value) {
        return new WebhookClientSettings(version, connectTimeout, value, maxConnectionsPerDestination,
                maxRequestsQueued, httpsOnly, trustAnyCertificate, proxy);
    }

    public WebhookClientSettings withMaxConnectionsPerDestination(int value) {
        return new WebhookClientSettings(version, connectTimeout, totalTimeout, value, maxRequestsQueued, httpsOnly,
                trustAnyCertificate, proxy);
    }

    public WebhookClientSettings withMaxRequestsQueued(int value) {
        return new WebhookClientSettings(version, connectTimeout, totalTimeout, maxConnectionsPerDestination, value,
                httpsOnly, trustAnyCertificate, proxy);
    }

    public WebhookClientSettings withHttpsOnly(boolean value) {
        return new WebhookClientSettings(version, connectTimeout, totalTimeout, maxConnectionsPerDestination,
                maxRequestsQueued, value, trustAnyCertificate, proxy);
    }

    public WebhookClientSettings withTrustAnyCertificate(boolean value) {
        return new WebhookClientSettings(version, connectTimeout, totalTimeout, maxConnectionsPerDestination,
                maxRequestsQueued,
                httpsOnly, value, proxy);
    }

    public WebhookClientSettings withProxy(OutboundProxy value) {
        return new WebhookClientSettings(version, connectTimeout, totalTimeout, maxConnectionsPerDestination,
                maxRequestsQueued,
                httpsOnly, trustAnyCertificate, value);
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
