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
        String base = TestDatabase.jdbcUrl();
        Jdbi.create(base).useHandle(h -> {
            h.execute("drop database if exists " + DATABASE);
            h.execute("create database " + DATABASE);
        });
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_URL", base.replace("/postgres?", "/" + DATABASE + "?"));
        try {
            String first = run(env);
            assertThat(first).matches("schema at version (\\d+) \\(\\1 migrations applied now\\)\\n");
            String version = first.replaceAll("\\D+(\\d+).*\\n", "$1");
            assertThat(run(env)).isEqualTo("schema at version " + version + " (0 migrations applied now)\n");
            long tables = Jdbi.create(env.get("HERALD_DATABASE_URL")).withHandle(h -> h.createQuery(
                    "select count(*) from information_schema.tables where table_name in ('message', 'delivery', 'delivery_queue')")
                    .mapTo(Long.class).one());
            assertThat(tables).isEqualTo(3);
        } finally {
            Jdbi.create(base).useHandle(h -> h.execute("drop database if exists " + DATABASE + " with (force)"));
        }
    }

    @Test
    void a_database_that_does_not_exist_is_one_line() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_URL", TestDatabase.jdbcUrl().replace("/postgres?", "/no_such_database?"));
        assertThatThrownBy(() -> run(env)).isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL");
    }

    private static String run(java.util.Map<String, String> env) {
        var out = new ByteArrayOutputStream();
        assertThat(MigrateCommand.run(env, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
