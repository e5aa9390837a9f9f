package dev.herald.client.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks that a webhook came from Herald (or any Standard Webhooks / Svix sender) and is fresh.
 *
 * <pre>{@code
 * var verifier = WebhookVerifier.of(System.getenv("WEBHOOK_SECRET"));   // whsec_…
 * VerifiedWebhook event = verifier.verify(rawBody, headers);           // throws when it must be refused
 * }</pre>
 *
 * Verify the raw bytes as received, before any JSON parsing: re-serialized JSON no longer matches.
 * The signature header may hold several space-separated {@code v1,<base64>} entries (one per secret while the
 * sender rotates); one match is enough. Comparison is constant-time. Given an endpoint's public key
 * ({@code whpk_…}, for an endpoint that signs with an Ed25519 key), the {@code v1a,} entries are checked instead.
 */
public final class WebhookVerifier {
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final byte[] key; // null when verifying with a public key
    private final PublicKey publicKey;
    private final Duration tolerance;
    private final Clock clock;

    private WebhookVerifier(byte[] key, PublicKey publicKey, Duration tolerance, Clock clock) {
        this.key = key;
        this.publicKey = publicKey;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * @param secret the endpoint's secret, {@code whsec_<base64>} (the prefix is optional), or its public key,
     *               {@code whpk_<base64>}, for one that signs with an Ed25519 key
     */
    public static WebhookVerifier of(String secret) {
        if (Ed25519Keys.isPublicKey(secret)) {
            return new WebhookVerifier(null, Ed25519Keys.publicKey(secret), DEFAULT_TOLERANCE, Clock.systemUTC());
        }
        return new WebhookVerifier(WebhookSecret.key(secret), null, DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /** How far the timestamp may be from now, either way. */
    public WebhookVerifier withTolerance(Duration tolerance) {
        if (tolerance.isNegative()) throw new IllegalArgumentException("tolerance must be >= 0");
        return new WebhookVerifier(key, publicKey, tolerance, clock);
    }

    public WebhookVerifier withClock(Clock clock) {
        return new WebhookVerifier(key, publicKey, tolerance, Objects.requireNonNull(clock));
    }

    /** @param headers the request headers (names in any case), values as strings or lists */
    public VerifiedWebhook verify(byte[] rawBody, Map<String, ?> headers) throws WebhookVerificationException {
        return verify(rawBody, WebhookHeaders.from(headers));
    }

    public VerifiedWebhook verify(String rawBody, Map<String, ?> headers) throws WebhookVerificationException {
        return verify(rawBody.getBytes(StandardCharsets.UTF_8), WebhookHeaders.from(headers));
    }

    public VerifiedWebhook verify(byte[] rawBody, WebhookHeaders headers) throws WebhookVerificationException {
        String id = required(headers, "id", WebhookHeaders.ID);
        String timestampText = required(headers, "timestamp", WebhookHeaders.TIMESTAMP);
        String signatures = required(headers, "signature", WebhookHeaders.SIGNATURE);

        Instant timestamp = parseTimestamp(timestampText);
        Instant now = clock.instant();
        if (Duration.between(timestamp, now).abs().compareTo(tolerance) > 0) {
            throw new StaleTimestampException(timestamp, now, tolerance);
        }
        if (publicKey != null) {
            if (!anyVerifies(signatures, Ed25519Keys.signedContent(id, timestamp.getEpochSecond(), rawBody))) {
                throw new InvalidSignatureException("no v1a signature in the header verifies with this public key");
            }
        } else if (!anyMatches(signatures, Hmac.sign(key, id, timestamp.getEpochSecond(), rawBody))) {
            throw new InvalidSignatureException("no v1 signature in the header matches this body and secret");
        }
        return new VerifiedWebhook(id, timestamp, new String(rawBody, StandardCharsets.UTF_8));
    }

    private static String required(WebhookHeaders headers, String suffix, String name) throws MissingHeaderException {
        String value = headers.get(suffix);
        if (value == null) throw new MissingHeaderException(name);
        return value.strip();
    }

    private static Instant parseTimestamp(String text) throws MalformedTimestampException {
        try {
            return Instant.ofEpochSecond(Long.parseLong(text));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new MalformedTimestampException(text);
        }
    }

    /** Entries other than {@code v1,} (e.g. v1a, asymmetric) and undecodable ones are skipped, not fatal. */
    private static boolean anyMatches(String header, byte[] expected) {
        boolean matched = false;
        for (byte[] candidate : entries(header, "v1,")) matched |= MessageDigest.isEqual(candidate, expected);
        return matched;
    }

    /** Any {@code v1a,} entry that verifies with the public key; the others are skipped. */
    private boolean anyVerifies(String header, byte[] content) {
        for (byte[] candidate : entries(header, Ed25519Keys.SIGNATURE_VERSION + ",")) {
            if (Ed25519Keys.verify(publicKey, content, candidate)) return true;
        }
        return false;
    }

    /** The decoded signatures of the header's entries of one version; undecodable ones left out. */
    private static List<byte[]> entries(String header, String versionPrefix) {
        var found = new ArrayList<byte[]>();
        for (String entry : header.trim().split(" +")) {
            if (!entry.startsWith(versionPrefix)) continue;
            try {
                found.add(Base64.getDecoder().decode(entry.substring(versionPrefix.length())));
            } catch (IllegalArgumentException notBase64) {
                // skipped, not fatal
            }
        }
        return found;
    }
}
