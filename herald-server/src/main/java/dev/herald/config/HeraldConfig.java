package dev.herald.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting Herald reads, with its named default. {@link #fromEnvironment(Map)} is the one place
 * environment variables are parsed; a bad value fails fast with one line naming the variable.
 */
public record HeraldConfig(
        InetSocketAddress httpAddress,
        Optional<String> databaseUrl,
        Duration databaseTimeout,
        int databasePoolSize,
        Path dataDir,
        Optional<String> adminToken,
        Optional<String> jwtSecret,
        Optional<byte[]> encryptionKey,
        List<byte[]> oldEncryptionKeys,
        int maxEndpointsPerApp,
        int maxPayloadBytes,
        List<Duration> retrySchedule,
        SignatureHeaders signatureHeaders,
        SignatureType defaultSignatureType,
        List<String> whitelistSubnets,
        boolean endpointHttpsOnly,
        boolean dangerousDisableTlsVerification,
        Optional<String> proxyUrl,
        List<String> noProxy,
        Duration disableAfter,
        Duration requestTimeout,
        Duration shutdownTimeout,
        Duration shutdownDelay,
        Optional<String> operationalWebhookUrl,
        Optional<String> operationalWebhookSecret,
        int maxInFlight,
        int maxInFlightPerEndpoint,
        boolean embeddedDurable,
        Duration deliveryLease,
        int payloadRetentionDays,
        boolean deliveryPaused,
        Duration pollInterval,
        int retentionDays,
        Duration janitorInterval,
        boolean validatePayloads,
        int circuitBreakerFailures,
        List<String> portalFrameAncestors,
        Optional<String> metricsToken,
        Optional<String> publicUrl,
        boolean apiEnabled,
        boolean workerEnabled) {

    /**
     * The listen address only: several settings are secrets (the admin token, the keys, the database URL's password),
     * and a record's own toString would print them all into whatever log line names the config.
     */
    @Override
    public String toString() {
        return "HeraldConfig[httpAddress=" + httpAddress.getHostString() + ":" + httpAddress.getPort() + ", the other settings not shown]";
    }

    public static final String DEFAULT_HTTP_ADDR = "127.0.0.1:8071";
    public static final String DEFAULT_DATA_DIR = "./data";
    /**
     * How long Herald waits for the database to answer on one connection before giving that connection up: a
     * partition leaves connections open and silent, and without a bound every thread that used one would wait on it
     * for good. Long enough for the slowest statement Herald runs outside its background tasks.
     */
    public static final Duration DEFAULT_DATABASE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Connections of a node's general pool (API, portal, housekeeping); publishing and delivery have a pool of their
     * own ({@link #HOT_PATH_POOL_SIZE}). At least 10, as Svix's db_pool_max_size: fewer would make requests wait.
     */
    public static final int DEFAULT_DATABASE_POOL_SIZE = 40;
    public static final int HOT_PATH_POOL_SIZE = 8;
    public static final int DEFAULT_MAX_ENDPOINTS_PER_APP = 50;
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
    public static final String DEFAULT_RETRY_SCHEDULE = "0,5,300,1800,7200,18000,36000,36000";
    public static final Duration DEFAULT_DISABLE_AFTER = Duration.ofDays(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** The HTTP client queues twice as many requests: past this that overflowed (and no node has the memory for it). */
    static final int MAX_IN_FLIGHT_LIMIT = 100_000;
    public static final int DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT = 256;
    public static final Duration DEFAULT_DELIVERY_LEASE = Duration.ofSeconds(60);
    public static final int DEFAULT_PAYLOAD_RETENTION_DAYS = 90;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_RETENTION_DAYS = 90;
    public static final Duration DEFAULT_JANITOR_INTERVAL = Duration.ofMinutes(1);
    /** Svix accepts any payload; validating against event-type schemas is opted into (here or per type). */
    public static final boolean DEFAULT_VALIDATE_PAYLOADS = false;
    /** Failed requests in a row after which a node stops sending to an endpoint for a while (0: never). */
    public static final int DEFAULT_CIRCUIT_BREAKER_FAILURES = 10;

    public enum SignatureHeaders { WEBHOOK, SVIX, BOTH }

    /** The kind of secret Herald makes for an endpoint given none (Svix's default_signature_type). */
    public enum SignatureType { HMAC256, ED25519 }

    /** An endpoint secret's rule: base64 of 24 to 75 bytes ("nope" decoded to three bytes, and was taken). */
    private static boolean decodesToKey(String base64) {
        try {
            int length = java.util.Base64.getDecoder().decode(base64).length;
            return length >= 24 && length <= 75;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Ten years, the API's bound on a message's payloadRetentionPeriod: further, times leave PostgreSQL's range. */
    public static final int MAX_RETENTION_DAYS = 3650;

    public static HeraldConfig fromEnvironment(Map<String, String> env) {
        var reader = new EnvReader(env);
        var config = read(reader);
        var unknown = new java.util.ArrayList<>(reader.unknownNames());
        if (unknown.remove("HERALD_TOKEN")) {
            org.slf4j.LoggerFactory.getLogger(HeraldConfig.class).warn("HERALD_TOKEN is set: `herald listen` reads it, the"
                    + " server does not (its admin token is HERALD_ADMIN_TOKEN)");
        }
        if (!unknown.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(HeraldConfig.class).warn(
                    "{} set but not a Herald setting (a misspelt name?): its value is not used", String.join(", ", unknown));
        }
        return config;
    }

    /** Every setting, read through {@code reader} (which then knows the names read). */
    static HeraldConfig read(EnvReader reader) {
        reader.logSettings("HERALD_LOG_FORMAT", "HERALD_LOG_LEVEL");
        return new HeraldConfig(
                reader.address("HERALD_HTTP_ADDR", DEFAULT_HTTP_ADDR),
                reader.optionalNotBlank("HERALD_DATABASE_URL"),
                databaseTimeout(reader.durationBetween("HERALD_DATABASE_TIMEOUT", DEFAULT_DATABASE_TIMEOUT, Duration.ZERO, Duration.ofDays(1))),
                reader.intBetween("HERALD_DATABASE_POOL_SIZE", DEFAULT_DATABASE_POOL_SIZE, 10, 1000),
                Path.of(reader.string("HERALD_DATA_DIR", DEFAULT_DATA_DIR)),
                reader.optional("HERALD_ADMIN_TOKEN"),
                reader.optional("HERALD_JWT_SECRET"),
                reader.optionalNotBlank("HERALD_ENCRYPTION_KEY").map(v -> aesKey("HERALD_ENCRYPTION_KEY", v)),
                reader.optional("HERALD_ENCRYPTION_KEYS_OLD").map(HeraldConfig::oldKeys).orElse(List.of()),
                reader.positiveInt("HERALD_MAX_ENDPOINTS_PER_APP", DEFAULT_MAX_ENDPOINTS_PER_APP),
                reader.positiveInt("HERALD_MAX_PAYLOAD_BYTES", DEFAULT_MAX_PAYLOAD_BYTES),
                reader.retrySchedule("HERALD_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE),
                reader.signatureHeaders("HERALD_SIGNATURE_HEADERS"),
                reader.signatureType("HERALD_DEFAULT_SIGNATURE_TYPE"),
                reader.list("HERALD_WHITELIST_SUBNETS"),
                reader.bool("HERALD_ENDPOINT_HTTPS_ONLY", false),
                reader.bool("HERALD_DANGEROUS_DISABLE_TLS_VERIFICATION", false),
                reader.optional("HERALD_PROXY_URL"),
                reader.list("HERALD_NO_PROXY"),
                reader.durationBetween("HERALD_DISABLE_AFTER", DEFAULT_DISABLE_AFTER, Duration.ZERO, Duration.ofDays(3650)),
                reader.durationBetween("HERALD_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(1)),
                reader.durationBetween("HERALD_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT, Duration.ZERO, Duration.ofHours(1)),
                reader.durationBetween("HERALD_SHUTDOWN_DELAY", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10)),
                reader.optional("HERALD_OPERATIONAL_WEBHOOK_URL"),
                reader.optional("HERALD_OPERATIONAL_WEBHOOK_SECRET"),
                reader.intBetween("HERALD_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT, 1, MAX_IN_FLIGHT_LIMIT),
                reader.positiveInt("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", DEFAULT_MAX_IN_FLIGHT_PER_ENDPOINT),
                reader.bool("HERALD_EMBEDDED_DURABLE", true),
                reader.durationBetween("HERALD_DELIVERY_LEASE", DEFAULT_DELIVERY_LEASE, Duration.ofSeconds(1), Duration.ofDays(1)),
                reader.intBetween("HERALD_PAYLOAD_RETENTION_DAYS", DEFAULT_PAYLOAD_RETENTION_DAYS, 1, MAX_RETENTION_DAYS),
                reader.bool("HERALD_DELIVERY_PAUSED", false),
                reader.durationBetween("HERALD_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, Duration.ofMillis(10), Duration.ofHours(1)),
                reader.intBetween("HERALD_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS),
                reader.durationBetween("HERALD_JANITOR_INTERVAL", DEFAULT_JANITOR_INTERVAL, Duration.ofSeconds(1), Duration.ofDays(1)),
                reader.bool("HERALD_VALIDATE_PAYLOADS", DEFAULT_VALIDATE_PAYLOADS),
                reader.nonNegativeInt("HERALD_CIRCUIT_BREAKER_FAILURES", DEFAULT_CIRCUIT_BREAKER_FAILURES),
                reader.list("HERALD_PORTAL_FRAME_ANCESTORS").stream().map(HeraldConfig::origin).toList(),
                reader.optional("HERALD_METRICS_TOKEN"),
                reader.optional("HERALD_PUBLIC_URL").map(HeraldConfig::publicUrl),
                reader.bool("HERALD_API_ENABLED", true),
                reader.bool("HERALD_WORKER_ENABLED", true));
    }

    /**
     * A node has a role; a lease must outlast the slowest request, or a live node's work would be taken over; with
     * https only, the operational webhook URL is held to it too.
     */
    public HeraldConfig {
        if (!apiEnabled && !workerEnabled) {
            throw new ConfigException("HERALD_API_ENABLED, HERALD_WORKER_ENABLED: at least one must be true (a node that"
                    + " neither serves the API nor delivers would do nothing)");
        }
        if (endpointHttpsOnly && operationalWebhookUrl != null && operationalWebhookUrl.isPresent()
                && !operationalWebhookUrl.get().regionMatches(true, 0, "https://", 0, 8)) {
            throw new ConfigException("HERALD_OPERATIONAL_WEBHOOK_URL: must be https, as HERALD_ENDPOINT_HTTPS_ONLY is true");
        }
        if (operationalWebhookUrl != null && operationalWebhookUrl.isPresent()) {
            operationalWebhookUrl(operationalWebhookUrl.get());
            // without a secret that decodes, every event would fail to be signed and be dropped with a warning
            String secret = operationalWebhookSecret == null ? null : operationalWebhookSecret.orElse(null);
            if (secret == null) {
                throw new ConfigException("HERALD_OPERATIONAL_WEBHOOK_SECRET: required with HERALD_OPERATIONAL_WEBHOOK_URL"
                        + " (a whsec_ secret: the receiver verifies the events with it)");
            }
            if (!decodesToKey(secret.startsWith("whsec_") ? secret.substring(6) : secret)) {
                throw new ConfigException("HERALD_OPERATIONAL_WEBHOOK_SECRET: must be whsec_ and base64 of 24 to 75 bytes"
                        + " (as Svix's secrets are)");
            }
        }
        if (deliveryLease != null && requestTimeout != null && deliveryLease.compareTo(requestTimeout.plusSeconds(5)) < 0) {
            throw new ConfigException("HERALD_DELIVERY_LEASE: must be at least HERALD_REQUEST_TIMEOUT + 5s ("
                    + requestTimeout.plusSeconds(5).toSeconds() + "s)");
        }
    }

    /**
     * HERALD_OPERATIONAL_WEBHOOK_URL: a URL an endpoint could have (http or https, a host, a port in range, no
     * credentials, no fragment): {@code notaurl} was taken, and every event then failed to be sent. The https rule is
     * checked above; the address guard vets it at each send, as any receiver's.
     */
    static void operationalWebhookUrl(String value) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || dev.herald.outbound.WebhookUrls.problem(uri).isPresent() || uri.getRawFragment() != null) {
            throw new ConfigException("HERALD_OPERATIONAL_WEBHOOK_URL: '" + withoutCredentials(value)
                    + "' is not a URL like https://ops.example.com/webhooks");
        }
    }

    /** Whole seconds (the driver's unit), at least one. */
    static Duration databaseTimeout(Duration value) {
        if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.toMillis() % 1000 != 0) {
            throw new ConfigException("HERALD_DATABASE_TIMEOUT: must be whole seconds, at least 1s, like 60s or 2m");
        }
        return value;
    }

    public boolean embedded() {
        return databaseUrl.isEmpty();
    }

    static byte[] aesKey(String variable, String value) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable + ": not valid base64");
        }
        if (key.length != 32) {
            throw new ConfigException(variable + ": must decode to 32 bytes, got " + key.length);
        }
        return key;
    }

    /**
     * A web origin that may show the app portal in a frame: {@code https://host[:port]}, or plain HTTP on this
     * machine's own names (a dashboard in development). Written back as the origin alone, for the CSP.
     */
    static String origin(String value) {
        String problem = "HERALD_PORTAL_FRAME_ANCESTORS: '" + withoutCredentials(value) + "' is not an origin like https://app.example.com";
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(problem);
        }
        String host = uri.getHost();
        boolean local = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
        boolean scheme = "https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && local);
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        if (host == null || !scheme || !bare) throw new ConfigException(problem);
        return uri.getScheme() + "://" + host.toLowerCase(java.util.Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    /** {@code scheme://user:password@host…} with the user and password left out: a refusal quoting it goes to stderr. */
    static String withoutCredentials(String value) {
        return value.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1…@");
    }

    /** HERALD_PUBLIC_URL: http(s), a host, perhaps a port and a path prefix; no query, fragment or credentials. */
    static String publicUrl(String value) {
        String problem = "HERALD_PUBLIC_URL: '" + withoutCredentials(value) + "' is not a base URL like https://hooks.example.com"
                + (value.equals(withoutCredentials(value)) ? "" : " (and must hold no user name or password)");
        java.net.URI uri;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(problem);
        }
        boolean scheme = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme());
        if (uri.getHost() == null || !scheme || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getRawUserInfo() != null) {
            throw new ConfigException(problem);
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static List<byte[]> oldKeys(String value) {
        var keys = new ArrayList<byte[]>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) keys.add(aesKey("HERALD_ENCRYPTION_KEYS_OLD", part));
        }
        return keys;
    }
}
