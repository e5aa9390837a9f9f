package dev.herald.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A copy of an embedded Herald's data directory that starts as it is ({@code herald serve --data-dir <copy>}): the
 * database, its password and the encryption key. While the server runs, the copy is PostgreSQL's base backup: files
 * copied between {@code pg_backup_start} and {@code pg_backup_stop}, with the backup label it answers and the WAL written
 * meanwhile, which a temporary replication slot keeps from being recycled; the server replays that WAL as it starts on
 * the copy. Publishing and delivery go on throughout. With no server running the files are copied as they are, under
 * the data directory's lock, so that no node starts meanwhile.
 */
public final class EmbeddedBackup {
    private EmbeddedBackup() {}

    /** What was copied: {@code online} while the server ran (then with {@code walSegments} of WAL), and its size. */
    public record Copied(boolean online, long bytes, int walSegments) {}

    /** The server's folders whose contents a base backup leaves out: made again, or of no use, at the copy's start. */
    private static final Set<String> CONTENTS_LEFT_OUT = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans", EmbeddedPostgresServer.LOG_DIRECTORY);
    /** Files of a running server that must not be in any copy (and the library's lock). */
    private static final Set<String> SERVER_FILES = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");
    /** And in a base backup, those of an earlier one: its own label is written from what pg_backup_stop answers. */
    private static final Set<String> BACKUP_FILES = Set.of("backup_label", "tablespace_map", "backup_label.old");
    private static final Pattern WAL_SEGMENT = Pattern.compile("[0-9A-F]{24}");

    /**
     * Copies {@code heraldDataDir} (HERALD_DATA_DIR: {@code pg/}, {@code pg.password}, {@code encryption.key}) into
     * {@code target}, which must not exist yet or be empty.
     */
    public static Copied copy(Path heraldDataDir, Path target) throws IOException, SQLException {
        Path pg = heraldDataDir.resolve("pg");
        if (!Files.exists(pg.resolve("PG_VERSION"))) {
            throw new NoSuchFileException(pg.toAbsolutePath() + " holds no embedded database");
        }
        if (Files.exists(target)) {
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) throw new FileAlreadyExistsException(target + " is not empty");
            }
        }
        try {
            return copyInto(heraldDataDir, pg, target);
        } catch (IOException | SQLException | RuntimeException e) {
            clear(target); // empty or new before: what is in it now is a part of a copy, of no use
            throw e;
        }
    }

    private static Copied copyInto(Path heraldDataDir, Path pg, Path target) throws IOException, SQLException {
        Path targetPg = target.resolve("pg");
        makeOwnerOnly(target);
        makeOwnerOnly(targetPg); // PostgreSQL starts only on a data directory its owner alone may enter
        Copied copied;
        if (EmbeddedPostgresServer.livePostmaster(pg).isPresent()) {
            copied = copyOnline(heraldDataDir, pg, targetPg);
        } else {
            try (var lock = DataDirectoryLock.acquire(pg)) {
                // taken: no node runs or starts on the directory while it is copied; one that started just now runs
                if (EmbeddedPostgresServer.livePostmaster(pg).isPresent()) {
                    copied = copyOnline(heraldDataDir, pg, targetPg);
                } else {
                    copied = new Copied(false, copyTree(pg, targetPg, Set.of(), SERVER_FILES), 0);
                }
            }
        }
        for (String secret : List.of("pg.password", "encryption.key")) {
            Path from = heraldDataDir.resolve(secret);
            if (Files.exists(from)) {
                Files.copy(from, target.resolve(secret), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return copied;
    }

    private static Copied copyOnline(Path heraldDataDir, Path pg, Path targetPg) throws IOException, SQLException {
        List<String> pid = Files.readAllLines(pg.resolve("postmaster.pid"));
        String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres?user=postgres&ApplicationName=herald-backup";
        Path passwordFile = EmbeddedPostgresServer.passwordFile(pg);
        if (Files.exists(passwordFile)) url += "&password=" + Files.readString(passwordFile).trim();
        try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
            // held for this session: the WAL from now on stays until the copy has it
            st.execute("select pg_create_physical_replication_slot('herald_backup_" + ProcessHandle.current().pid()
                    + "', true, true)");
            String startLsn = one(st, "select pg_backup_start('herald backup', true)");
            var leftOut = new java.util.HashSet<>(SERVER_FILES);
            leftOut.addAll(BACKUP_FILES);
            long bytes = copyTree(pg, targetPg, CONTENTS_LEFT_OUT, leftOut);
            String label;
            String stopLsn;
            try (var rs = st.executeQuery("select lsn, labelfile, spcmapfile from pg_backup_stop(false)")) {
                rs.next();
                stopLsn = rs.getString(1);
                label = rs.getString(2);
                if (rs.getString(3) != null && !rs.getString(3).isEmpty()) {
                    Files.writeString(targetPg.resolve("tablespace_map"), rs.getString(3));
                }
            }
            Files.writeString(targetPg.resolve("backup_label"), label);
            st.execute("select pg_switch_wal()"); // the segment holding the backup's end is written out whole
            String first = one(st, "select pg_walfile_name('" + startLsn + "')");
            String last = one(st, "select pg_walfile_name('" + stopLsn + "')");
            int segments = 0;
            try (Stream<Path> wal = Files.list(pg.resolve("pg_wal"))) {
                for (Path file : wal.sorted().toList()) {
                    String name = file.getFileName().toString();
                    boolean needed = WAL_SEGMENT.matcher(name).matches() && name.compareTo(first) >= 0 && name.compareTo(last) <= 0;
                    if (needed || name.endsWith(".history")) {
                        Files.copy(file, targetPg.resolve("pg_wal").resolve(name));
                        bytes += Files.size(file);
                        if (needed) segments++;
                    }
                }
            }
            if (segments == 0 || !Files.exists(targetPg.resolve("pg_wal").resolve(first))) {
                throw new IllegalStateException("the WAL from " + first + " was not found in " + pg.resolve("pg_wal"));
            }
            return new Copied(true, bytes, segments);
        }
    }

    private static String one(java.sql.Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Copies {@code from} into {@code to} (made already), leaving out the top-level files named in {@code leftOut} and
     * the contents of the folders named in {@code emptied}; a file the server removes while it is copied is left out too.
     * Answers the bytes.
     */
    private static long copyTree(Path from, Path to, Set<String> emptied, Set<String> leftOut) throws IOException {
        long bytes = 0;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(from)) {
            paths = walk.filter(p -> !p.equals(from)).toList();
        }
        for (Path path : paths) {
            Path relative = from.relativize(path);
            if (relative.getNameCount() > 1 && emptied.contains(relative.getName(0).toString())) continue;
            String name = path.getFileName().toString();
            if (relative.getNameCount() == 1 && leftOut.contains(name)) continue;
            if (name.startsWith("pgsql_tmp")) continue;
            Path copy = to.resolve(relative.toString());
            try {
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.createDirectories(copy.getParent());
                    Files.copy(path, copy);
                    bytes += Files.size(copy);
                }
            } catch (NoSuchFileException gone) {
                // dropped while copied (a table rewritten, a temporary file): the WAL or its absence says so
            }
        }
        return bytes;
    }

    /** Deletes what is in {@code dir}, leaving it empty. */
    private static void clear(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // left as it is: the failure the caller reports says what went wrong
        }
    }

    private static void makeOwnerOnly(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException notPosix) {
            // nothing to set
        }
    }
}
