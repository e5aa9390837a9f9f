package dev.herald.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * API bearer tokens. They are 32 random bytes, so a plain SHA-256 is a safe at-rest form (no salt or
 * slow hash needed: there is nothing to guess), and lookups by hash take the same path whether or not
 * the token exists.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private Tokens() {}

    /** {@code prefix} + 43 base62 characters (~256 bits). No dots: the Svix SDKs read a region after one. */
    public static String generate(String prefix) {
        var sb = new StringBuilder(prefix);
        for (int i = 0; i < 43; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
