package dev.herald.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per embedded data directory: an OS file lock beside it, held while its PostgreSQL runs and released by
 * the OS when the process dies (SIGKILL included). Without it a second Herald started on the same directory took the
 * first one's live postmaster for an orphan and stopped it, and the first answered 503 from then on.
 */
public final class DataDirectoryLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another live process (or this one) holds the directory. */
    public static final class InUseException extends RuntimeException {
        InUseException(Path dataDir) {
            super(dataDir.toAbsolutePath() + " is in use by another running Herald; stop it, or give this one a data directory of its own");
        }
    }

    /** Locks {@code <dataDir>.lock} (beside the directory: initdb wants the directory itself empty). */
    static DataDirectoryLock acquire(Path dataDir) throws IOException {
        Path file = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
        var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) { // this JVM holds it already
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new InUseException(dataDir);
        }
        return new DataDirectoryLock(file, channel, lock);
    }

    /** Removes the lock's file, once closed (a throwaway directory's, so that none is left beside it). */
    void delete() {
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a few bytes in the temporary directory
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases it with the process anyway
        }
    }
}
