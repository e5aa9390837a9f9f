package dev.herald.security;

import java.util.Base64;

/**
 * Text sealed by a {@link SecretBox} kept in a text column beside plain text: {@code sealed:<key id>:<base64>}. Used
 * for the answers kept under idempotency keys, some of which carry a token or a signing secret.
 */
public final class SealedText {
    private static final String PREFIX = "sealed:";

    private SealedText() {}

    public static String seal(SecretBox box, String text, String boundTo) {
        var sealed = box.seal(text, boundTo);
        return PREFIX + sealed.keyId() + ":" + Base64.getEncoder().encodeToString(sealed.ciphertext());
    }

    /** The text {@link #seal} was given; text it did not make (plain, or null) as it is. */
    public static String open(SecretBox box, String stored, String boundTo) {
        if (!isSealed(stored)) return stored;
        return box.open(parse(stored), boundTo);
    }

    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    private static SecretBox.Sealed parse(String stored) {
        int colon = stored.indexOf(':', PREFIX.length());
        if (colon < 0) throw new IllegalStateException("sealed text without a key id");
        return new SecretBox.Sealed(stored.substring(PREFIX.length(), colon), Base64.getDecoder().decode(stored.substring(colon + 1)));
    }
}
