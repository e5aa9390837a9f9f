package dev.herald.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** A random secret kept in a file readable by its owner alone (mode 600), made once and read at every start after. */
public final class SecretFile {
    private SecretFile() {}

    /** The file's text (trimmed), or {@code randomBytes} new random bytes in {@code encoding}, written to it first. */
    public static String loadOrCreate(Path file, int randomBytes, Base64.Encoder encoding) {
        try {
            if (Files.exists(file)) return Files.readString(file).trim();
            Files.createDirectories(file.toAbsolutePath().getParent());
            byte[] secret = new byte[randomBytes];
            new SecureRandom().nextBytes(secret);
            String text = encoding.encodeToString(secret);
            // written whole under another name, then moved: a crash leaves no half-written secret to be read
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text + "\n");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the file is still created
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return text;
        } catch (IOException e) {
            // a missing directory's exception names only the path
            String reason = e instanceof java.nio.file.NoSuchFileException ? e.getMessage() + ": no such file or directory"
                    : e.getMessage();
            throw new IllegalStateException("cannot read or create " + file + ": " + reason, e);
        }
    }
}
