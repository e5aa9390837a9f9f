package dev.herald.client.outbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Event ids derived from what makes an event unique, so the same business fact always gets the same id and a
 * retried transaction cannot publish it twice.
 *
 * <p>{@code deterministic("email.received", messageId)} = {@code evt_} + the first 32 hex digits (128 bits) of
 * SHA-256 over the parts joined with a NUL character. Parts may not contain NUL, so the join is unambiguous:
 * with a printable delimiter such as {@code |}, ("a|b", "c") and ("a", "b|c") would share an id.
 */
public final class EventIds {
    public static final String PREFIX = "evt_";
    private static final char DELIMITER = '\0';

    private EventIds() {}

    /** @param parts at least one; name the event type first so different events of one record differ */
    public static String deterministic(String... parts) {
        if (parts == null || parts.length == 0) throw new IllegalArgumentException("name at least one part of the event id");
        var joined = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part == null) throw new IllegalArgumentException("event id part " + i + " is null");
            if (part.indexOf(DELIMITER) >= 0) throw new IllegalArgumentException("event id part " + i + " contains NUL");
            if (i > 0) joined.append(DELIMITER);
            joined.append(part);
        }
        return PREFIX + HexFormat.of().formatHex(sha256(joined.toString())).substring(0, 32);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }
}
