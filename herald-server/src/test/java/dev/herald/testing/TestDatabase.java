package dev.herald.testing;

import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one embedded PostgreSQL for the whole test run (fsync off: tests need speed, not crash safety)
 * and empties every Herald table before each test.
 */
public final class TestDatabase implements BeforeEachCallback {
    private static EmbeddedPostgresServer server;
    private static Database database;

    public static synchronized String jdbcUrl() {
        if (server == null) {
            server = EmbeddedPostgresServer.startThrowaway("herald-test-pg", false, Map.of());
            database = Database.connect(server.jdbcUrl(), 4, 2, dev.herald.config.HeraldConfig.DEFAULT_DATABASE_TIMEOUT);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                database.close();
                server.close();
            }));
        }
        return server.jdbcUrl();
    }

    /**
     * A database of its own on the test server, made empty (dropped first if a run before left it), dropped again when
     * closed: for a schema migrated by hand (a migration's test, {@code herald migrate}).
     */
    public record OwnDatabase(String name, String url) implements AutoCloseable {
        public static OwnDatabase create(String name) {
            String base = jdbcUrl();
            Jdbi.create(base).useHandle(h -> {
                h.execute("drop database if exists " + name + " with (force)");
                h.execute("create database " + name);
            });
            return new OwnDatabase(name, base.replace("/postgres?", "/" + name + "?"));
        }

        @Override
        public void close() {
            Jdbi.create(jdbcUrl()).useHandle(h -> h.execute("drop database if exists " + name + " with (force)"));
        }
    }

    /** The hot path's handle ({@link Database#hotPathJdbi()}): generic plans, index access only. */
    public static Jdbi hotPathJdbi() {
        jdbcUrl();
        return database.hotPathJdbi();
    }

    public static Jdbi jdbi() {
        jdbcUrl();
        return database.jdbi();
    }

    /**
     * Truncates every table. A running Herald's background queries can lock tables in another order than
     * TRUNCATE does; PostgreSQL then breaks the deadlock by failing one side, so a deadlocked clean retries.
     */
    public static void clean() {
        for (int attempt = 1; ; attempt++) {
            try {
                truncateAll();
                return;
            } catch (RuntimeException e) {
                if (attempt >= 5 || !isDeadlock(e)) throw e;
            }
        }
    }

    private static void truncateAll() {
        jdbi().useHandle(h -> {
            var tables = h.createQuery("""
                    select tablename from pg_tables
                    where schemaname = 'public' and tablename <> 'flyway_schema_history'
                    """).mapTo(String.class).list();
            if (!tables.isEmpty()) {
                h.execute("truncate table " + String.join(", ", tables) + " restart identity cascade");
            }
        });
    }

    private static boolean isDeadlock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && "40P01".equals(s.getSQLState())) return true;
        }
        return false;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clean();
    }
}
