package dev.herald.outbound;

import dev.herald.client.webhook.Ed25519Keys;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Standard Webhooks (Svix-compatible) signatures.
 *
 * <p>The signed content is {@code msgId + "." + timestamp + "." + body}; the signature is
 * {@code v1,} followed by the base64 HMAC-SHA256 of that content. Receivers verify it with any
 * Standard Webhooks or Svix library, so the format must match byte for byte.
 */
public final class Signer {

    public static final String SECRET_PREFIX = "whsec_";
    public static final String HEADER_ID = "webhook-id";
    public static final String HEADER_TIMESTAMP = "webhook-timestamp";
    public static final String HEADER_SIGNATURE = "webhook-signature";

    /** 24 bytes is what Svix issues; the spec accepts 24 to 64. */
    private static final int GENERATED_SECRET_BYTES = 24;
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * One Mac per thread, initialised with each key in turn: looking the algorithm up for every signature walked the
     * provider list each time (0.4% of the CPU samples in scenario 1 of the benchmark).
     */
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (NoSuchAlgorithmException e) {
            // every JDK ships HmacSHA256, so this is a broken runtime
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private Signer() {
    }

    /**
     * The HMAC key behind a secret: the base64-decoded part after the optional {@code whsec_}
     * prefix.
     *
     * @throws IllegalArgumentException if the secret is empty or not base64
     */
    public static byte[] keyFromSecret(String secret) {
        if (secret == null) {
            throw new IllegalArgumentException("webhook secret is missing");
        }
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook secret is not valid base64", e);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("webhook secret is empty");
        }
        return key;
    }

    /** A fresh random secret in the {@code whsec_<base64>} form receivers expect. */
    public static String generateSecret() {
        byte[] key = new byte[GENERATED_SECRET_BYTES];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** One {@code v1,<base64>} signature of the message under one key. */
    public static String signature(byte[] key, String msgId, long timestampSeconds, byte[] body) {
        Mac mac = newMac(key);
        mac.update(msgId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '.');
        mac.update(Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) '.');
        mac.update(body);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
    }

    /**
     * The {@code webhook-signature} header value for an endpoint's live secrets, newest first, space separated, so a
     * receiver keeps verifying while a secret is being rotated: {@code v1,} (HMAC) for a {@code whsec_} secret,
     * {@code v1a,} (Ed25519) for a {@code whsk_} key pair.
     */
    public static String signatureHeader(List<String> secrets, String msgId, long timestampSeconds, byte[] body) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        StringJoiner header = new StringJoiner(" ");
        for (String secret : secrets) {
            if (Ed25519Keys.isSigningKey(secret)) {
                header.add(ed25519Signature(secret, msgId, timestampSeconds, body));
            } else {
                header.add(signature(keyFromSecret(secret), msgId, timestampSeconds, body));
            }
        }
        return header.toString();
    }

    /**
     * One {@code v1a,<base64>} signature under a {@code whsk_} key pair (seed, then public key; checked when it was
     * stored), by Bouncy Castle's Ed25519: the JDK's took ~600 µs a signature on this machine, this one ~35 µs.
     */
    static String ed25519Signature(String secret, String msgId, long timestampSeconds, byte[] body) {
        byte[] pair = Base64.getDecoder().decode(secret.substring(Ed25519Keys.SECRET_PREFIX.length()));
        byte[] content = Ed25519Keys.signedContent(msgId, timestampSeconds, body);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(pair, 0, pair, Ed25519.SECRET_KEY_SIZE, content, 0, content.length, signature, 0);
        return Ed25519Keys.SIGNATURE_VERSION + "," + Base64.getEncoder().encodeToString(signature);
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = MAC.get();
            mac.init(new SecretKeySpec(key, HMAC_SHA256)); // also resets it
            return mac;
        } catch (InvalidKeyException e) {
            // HmacSHA256 accepts any non-empty key, so this is a broken runtime
            throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
    }
}
