package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** {@code herald migrate}: the schema brought up to date in a step of its own, then nothing more to do. */
class MigrateCommandTest {
    private static final String DATABASE = "herald_migrate_command";

    @Test
    void migrates_a_new_database_once_and_says_so() {
        try (var own = TestDatabase.OwnDatabase.create(DATABASE)) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_DATABASE_URL", own.url());
            String first = run(env);
            assertThat(first).matches("schema at version (\\d+) \\(\\1 migrations applied now\\)\\n");
            String version = first.replaceAll("\\D+(\\d+).*\\n", "$1");
            assertThat(run(env)).isEqualTo("schema at version " + version + " (0 migrations applied now)\n");
            long tables = Jdbi.create(env.get("HERALD_DATABASE_URL")).withHandle(h -> h.createQuery(
                    "select count(*) from information_schema.tables where table_name in ('message', 'delivery', 'delivery_queue')")
                    .mapTo(Long.class).one());
            assertThat(tables).isEqualTo(3);
        }
    }

    @Test
    void a_database_that_does_not_exist_is_one_line() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_URL", TestDatabase.jdbcUrl().replace("/postgres?", "/no_such_database?"));
        assertThatThrownBy(() -> run(env)).isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL");
    }

    /**
     * A database a newer Herald migrated is refused in one line, by migrate and by serve: Flyway passed over migrations
     * it did not have with a warning, and an older build started to roll back served on, its statements not written
     * for the schema (a paused endpoint's parked rows never unparked, say). A failed migration is one line too.
     */
    @Test
    void a_schema_newer_than_this_herald_and_a_failed_migration_are_one_line() {
        try (var own = TestDatabase.OwnDatabase.create(DATABASE)) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            String url = own.url();
            env.put("HERALD_DATABASE_URL", url);
            run(env);
            Jdbi.create(url).useHandle(h -> h.execute("""
                    insert into flyway_schema_history (installed_rank, version, description, type, script, checksum,
                                                       installed_by, execution_time, success)
                    values (999, '999', 'from a newer herald', 'SQL', 'V999__from_a_newer_herald.sql', 1, 'herald', 1, true)"""));
            assertThatThrownBy(() -> run(env)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_DATABASE_URL: the database's schema was brought to version 999 by a newer Herald")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThatThrownBy(() -> TestHerald.start(env, java.time.Clock.systemUTC()).close()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("by a newer Herald");

            // a schema Flyway will not migrate (here: a migration missing from its history, before the last one applied),
            // in one line naming it; a migration that fails to run is one line the same way (its name, the database's
            // message: "Failed to execute script V30__…: ERROR: column … already exists", seen by hand)
            Jdbi.create(url).useHandle(h -> {
                h.execute("delete from flyway_schema_history where version in ('999', '30')");
                h.execute("alter table delivery_queue drop column paused_due");
                h.execute("alter table delivery_queue add column paused_due text");
            });
            assertThatThrownBy(() -> run(env)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("the schema could not be brought up to date").hasMessageContaining("30")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void a_url_that_cannot_be_read_is_one_line_in_migrate_and_reencrypt_as_in_serve() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_URL", "postgres://herald:s3cr@t@db/herald");
        assertThatThrownBy(() -> run(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DATABASE_URL: names no host").hasMessageNotContaining("s3cr");
        assertThatThrownBy(() -> ReencryptCommand.run(env, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL: names no host");
        // a database that cannot be reached, for reencrypt too (was a stack trace)
        env.put("HERALD_DATABASE_URL", TestDatabase.jdbcUrl().replace("/postgres?", "/no_such_database?"));
        assertThatThrownBy(() -> ReencryptCommand.run(env, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL: cannot connect");
    }

    @Test
    void reencrypt_refuses_an_embedded_data_directory_that_holds_no_database(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        var missing = tmp.resolve("mistyped");
        var env = TestHerald.embeddedEnv(missing);
        assertThatThrownBy(() -> ReencryptCommand.run(env, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_DATA_DIR: " + missing.resolve("pg").toAbsolutePath() + " holds no embedded database"
                        + " (a mistyped HERALD_DATA_DIR or --data-dir?); `herald serve` makes one there");
        assertThat(missing).doesNotExist();
    }

    private static String run(java.util.Map<String, String> env) {
        var out = new ByteArrayOutputStream();
        assertThat(MigrateCommand.run(env, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
