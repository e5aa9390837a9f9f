package dev.herald.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
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
            // written whole under another name, made readable by its owner alone from the start, forced to disk, then
            // moved and the move forced too: a crash leaves no half-written secret, and no key lost while data it
            // sealed is on disk
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try (var channel = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
                channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(file.toAbsolutePath().getParent());
            return text;
        } catch (IOException e) {
            // a missing directory's exception names only the path
            String reason = e instanceof java.nio.file.NoSuchFileException ? e.getMessage() + ": no such file or directory"
                    : e.getMessage();
            throw new IllegalStateException("cannot read or create " + file + ": " + reason, e);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** A rename is on disk once its directory is: without this, a power cut could leave the old name (none). */
    private static void forceDirectory(Path directory) {
        try (var channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // some file systems cannot open a directory; the file itself was forced
        }
    }
}
