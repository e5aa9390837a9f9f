package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code HERALD_DATABASE_TIMEOUT} on both sides of a connection: the driver's socket timeout and the server's. */
class DatabaseTimeoutTest {
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    Database database;

    @BeforeEach
    void connect() {
        database = Database.connect(TestDatabase.jdbcUrl(), 1, 1, TIMEOUT); // one connection each: the one lent back is the one lent next
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void a_statement_unanswered_for_the_timeout_fails_as_the_database_unavailable_unless_allowed_to_run_long() {
        for (var jdbi : new org.jdbi.v3.core.Jdbi[] {database.jdbi(), database.hotPathJdbi()}) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute("select pg_sleep(10)")))
                    .satisfies(e -> assertThat(SqlErrors.isUnavailable(e)).as(e.toString()).isTrue());
            // the 1 s timeout, and a loaded host's connection set-up; the statement itself would take 10
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(6_000));
            // the pool goes on with a new connection
            int one = jdbi.withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
            assertThat(one).isEqualTo(1);
        }
        boolean slept = database.jdbi().withHandle(h -> {
            Database.allowLongStatements(h);
            return h.createQuery("select true from pg_sleep(1.5)").mapTo(Boolean.class).one();
        });
        assertThat(slept).isTrue();
        // the connection came back to the pool with the timeout in force again
        assertThatThrownBy(() -> database.jdbi().useHandle(h -> h.execute("select pg_sleep(3)")))
                .satisfies(e -> assertThat(SqlErrors.isUnavailable(e)).as(e.toString()).isTrue());
    }

    @Test
    void both_pools_ask_the_server_to_probe_their_sessions_and_give_up_within_the_timeout() {
        var minute = DatabaseTimeoutTest.settings(new ServerSideTimeouts(Duration.ofSeconds(60), 16).sessionSql());
        assertThat(minute).containsEntry("tcp_keepalives_idle", "30").containsEntry("tcp_keepalives_interval", "10")
                .containsEntry("tcp_keepalives_count", "3").containsEntry("tcp_user_timeout", "60000");
        // PostgreSQL 11 has no tcp_user_timeout: setting it would fail every connection
        assertThat(DatabaseTimeoutTest.settings(new ServerSideTimeouts(Duration.ofSeconds(60), 11).sessionSql())).doesNotContainKey("tcp_user_timeout");
        for (var jdbi : new org.jdbi.v3.core.Jdbi[] {database.jdbi(), database.hotPathJdbi()}) {
            var shown = jdbi.withHandle(h -> h.createQuery("""
                    select name, setting from pg_settings
                    where name in ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout')
                    """).setMapKeyColumn("name").setMapValueColumn("setting").collectInto(
                            new org.jdbi.v3.core.generic.GenericType<java.util.Map<String, String>>() {}));
            // the one-second timeout here: probed after a second, a second apart
            assertThat(shown).containsEntry("tcp_keepalives_idle", "1").containsEntry("tcp_keepalives_interval", "1")
                    .containsEntry("tcp_keepalives_count", "3").containsEntry("tcp_user_timeout", "1000");
            // from the startup packet ("client"), not only the first statement ("session"): a host that vanishes while
            // a connection is being opened leaves a session the server probes all the same
            var fromStartup = jdbi.withHandle(h -> h.createQuery("""
                    select reset_val from pg_settings where name = 'tcp_keepalives_idle'
                    """).mapTo(String.class).one());
            assertThat(fromStartup).isEqualTo("1");
        }
    }

    @Test
    void a_server_refusing_the_settings_at_startup_is_told_them_by_statement_alone_without_trying_again() {
        var timeouts = new ServerSideTimeouts(TIMEOUT, 16);
        var ours = Database.JdbcUrl.parse(TestDatabase.jdbcUrl());
        assertThat(timeouts.takenAtStartup(ours.url(), withOptions(ours, timeouts.startupOptions(null)), s -> s)).isTrue();
        // a setting the server does not know refuses the connection (42704), as PgBouncer refuses any (08P01)
        long started = System.nanoTime();
        assertThat(timeouts.takenAtStartup(ours.url(), withOptions(ours, timeouts.startupOptions("-c no_such_setting=1")), s -> s)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a refusal is not tried again").isLessThan(Duration.ofMillis(900));
    }

    @Test
    void the_url_s_own_options_are_sent_with_the_timeouts_not_instead_of_them() {
        String url = TestDatabase.jdbcUrl() + (TestDatabase.jdbcUrl().contains("?") ? "&" : "?") + "options=-c%20lock_timeout%3D1234";
        var split = ServerSideTimeouts.UrlOptions.of(url);
        assertThat(split.options()).isEqualTo("-c lock_timeout=1234");
        assertThat(split.url()).doesNotContain("options").isEqualTo(TestDatabase.jdbcUrl());
        try (var withOwn = Database.connect(url, 1, 1, TIMEOUT)) {
            for (var jdbi : new org.jdbi.v3.core.Jdbi[] {withOwn.jdbi(), withOwn.hotPathJdbi()}) {
                var shown = jdbi.withHandle(h -> h.createQuery("""
                        select name, reset_val from pg_settings where name in ('lock_timeout', 'tcp_keepalives_idle')
                        """).setMapKeyColumn("name").setMapValueColumn("reset_val").collectInto(
                                new org.jdbi.v3.core.generic.GenericType<java.util.Map<String, String>>() {}));
                assertThat(shown).containsEntry("lock_timeout", "1234").containsEntry("tcp_keepalives_idle", "1");
            }
        }
    }

    private static java.util.Properties withOptions(Database.JdbcUrl jdbc, String options) {
        var properties = new java.util.Properties();
        if (jdbc.user() != null) properties.setProperty("user", jdbc.user());
        if (jdbc.password() != null) properties.setProperty("password", jdbc.password());
        properties.setProperty("options", options);
        return properties;
    }

    /** The settings a session SQL sets, by name. */
    private static java.util.Map<String, String> settings(String sessionSql) {
        var settings = new java.util.HashMap<String, String>();
        for (String statement : sessionSql.split(";")) {
            var m = java.util.regex.Pattern.compile("set (\\w+) = (\\S+)").matcher(statement.strip());
            if (m.matches()) settings.put(m.group(1), m.group(2));
        }
        return settings;
    }

    @Test
    void the_server_ends_a_session_that_sits_in_a_transaction_for_the_timeout_so_its_locks_are_freed() throws Exception {
        var handle = database.jdbi().open();
        try {
            handle.begin();
            handle.execute("select pg_advisory_xact_lock(4242)");
            // the node holding it goes silent (a pause, a partition): nothing more comes from this session
            Receiver.await(Duration.ofSeconds(10), () -> TestDatabase.jdbi().withHandle(h ->
                    h.createQuery("select pg_try_advisory_lock(4242)").mapTo(Boolean.class).one()
                            && h.createQuery("select pg_advisory_unlock(4242)").mapTo(Boolean.class).one()),
                    "the lock freed by the server");
            assertThatThrownBy(() -> handle.execute("select 1")).hasStackTraceContaining("idle-in-transaction timeout");
        } finally {
            try {
                handle.close();
            } catch (RuntimeException ignored) {
                // its connection is gone
            }
        }
    }
}
