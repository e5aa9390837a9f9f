package dev.herald.security;

import java.nio.file.Path;
import java.util.Base64;

/** In embedded mode the encryption key lives beside the data it protects, created once (mode 600). */
public final class EncryptionKeyFile {
    private EncryptionKeyFile() {}

    public static byte[] loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve("encryption.key");
        String text = SecretFile.loadOrCreate(file, 32, Base64.getEncoder());
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        // an emptied or damaged file must stop the start with its name, not make a key that opens nothing
        if (key.length != 32) {
            throw new IllegalStateException(file + " does not hold a 32-byte key in base64 (" + text.length()
                    + " characters): restore it from a backup, or set HERALD_ENCRYPTION_KEY to the key");
        }
        return key;
    }
}
