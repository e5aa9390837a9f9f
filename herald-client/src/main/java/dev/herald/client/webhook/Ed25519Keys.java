package dev.herald.client.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Standard Webhooks' asymmetric keys, in Svix's text forms: a sender signs with {@code whsk_} and base64 of the 64-byte
 * Ed25519 key pair (the 32-byte seed, then the public key), a receiver verifies with {@code whpk_} and base64 of the
 * 32-byte public key. The signature entry is {@code v1a,} and base64 of the Ed25519 signature of
 * {@code id.timestamp.body}: the content a {@code v1,} HMAC covers. The JDK's own Ed25519 does the arithmetic.
 */
public final class Ed25519Keys {
    public static final String SECRET_PREFIX = "whsk_";
    public static final String PUBLIC_PREFIX = "whpk_";
    public static final String SIGNATURE_VERSION = "v1a";
    // DER headers of an Ed25519 private key (PKCS#8) and public key (X.509) whose raw bytes follow them
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int SEED_BYTES = 32;
    private static final int PUBLIC_BYTES = 32;

    /** A signing key read from its {@code whsk_} text, with the raw public key that belongs to it. */
    public record SigningKey(PrivateKey privateKey, byte[] publicKey) {
        /** {@code whpk_…}: what a receiver verifies with. */
        public String publicKeyText() {
            return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(publicKey);
        }
    }

    private Ed25519Keys() {}

    public static boolean isSigningKey(String secret) {
        return secret != null && secret.startsWith(SECRET_PREFIX);
    }

    public static boolean isPublicKey(String key) {
        return key != null && key.startsWith(PUBLIC_PREFIX);
    }

    /**
     * Reads a {@code whsk_} key pair and checks that its second half is the public key of its first (a signature made
     * with the one must verify with the other).
     *
     * @throws IllegalArgumentException when it is not base64 of 64 bytes, or the halves do not belong together
     */
    public static SigningKey signingKey(String secret) {
        var key = readSigningKey(secret);
        byte[] probe = "herald-key-check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(publicKey(key.publicKey()), probe, sign(key.privateKey(), probe))) {
            throw new IllegalArgumentException("the key pair's public half does not belong to its private half");
        }
        return key;
    }

    /** Reads a {@code whsk_} key pair without the check: for keys that passed {@link #signingKey} when stored. */
    public static SigningKey readSigningKey(String secret) {
        if (!isSigningKey(secret)) throw new IllegalArgumentException("an Ed25519 signing key starts with " + SECRET_PREFIX);
        byte[] pair = decode(secret.substring(SECRET_PREFIX.length()));
        if (pair.length != SEED_BYTES + PUBLIC_BYTES) {
            throw new IllegalArgumentException("an Ed25519 signing key is base64 of 64 bytes (seed, then public key)");
        }
        try {
            var privateKey = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, Arrays.copyOf(pair, SEED_BYTES))));
            return new SigningKey(privateKey, Arrays.copyOfRange(pair, SEED_BYTES, pair.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 key", e);
        }
    }

    /** Reads a {@code whpk_} public key (the prefix optional). */
    public static PublicKey publicKey(String text) {
        String encoded = isPublicKey(text) ? text.substring(PUBLIC_PREFIX.length()) : text;
        return publicKey(decode(encoded.strip()));
    }

    static PublicKey publicKey(byte[] raw) {
        if (raw.length != PUBLIC_BYTES) throw new IllegalArgumentException("an Ed25519 public key is base64 of 32 bytes");
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** The raw Ed25519 signature of {@code content}. */
    public static byte[] sign(PrivateKey key, byte[] content) {
        try {
            var signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(content);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 refused a key it had read", e);
        }
    }

    public static boolean verify(PublicKey key, byte[] content, byte[] signature) {
        try {
            var verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(content);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is one that does not verify
        }
    }

    /** The signed content: {@code id.timestamp.body}, as for {@code v1,}. */
    public static byte[] signedContent(String id, long timestampSeconds, byte[] body) {
        byte[] head = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        return concat(head, body);
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("an Ed25519 key is standard base64", e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
