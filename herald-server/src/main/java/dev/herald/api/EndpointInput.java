package dev.herald.api;

import dev.herald.outbound.UrlPolicy;
import dev.herald.outbound.WebhookUrls;
import dev.herald.client.webhook.Ed25519Keys;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Validation rules for endpoint fields that more than one route shares (url, secret, headers, channels). */
final class EndpointInput {
    static final int MAX_URL_LENGTH = 65_536;
    static final int MAX_CHANNELS = 10;
    static final Pattern SECRET = Pattern.compile("^(whsec_)?[a-zA-Z0-9+/=]{32,100}$");
    static final Pattern CHANNEL = Pattern.compile("^[a-zA-Z0-9\\-_.:]+$");
    private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$");
    /**
     * Framing and the signature's own headers. Other webhook-* names are the user's, as in svix-server (Webhook-Tenant);
     * the svix-* ones are all the signature's. Content-Type and the caching headers svix-server also refuses are kept
     * open: a receiver may want application/cloudevents+json. Content-Encoding is framing: the body goes as it is, so a
     * receiver told it is gzip fails to read every delivery.
     */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "host", "content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive", "te", "trailer", "trailers",
            "upgrade", "proxy-authenticate", "proxy-authorization", "proxy-connection", "expect", "user-agent",
            "webhook-id", "webhook-timestamp", "webhook-signature");
    private static final String[] RESERVED_PREFIXES = {"svix-", "herald-", "proxy-"};

    private EndpointInput() {}

    /** Checks a URL; the refusal function vets literal hosts (address guard) and returns a reason to refuse. */
    static String url(Body body, String field, boolean required, UrlPolicy urlPolicy) {
        String raw = required ? body.requiredString(field, 1, MAX_URL_LENGTH) : body.string(field, 1, MAX_URL_LENGTH);
        if (raw == null) return null;
        String url;
        try {
            url = asciiHost(raw);
        } catch (IllegalArgumentException e) {
            body.fail(field, "invalid internationalized host name: " + e.getMessage(), "value_error.url");
            return null;
        }
        Optional<String> problem = urlProblem(url, urlPolicy);
        if (problem.isPresent()) {
            body.fail(field, problem.get(), "value_error.url");
            return null;
        }
        return url;
    }

    private static final java.util.regex.Pattern AUTHORITY = java.util.regex.Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#]*)(.*)$", java.util.regex.Pattern.DOTALL);

    /**
     * An internationalized host (bücher.example) is stored in its ASCII form (xn--bcher-kva.example), the
     * one DNS and the address guard understand; everything else in the URL is left as given.
     */
    static String asciiHost(String raw) {
        if (raw.chars().allMatch(c -> c < 0x80)) return raw;
        var m = AUTHORITY.matcher(raw);
        if (!m.matches()) return raw;
        String authority = m.group(2);
        if (authority.chars().allMatch(c -> c < 0x80)) return raw;
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at + 1) : "";
        String hostPort = authority.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        String host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
        String port = colon >= 0 ? hostPort.substring(colon) : "";
        return m.group(1) + userInfo + java.net.IDN.toASCII(host, java.net.IDN.USE_STD3_ASCII_RULES) + port + m.group(3);
    }

    static Optional<String> urlProblem(String raw, UrlPolicy urlPolicy) {
        if (!raw.equals(raw.strip()) || raw.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return Optional.of("URL must not contain whitespace or control characters");
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            return Optional.of("invalid URL: " + e.getReason());
        }
        Optional<String> problem = WebhookUrls.problem(uri);
        if (problem.isPresent()) return problem;
        if (uri.getRawFragment() != null) return Optional.of("URL must not contain a fragment");
        return urlPolicy.refusal(uri).map(EndpointInput::withWhitelistHint);
    }

    /** What to do about a refused address, for whoever tries a receiver on their own machine or network first. */
    static final String WHITELIST_HINT = "; an operator can allow it with HERALD_WHITELIST_SUBNETS";

    private static String withWhitelistHint(String refusal) {
        // a cloud metadata address is let through only by an entry naming it alone: not a thing to suggest
        boolean whitelistable = refusal.startsWith("blocked ") && !refusal.contains("cloud metadata)");
        return whitelistable ? refusal + WHITELIST_HINT : refusal;
    }

    static String secret(Body body, String field) {
        String secret = body.string(field, 1, 200);
        if (Ed25519Keys.isSigningKey(secret)) {
            try {
                Ed25519Keys.signingKey(secret);
                return secret;
            } catch (IllegalArgumentException e) {
                body.fail(field, "a whsk_ key must be base64 of an Ed25519 key pair (the 32-byte seed, then its public key): "
                        + e.getMessage(), "value_error");
                return null;
            }
        }
        if (secret != null && !SECRET.matcher(secret).matches()) {
            body.fail(field, "secret must match " + SECRET.pattern(), "value_error.str.regex");
            return null;
        }
        if (secret != null) {
            try {
                int length = java.util.Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret).length;
                if (length < 24 || length > 75) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                body.fail(field, "secret must be base64 of 24 to 75 bytes", "value_error.str.regex");
                return null;
            }
        }
        return secret;
    }

    /**
     * A list of event type names at {@code field} (an endpoint's or a poller's filter): null when absent or empty, every
     * name one the catalog has ({@code missingTypes} answers those it lacks).
     */
    static Set<String> eventTypes(Body body, String field,
                                  java.util.function.Function<java.util.Collection<String>, java.util.List<String>> missingTypes) {
        Set<String> types = body.stringSet(field, 1000, EventTypeRoutes.NAME, 256);
        if (types == null || types.isEmpty()) return null;
        var missing = missingTypes.apply(types);
        if (!missing.isEmpty()) {
            body.fail(field, "unknown event types: " + String.join(", ", missing), "value_error.event_type");
            return null;
        }
        return types;
    }

    static Set<String> channels(Body body) {
        return body.stringSet("channels", MAX_CHANNELS, CHANNEL, 128);
    }

    static Map<String, String> headers(Body body, String field) {
        Map<String, String> headers = body.stringMap(field, 50, 4096);
        if (headers == null) return null;
        var names = new java.util.HashSet<String>();
        for (var entry : headers.entrySet()) {
            Optional<String> problem = headerProblem(entry.getKey(), entry.getValue());
            if (problem.isEmpty() && !names.add(entry.getKey().toLowerCase(Locale.ROOT))) {
                // header names are case-insensitive: which of the two went out would be chance
                problem = Optional.of("header '" + entry.getKey() + "' is given twice (names differ only by case)");
            }
            if (problem.isPresent()) {
                body.fail(field, problem.get(), "value_error");
                return null;
            }
        }
        return headers;
    }

    static Optional<String> headerProblem(String name, String value) {
        if (!HEADER_NAME.matcher(name).matches()) return Optional.of("invalid header name '" + Body.abbreviate(name) + "'");
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED_HEADERS.contains(lower)) return Optional.of("header '" + name + "' is reserved");
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) return Optional.of("header '" + name + "' is reserved");
        }
        if (value != null && value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0 || (c < 0x20 && c != '\t') || c == 0x7f)) {
            return Optional.of("header '" + name + "' has a control character in its value");
        }
        return Optional.empty();
    }
}
