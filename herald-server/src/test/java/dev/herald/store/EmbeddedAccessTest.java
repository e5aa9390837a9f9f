package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's embedded PostgreSQL asks every connection for the postgres user's password, kept beside the data directory
 * (mode 600): initdb's own access file trusted any local connection as the superuser, so any process on the host could
 * read and change Herald's data, and run programs as its user. A directory made before is set to ask at its next start.
 * And it runs binaries unpacked beside its data, where only Herald's user may go, not from the library's shared
 * folder in the temporary directory, which every user may write to.
 */
class EmbeddedAccessTest {

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url);
    }

    private static String withoutPassword(EmbeddedPostgresServer server) {
        return "jdbc:postgresql://localhost:" + server.port() + "/postgres?user=postgres";
    }

    /**
     * A new directory asks for the password from initdb on: initdb's trust access let any user of the host log in as
     * the superuser from the server's first start until Herald wrote its own access file. Started here as Herald
     * configures it, without the access file Herald writes after.
     */
    @Test
    void a_new_directory_asks_for_the_password_from_initdb_on(@TempDir Path dir) throws Exception {
        Path pg = dir.resolve("pg");
        Files.writeString(EmbeddedPostgresServer.passwordFile(pg), "initdb-Pw_1");
        var protection = new EmbeddedPostgresServer.Protection("initdb-Pw_1",
                EmbeddedPostgresServer.ownerOnlyDirectory(EmbeddedPostgresServer.userCache()));
        try (var postgres = EmbeddedPostgresServer.builder(pg, dir.resolve("start.log"), false, 0, java.util.Map.of(), true,
                protection).start()) {
            var rules = Files.readAllLines(pg.resolve("pg_hba.conf")).stream()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
            assertThat(rules).isNotEmpty().noneMatch(rule -> rule.contains("trust"));
            String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?user=postgres";
            assertThatThrownBy(() -> connect(url).close()).isInstanceOf(SQLException.class).hasMessageContaining("password");
            connect(url + "&password=initdb-Pw_1").close();
        }
    }

    @Test
    void a_connection_without_the_password_is_refused_and_one_with_it_works_across_restarts(@TempDir Path dataDir)
            throws Exception {
        Path pg = dataDir.resolve("herald").resolve("pg");
        String password;
        try (var server = EmbeddedPostgresServer.start(pg, false)) {
            // made by Herald: its user's alone
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("herald"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThatThrownBy(() -> connect(withoutPassword(server)).close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            assertThatThrownBy(() -> connect(withoutPassword(server) + "&password=guess").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (var c = connect(server.jdbcUrl()); var s = c.createStatement()) {
                s.execute("create table kept (v text)");
                s.execute("insert into kept values ('before the restart')");
            }
            password = Files.readString(pg.resolveSibling("pg.password")).trim();
            assertThat(password).matches("[A-Za-z0-9_-]{32}");
            assertThat(Files.getPosixFilePermissions(pg.resolveSibling("pg.password")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        try (var server = EmbeddedPostgresServer.start(pg, false)) {
            assertThat(Files.readString(pg.resolveSibling("pg.password")).trim()).isEqualTo(password);
            assertThatThrownBy(() -> connect(withoutPassword(server)).close()).isInstanceOf(SQLException.class);
            try (var c = connect(server.jdbcUrl()); var s = c.createStatement(); var rows = s.executeQuery("select v from kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("before the restart");
            }
        }
    }

    @Test
    void a_directory_made_with_trust_access_is_set_to_ask_for_the_password_and_keeps_its_data(@TempDir Path dataDir)
            throws Exception {
        Path pg = dataDir.resolve("pg");
        try (var server = EmbeddedPostgresServer.start(pg, false); var c = connect(server.jdbcUrl()); var s = c.createStatement()) {
            s.execute("create table kept (v text)");
            s.execute("insert into kept values ('from before')");
        }
        // as a directory made before Herald asked for a password: initdb's access file, no password kept
        Files.writeString(pg.resolve("pg_hba.conf"), """
                local   all             all                                     trust
                host    all             all             127.0.0.1/32            trust
                host    all             all             ::1/128                 trust
                """);
        Files.delete(dataDir.resolve("pg.password"));

        try (var server = EmbeddedPostgresServer.start(pg, false)) {
            assertThat(Files.readString(pg.resolve("pg_hba.conf"))).isEqualTo(EmbeddedPostgresServer.PASSWORD_ONLY_ACCESS);
            assertThatThrownBy(() -> connect(withoutPassword(server)).close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
            try (var c = connect(server.jdbcUrl()); var s = c.createStatement(); var rows = s.executeQuery("select v from kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("from before");
            }
        }
    }

    @Test
    void the_server_runs_binaries_of_its_own_that_only_herald_user_may_reach(@TempDir Path dataDir) throws Exception {
        // a throwaway server first, as in a test run: it unpacks a copy of its own in the user's cache
        try (var throwaway = EmbeddedPostgresServer.startThrowaway("herald-access-test", false, java.util.Map.of())) {
            assertThat(throwaway.port()).isPositive();
        }
        Path pg = dataDir.resolve("pg");
        try (var server = EmbeddedPostgresServer.start(pg, false)) {
            long pid = Long.parseLong(Files.readAllLines(pg.resolve("postmaster.pid")).get(0).trim());
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElseThrow();
            assertThat(Path.of(command)).startsWith(dataDir.resolve("pg.bin").toRealPath());
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("pg.bin")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
        // found open to others (as the library leaves its own), it is closed again at the next start; binaries an
        // earlier Herald unpacked there (another PostgreSQL build) are deleted, the running ones kept
        Files.setPosixFilePermissions(dataDir.resolve("pg.bin"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path earlier = Files.createDirectories(dataDir.resolve("pg.bin").resolve("PG-0123456789abcdef0123456789abcdef").resolve("bin"));
        Files.writeString(earlier.resolve("postgres"), "an earlier build");
        Path notOurs = Files.writeString(dataDir.resolve("pg.bin").resolve("kept.txt"), "not a folder of binaries");
        try (var server = EmbeddedPostgresServer.start(pg, false)) {
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("pg.bin")))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            long pid = Long.parseLong(Files.readAllLines(pg.resolve("postmaster.pid")).get(0).trim());
            assertThat(Path.of(ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElseThrow())).exists();
        }
        assertThat(earlier.getParent()).doesNotExist();
        assertThat(notOurs).exists();
        try (var folders = Files.list(dataDir.resolve("pg.bin"))) {
            assertThat(folders.filter(f -> f.getFileName().toString().startsWith("PG-")).count()).isEqualTo(1);
        }
    }

    @Test
    void a_throwaway_server_for_tests_and_benchmarks_keeps_trust_access_and_runs_binaries_from_the_user_cache() throws Exception {
        try (var server = EmbeddedPostgresServer.startThrowaway("herald-access-test", false, java.util.Map.of());
             var c = connect(withoutPassword(server)); var s = c.createStatement(); var rows = s.executeQuery("select 1")) {
            assertThat(rows.next()).isTrue();
            assertThat(server.jdbcUrl()).isEqualTo(withoutPassword(server));
            long pid = c.unwrap(org.postgresql.PGConnection.class).getBackendPID(); // a backend runs the server's binary
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElseThrow();
            Path cache = EmbeddedPostgresServer.userCache();
            assertThat(Path.of(command)).startsWith(cache.toRealPath());
            assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
    }
}
