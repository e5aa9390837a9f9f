package dev.herald.security;

import java.nio.file.Path;
import java.util.Base64;

/** In embedded mode the encryption key lives beside the data it protects, created once (mode 600). */
public final class EncryptionKeyFile {
    private EncryptionKeyFile() {}

    public static byte[] loadOrCreate(Path dataDir) {
        return Base64.getDecoder().decode(SecretFile.loadOrCreate(dataDir.resolve("encryption.key"), 32, Base64.getEncoder()));
    }
}
