package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.app.Herald;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory the embedded PostgreSQL cannot use is refused in one line that says why: one made by another
 * PostgreSQL major version (before the server is started, and left as it is), and any other failed start with the
 * server's own words.
 */
class EmbeddedDataDirectoryTest {

    private static HeraldConfig configFor(Path dataDir) {
        return HeraldConfig.fromEnvironment(TestHerald.embeddedEnv(dataDir));
    }

    @Test
    void the_bundled_major_version_is_the_one_the_server_runs() {
        int running = TestDatabase.jdbi().withHandle(h -> h.createQuery("select current_setting('server_version_num')::int / 10000")
                .mapTo(Integer.class).one());
        assertThat(EmbeddedPostgresServer.BUNDLED_MAJOR_VERSION).isEqualTo(running);
    }

    @Test
    void a_directory_of_another_major_version_is_refused_before_the_server_starts_and_left_as_it_is(@TempDir Path dataDir)
            throws Exception {
        var config = configFor(dataDir);
        Herald.startEmbedded(config, false).close(); // a real directory, made by this Herald's PostgreSQL
        Path pg = dataDir.resolve("pg");
        Files.writeString(pg.resolve("PG_VERSION"), "17\n"); // as one made by the PostgreSQL before would read
        long filesBefore;
        try (var files = Files.walk(pg)) {
            filesBefore = files.count();
        }

        assertThatThrownBy(() -> Herald.startEmbedded(config, false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_DATA_DIR: the embedded database in " + pg.toAbsolutePath() + " was made by PostgreSQL 17,"
                        + " and this Herald runs PostgreSQL " + EmbeddedPostgresServer.BUNDLED_MAJOR_VERSION + ", which cannot"
                        + " open it: run the Herald version that made it (the directory is left as it is), or move its data"
                        + " across with pg_dump (README: Upgrading Herald)");
        assertThat(Files.readString(pg.resolve("PG_VERSION"))).isEqualTo("17\n");
        assertThat(pg.resolve("postmaster.pid")).doesNotExist(); // never started
        try (var files = Files.walk(pg)) {
            assertThat(files.count()).isEqualTo(filesBefore);
        }

        // set back to its own version, it starts: the refusal took nothing from it
        Files.writeString(pg.resolve("PG_VERSION"), EmbeddedPostgresServer.BUNDLED_MAJOR_VERSION + "\n");
        Herald.startEmbedded(config, false).close();
    }

    @Test
    void a_start_that_fails_quotes_what_postgres_printed(@TempDir Path dataDir) throws Exception {
        // a directory with something in it but no database (a half-deleted one): initdb refuses it
        Files.createDirectories(dataDir.resolve("pg"));
        Files.writeString(dataDir.resolve("pg").resolve("left-behind"), "x");

        assertThatThrownBy(() -> Herald.startEmbedded(configFor(dataDir), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DATA_DIR: embedded PostgreSQL did not start in " + dataDir.resolve("pg").toAbsolutePath())
                .hasMessageContaining("initdb: error: directory \"" + dataDir.resolve("pg").toAbsolutePath() + "\" exists but is not empty")
                .hasMessageContaining("initdb: hint: ")
                .hasMessageEndingWith("(all it printed: " + dataDir.resolve("pg.start.log").toAbsolutePath() + ")");
        assertThat(Files.readString(dataDir.resolve("pg.start.log"))).contains("exists but is not empty");
    }

    @Test
    void a_directory_that_cannot_be_made_is_named_in_one_line(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        assertThatThrownBy(() -> Herald.startEmbedded(configFor(file.resolve("herald")), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DATA_DIR: cannot make " + file.resolve("herald"))
                .hasMessageEndingWith(": Not a directory");
    }

    @Test
    void the_server_reason_for_a_failed_start_is_its_fatal_line_with_the_log_line_before_it(@TempDir Path dir) throws Exception {
        // what PostgreSQL 18 printed when started on a postgresql.conf with "shared_buffers = lots" (seen by hand)
        Path startLog = dir.resolve("pg.start.log");
        Files.writeString(startLog, """
                waiting for server to start....2026-12-06 21:06:45.922 UTC [7371] LOG:  starting PostgreSQL 18.1
                2026-12-06 21:06:45.922 UTC [7371] LOG:  invalid value for parameter "shared_buffers": "lots"
                2026-12-06 21:06:45.922 UTC [7371] FATAL:  configuration file "/x/pg/postgresql.conf" contains errors
                 stopped waiting
                pg_ctl: could not start server
                Examine the log output.
                """);
        assertThat(EmbeddedPostgresServer.reasonGiven(startLog)).contains(
                "LOG:  invalid value for parameter \"shared_buffers\": \"lots\" "
                        + "FATAL:  configuration file \"/x/pg/postgresql.conf\" contains errors");
        assertThat(EmbeddedPostgresServer.reasonGiven(dir.resolve("absent.log"))).isEmpty();
    }
}
