package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes read-only for a while, as a primary does while it is demoted in a failover, or a standby that Herald
 * was pointed at: every write is refused (SQLSTATE 25006) while reads go on. Changes are answered 503 with Retry-After,
 * never 500; reads keep working; workers wait and resume; everything accepted is delivered.
 */
@Tag("kill")
class DatabaseReadOnlyTest {
    @Test
    void a_read_only_database_gets_503_for_changes_and_delivery_resumes_once_it_is_writable() throws Exception {
        try (var postgres = EmbeddedPostgresServer.startThrowaway("herald-read-only", false, Map.of());
             var receiver = new Receiver()) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_DATABASE_URL", postgres.jdbcUrl());
            try (var herald = TestHerald.start(env, Clock.systemUTC())) {
                var api = herald.api;
                String app = api.post("/api/v1/app", json("name", "read-only")).text("id");
                api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/r")));
                Set<String> accepted = ConcurrentHashMap.newKeySet();
                for (int i = 0; i < 20; i++) accepted.add(publish(api, app, 202).text("id"));

                setReadOnly(postgres, true);
                var refused = publish(api, app, 503);
                assertThat(refused.text("code")).isEqualTo("service_unavailable");
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                var change = api.post("/api/v1/app", json("name", "not now"));
                assertThat(change.status()).as(change.toString()).isEqualTo(503);
                assertThat(api.get("/api/v1/app/" + app).status()).as("reads go on").isEqualTo(200);
                assertThat(api.get("/api/v1/app/" + app + "/msg").status()).isEqualTo(200);
                var health = api.withToken(null).get("/api/v1/health");
                assertThat(health.status()).as("health: a database that takes no writes cannot serve").isEqualTo(503);
                assertThat(health.text("detail")).isEqualTo("database read-only");

                setReadOnly(postgres, false);
                Receiver.await(Duration.ofSeconds(30), () -> api.post("/api/v1/app/" + app + "/msg",
                        "{\"eventType\":\"t\",\"payload\":{}}").status() == 202, "publishing accepted again");
                assertThat(api.withToken(null).get("/api/v1/health").status()).isEqualTo(204);
                for (int i = 0; i < 20; i++) accepted.add(publish(api, app, 202).text("id"));
                Receiver.await(Duration.ofSeconds(30), () -> receiver.messageIds("/r").containsAll(accepted), "every accepted message delivered");
            }
        }
    }

    private static dev.herald.testing.ApiClient.Response publish(dev.herald.testing.ApiClient api, String app, int expected) {
        var r = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(expected);
        return r;
    }

    /** As a failover does to the old primary: every new transaction read-only, for every session, from now on. */
    private static void setReadOnly(EmbeddedPostgresServer postgres, boolean readOnly) throws Exception {
        try (var c = DriverManager.getConnection(postgres.jdbcUrl()); var st = c.createStatement()) {
            st.execute(readOnly ? "alter system set default_transaction_read_only = on" : "alter system reset default_transaction_read_only");
            st.execute("select pg_reload_conf()");
        }
        // a reload reaches each session at its next command; a new session here shows it has been read
        Receiver.await(Duration.ofSeconds(10), () -> {
            try (var c = DriverManager.getConnection(postgres.jdbcUrl()); var st = c.createStatement();
                 var rs = st.executeQuery("show default_transaction_read_only")) {
                return rs.next() && rs.getString(1).equals(readOnly ? "on" : "off");
            } catch (java.sql.SQLException e) {
                return false;
            }
        }, "the setting in force");
    }
}
