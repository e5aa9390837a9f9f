package dev.herald.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a first start most often meets, told in one line naming the setting (Main prints a ConfigException as is). */
class StartupErrorsTest {

    private static Herald herald(Map<String, String> changes) {
        var env = TestHerald.defaultEnv();
        env.putAll(changes);
        return new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC());
    }

    private static void start(Herald herald) {
        herald.start(new PrintStream(new ByteArrayOutputStream())).close();
    }

    @Test
    void a_port_another_process_listens_on_is_named_before_anything_starts() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var address = "127.0.0.1:" + taken.getLocalPort();
            // the database is one nothing listens on: had the port check come after it, this would fail on the database
            var herald = herald(Map.of("HERALD_HTTP_ADDR", address, "HERALD_DATABASE_URL", "postgres://u:p@127.0.0.1:1/none"));
            assertThatThrownBy(() -> start(herald))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_HTTP_ADDR: cannot listen on " + address + ": ")
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void an_address_this_machine_does_not_have_is_named_without_blaming_another_process() {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: bind fails at once, no packet is sent
        var herald = herald(Map.of("HERALD_HTTP_ADDR", "192.0.2.1:8071"));
        assertThatThrownBy(() -> start(herald))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_HTTP_ADDR: cannot listen on 192.0.2.1:8071: ")
                .hasMessageNotContaining("another process");
    }

    @Test
    void a_database_nothing_listens_on_is_named_with_its_address() throws Exception {
        int closed;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var herald = herald(Map.of("HERALD_DATABASE_URL", "postgres://u:p@127.0.0.1:" + closed + "/herald"));
        assertThatThrownBy(() -> start(herald))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DATABASE_URL: cannot connect: Connection to 127.0.0.1:" + closed + " refused");
    }

    @Test
    void a_database_server_starting_or_stopping_is_named_in_one_line() {
        // PostgreSQL's answer to a connection while it starts (57P03) or shuts down (57P01), wrapped as startup wraps it
        for (var state : Map.of("57P03", "FATAL: the database system is starting up",
                "57P01", "FATAL: terminating connection due to administrator command").entrySet()) {
            var failure = new IllegalStateException(new java.sql.SQLException(state.getValue(), state.getKey()));
            assertThat(StartupErrors.unusableDatabase(failure, false)).get().extracting(Throwable::getMessage)
                    .isEqualTo("HERALD_DATABASE_URL: cannot connect: " + state.getValue());
        }
    }

    @Test
    void settings_that_parse_but_name_nothing_usable_are_refused_in_one_line() {
        for (var subnet : java.util.List.of("*", "/8", "127.0.0.0/99", "localhost")) {
            // the database is one nothing listens on: the setting is read before it, so a mistake is told at once
            assertThatThrownBy(() -> start(herald(Map.of("HERALD_WHITELIST_SUBNETS", subnet,
                    "HERALD_DATABASE_URL", "postgres://u:p@127.0.0.1:1/none"))))
                    .as(subnet).isInstanceOf(ConfigException.class)
                    .hasMessage("HERALD_WHITELIST_SUBNETS: invalid whitelist subnet '" + subnet
                            + "': not an IP address or a CIDR range (like 10.0.0.0/8, 127.0.0.1 or fd00::/8)");
        }
        // twice this many requests queue in the HTTP client: 2^30 overflowed into a stack trace
        assertThatThrownBy(() -> herald(Map.of("HERALD_MAX_IN_FLIGHT", "1073741824")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_MAX_IN_FLIGHT");
    }

    @Test
    void a_url_naming_no_database_connects_to_the_users_own_as_libpq_does() {
        // the test server's user is postgres, and so is its database: postgres://postgres@localhost:PORT, no path
        var port = java.net.URI.create(TestDatabase.jdbcUrl().substring("jdbc:".length())).getPort();
        var herald = herald(Map.of("HERALD_DATABASE_URL", "postgres://postgres@localhost:" + port));
        org.assertj.core.api.Assertions.assertThatCode(() -> start(herald)).doesNotThrowAnyException(); // was "No suitable driver found"
    }

    @Test
    void a_database_that_does_not_exist_is_named() {
        var herald = herald(Map.of("HERALD_DATABASE_URL", TestDatabase.jdbcUrl().replace("/postgres?", "/herald_no_such_database?")));
        assertThatThrownBy(() -> start(herald))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_DATABASE_URL: cannot connect: FATAL: database \"herald_no_such_database\" does not exist");
    }

    @Test
    void a_user_that_may_not_create_tables_is_told_what_to_grant() throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
            s.execute("drop database if exists herald_not_granted with (force)");
            s.execute("drop role if exists herald_not_granted");
            s.execute("create role herald_not_granted login");
            s.execute("create database herald_not_granted"); // owned by postgres: schema public is not the new role's
        }
        try {
            String url = TestDatabase.jdbcUrl().replace("/postgres?", "/herald_not_granted?").replace("user=postgres", "user=herald_not_granted");
            assertThat(url).contains("user=herald_not_granted");
            assertThatThrownBy(() -> start(herald(Map.of("HERALD_DATABASE_URL", url))))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_DATABASE_URL: Herald's database user may not create or use its tables: ERROR: permission denied for schema public (grant");
        } finally {
            try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
                s.execute("drop database if exists herald_not_granted with (force)");
                s.execute("drop role if exists herald_not_granted");
            }
        }
    }

    @Test
    void a_user_name_with_a_plus_logs_in_as_written() throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
            s.execute("drop database if exists herald_plus with (force)");
            s.execute("drop role if exists \"herald+plus\"");
            s.execute("create role \"herald+plus\" login");
            s.execute("create database herald_plus owner \"herald+plus\"");
        }
        try {
            var port = java.net.URI.create(TestDatabase.jdbcUrl().substring("jdbc:".length())).getPort();
            // read as a form would read it, the user was "herald plus", a role that does not exist
            start(herald(Map.of("HERALD_DATABASE_URL", "postgres://herald+plus:unused@127.0.0.1:" + port + "/herald_plus")));
            try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl().replace("/postgres?", "/herald_plus?"));
                 var s = c.createStatement();
                 var owner = s.executeQuery("select tableowner from pg_tables where tablename = 'message'")) {
                assertThat(owner.next()).isTrue();
                assertThat(owner.getString(1)).isEqualTo("herald+plus");
            }
        } finally {
            try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
                s.execute("drop database if exists herald_plus with (force)");
                s.execute("drop role if exists \"herald+plus\"");
            }
        }
    }

    @Test
    void a_database_url_that_cannot_be_read_is_named_without_its_password() {
        assertThatThrownBy(() -> start(herald(Map.of("HERALD_DATABASE_URL", "postgres://herald:s3cr@t@127.0.0.1:1/herald"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_DATABASE_URL: names no host")
                .hasMessageNotContaining("s3cr");
    }

    /**
     * A node given a key that did not seal the database's secrets once started and failed every delivery to their
     * endpoints (and answered 500 showing a secret); it is refused at start, naming the key ids, never the keys.
     */
    @Test
    void a_key_that_cannot_open_the_databases_secrets_is_refused_naming_the_key_ids() throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
            s.execute("drop database if exists herald_other_key with (force)");
            s.execute("create database herald_other_key");
        }
        String url = TestDatabase.jdbcUrl().replace("/postgres?", "/herald_other_key?");
        String otherKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
        try {
            try (var first = dev.herald.testing.TestHerald.start(withDatabase(url, Map.of()), Clock.systemUTC())) {
                String app = first.api.post("/api/v1/app", dev.herald.testing.ApiClient.json("name", "K")).text("id");
                first.api.post("/api/v1/app/" + app + "/endpoint", dev.herald.testing.ApiClient.json("url", "https://example.com/k"));
            }
            String sealedWith = keyId(TestHerald.ENCRYPTION_KEY);
            assertThatThrownBy(() -> start(new Herald(HeraldConfig.fromEnvironment(
                    withDatabase(url, Map.of("HERALD_ENCRYPTION_KEY", otherKey))), Clock.systemUTC())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("HERALD_ENCRYPTION_KEY: the database holds secrets sealed with key " + sealedWith
                            + ", which this node does not have (its key, from HERALD_ENCRYPTION_KEY, is " + keyId(otherKey)
                            + "; HERALD_ENCRYPTION_KEYS_OLD adds old ones): start every node on this database with the key that sealed them")
                    .hasMessageNotContaining(TestHerald.ENCRYPTION_KEY).hasMessageNotContaining(otherKey);
            // the key that sealed them, given as an old key, opens them: the node starts
            start(new Herald(HeraldConfig.fromEnvironment(withDatabase(url, Map.of("HERALD_ENCRYPTION_KEY", otherKey,
                    "HERALD_ENCRYPTION_KEYS_OLD", TestHerald.ENCRYPTION_KEY))), Clock.systemUTC()));
        } finally {
            try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
                s.execute("drop database if exists herald_other_key with (force)");
            }
        }
    }

    private static Map<String, String> withDatabase(String url, Map<String, String> changes) {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_DATABASE_URL", url);
        env.putAll(changes);
        return env;
    }

    private static String keyId(String base64Key) {
        return new dev.herald.security.SecretBox(java.util.Base64.getDecoder().decode(base64Key), java.util.List.of()).currentKeyId();
    }
}
