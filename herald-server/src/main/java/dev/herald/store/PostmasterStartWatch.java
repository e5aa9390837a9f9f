package dev.herald.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches an embedded PostgreSQL as the library waits for it to start, and ends that wait as soon as waiting is of no
 * use: the server stopped (a bad setting, a port taken: pg_ctl says it could not start it, or the postmaster it started
 * is gone), or it is ready and the library still cannot log in (a password that no longer matches). Meanwhile it says
 * every {@link #PROGRESS_EVERY} that the server is still starting.
 *
 * <p>The library waits a fixed time and then gives up, whatever the server is doing. A server replaying its log of
 * changes after an unclean stop (SIGKILL, power loss) may need longer than any fixed time on a slow disk, and a node that
 * gave up would stop it at its next start and begin the same replay again, never to start. So the library is given a
 * wait no replay needs ({@link #LIBRARY_WAIT}) and this watch ends it early when the server will not start.
 *
 * <p>The wait is ended by interrupting the waiting thread (the library's wait returns when interrupted); the caller
 * then {@link #close()}s the watch and asks {@link #finding()}.
 */
final class PostmasterStartWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostmasterStartWatch.class);

    /** Long enough for any replay of the log of changes this server keeps (max_wal_size 2 GB). */
    static final Duration LIBRARY_WAIT = Duration.ofHours(1);
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(15);
    /** A ready server the library has not logged in to by then will not be logged in to. */
    static final Duration READY_BUT_NOT_REACHED = Duration.ofSeconds(5);
    private static final Duration LOOK_EVERY = Duration.ofMillis(200);

    /** What the watch found, once it ended the wait. */
    enum Finding { NONE, STOPPED, READY_BUT_NOT_REACHED }

    private final Path dataDir;
    private final Path startLog;
    private final Thread waiter;
    private final Thread watcher;
    private volatile Finding finding = Finding.NONE;
    private volatile boolean closed;

    private PostmasterStartWatch(Path dataDir, Path startLog, Thread waiter) {
        this.dataDir = dataDir;
        this.startLog = startLog;
        this.waiter = waiter;
        this.watcher = Thread.ofVirtual().name("herald-postgres-start-watch").unstarted(this::watch);
    }

    /** Watches the start of the server in {@code dataDir} that the current thread waits for. */
    static PostmasterStartWatch begin(Path dataDir, Path startLog) {
        var watch = new PostmasterStartWatch(dataDir, startLog, Thread.currentThread());
        watch.watcher.start();
        return watch;
    }

    Finding finding() {
        return finding;
    }

    private void watch() {
        long began = System.nanoTime();
        long nextProgress = began + PROGRESS_EVERY.toNanos();
        long readySince = 0;
        while (!closed) {
            try {
                Thread.sleep(LOOK_EVERY);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            PgCtl pgCtl = PgCtl.said(readLines(startLog));
            if (pgCtl == PgCtl.NOT_STARTED) continue; // initdb, or the binaries being unpacked: nothing to watch yet
            Optional<PostmasterState> postmaster = PostmasterState.read(dataDir);
            Finding found = judge(pgCtl, postmaster);
            if (found == Finding.NONE && postmaster.map(PostmasterState::ready).orElse(false)) {
                if (readySince == 0) readySince = System.nanoTime();
                if (System.nanoTime() - readySince >= READY_BUT_NOT_REACHED.toNanos()) found = Finding.READY_BUT_NOT_REACHED;
            } else {
                readySince = 0;
            }
            if (found != Finding.NONE) {
                synchronized (this) {
                    if (closed) return;
                    finding = found;
                    waiter.interrupt();
                }
                return;
            }
            if (System.nanoTime() >= nextProgress) {
                nextProgress += PROGRESS_EVERY.toNanos();
                log.info("embedded PostgreSQL in {} is still starting ({} s; after an unclean stop it first replays its log"
                        + " of changes, its own log: {}): waiting while it runs", dataDir,
                        Duration.ofNanos(System.nanoTime() - began).toSeconds(), dataDir.resolve(EmbeddedPostgresServer.LOG_DIRECTORY));
            }
        }
    }

    /**
     * Whether the server has stopped: pg_ctl said it could not start it, or pg_ctl is done (the server started, or pg_ctl
     * stopped waiting after its own 60 s) and no live postmaster is named in postmaster.pid.
     */
    static Finding judge(PgCtl pgCtl, Optional<PostmasterState> postmaster) {
        if (pgCtl == PgCtl.FAILED) return Finding.STOPPED;
        if (pgCtl == PgCtl.DONE && postmaster.map(p -> !p.alive()).orElse(true)) return Finding.STOPPED;
        return Finding.NONE;
    }

    /** What pg_ctl has printed of this start (its messages are English: the bundled binaries carry no translations). */
    enum PgCtl {
        NOT_STARTED, WAITING, DONE, FAILED;

        static PgCtl said(List<String> startLog) {
            PgCtl said = NOT_STARTED;
            for (String line : startLog) {
                if (line.contains("waiting for server to start")) said = WAITING;
                if (said == NOT_STARTED) continue;
                if (line.contains("could not start server")) return FAILED;
                if (line.contains("server started") || line.contains("server did not start in time")) said = DONE;
            }
            return said;
        }
    }

    /** postmaster.pid's first line (the pid) and eighth (the server's state: starting, ready, standby, stopping). */
    record PostmasterState(boolean alive, boolean ready) {
        static Optional<PostmasterState> read(Path dataDir) {
            List<String> lines = readLines(dataDir.resolve("postmaster.pid"));
            if (lines.isEmpty()) return Optional.empty();
            try {
                long pid = Long.parseLong(lines.get(0).trim());
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                boolean ready = lines.size() >= 8 && lines.get(7).trim().equals("ready");
                return Optional.of(new PostmasterState(alive, alive && ready));
            } catch (NumberFormatException e) {
                return Optional.empty(); // being written
            }
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    /**
     * Ends the watch; after it returns the watch interrupts nobody, and the interrupt it gave to end the library's wait
     * is taken back (any other is kept).
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        watcher.interrupt();
        if (finding != Finding.NONE) Thread.interrupted();
        boolean interrupted = false;
        while (true) {
            try {
                watcher.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
