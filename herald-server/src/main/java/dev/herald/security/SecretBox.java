package dev.herald.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets at rest. Each ciphertext is stored with the id of the key that made it, so
 * the current key can rotate while old keys still decrypt. The row's id is bound in as associated data,
 * so a ciphertext copied onto another row does not decrypt.
 */
public final class SecretBox {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    public SecretBox(byte[] currentKey, List<byte[]> oldKeys) {
        this.currentKeyId = keyId(currentKey);
        keys.put(currentKeyId, new SecretKeySpec(currentKey, "AES"));
        for (byte[] old : oldKeys) keys.putIfAbsent(keyId(old), new SecretKeySpec(old, "AES"));
    }

    public record Sealed(String keyId, byte[] ciphertext) {}

    /** Sealed with a key this box does not hold: a node started with other keys may hold it. */
    public static final class MissingKeyException extends IllegalStateException {
        MissingKeyException(String message) {
            super(message);
        }
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    /** Whether this box holds the key named {@code keyId} (its current key or an old one), so it can open its secrets. */
    public boolean opens(String keyId) {
        return keys.containsKey(keyId);
    }

    public Sealed seal(String plaintext, String boundTo) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] body = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + body.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(body, 0, out, NONCE_BYTES, body.length);
            return new Sealed(currentKeyId, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String open(Sealed sealed, String boundTo) {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new MissingKeyException("no encryption key with id " + sealed.keyId()
                    + " (set it in HERALD_ENCRYPTION_KEY or HERALD_ENCRYPTION_KEYS_OLD)");
        }
        try {
            byte[] data = sealed.ciphertext();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("secret could not be decrypted (wrong key or tampered row)", e);
        }
    }

    /** A short public name for a key: the first 8 bytes of its SHA-256, in hex. */
    static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
