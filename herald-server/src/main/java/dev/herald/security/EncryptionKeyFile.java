package dev.herald.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** In embedded mode the encryption key lives beside the data it protects, created once (mode 600). */
public final class EncryptionKeyFile {
    private EncryptionKeyFile() {}

    public static byte[] loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve("encryption.key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            Files.createDirectories(dataDir);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path tmp = dataDir.resolve("encryption.key.tmp");
            Files.writeString(tmp, Base64.getEncoder().encodeToString(key) + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the file is still created
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }
}
