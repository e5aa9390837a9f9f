package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops under load and comes back: while it is down the API answers 503 with Retry-After at once (never
 * 500), workers back off and resume by themselves, and every message accepted with a 2xx is delivered.
 */
@Tag("kill")
class DatabaseOutageTest {
    @TempDir
    Path tempDir;
    /** Inside the temporary directory: the server keeps its password, binaries and lock beside the data directory. */
    Path dataDir;

    @BeforeEach
    void dataDirInsideTheTemporaryOne() {
        dataDir = tempDir.resolve("pg");
    }

    @Test
    void survives_a_postgres_restart_under_load_and_loses_nothing() throws Exception {
        int port = dev.herald.testing.StablePort.pick(); // PostgreSQL is started again on it
        var postgres = EmbeddedPostgresServer.start(dataDir, true, port);
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_URL", postgres.jdbcUrl());
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            ApiClient api = herald.api;
            String app = api.post("/api/v1/app", json("name", "outage")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o")));

            // slow answers keep deliveries in flight and queued when the database goes away
            receiver.reply(r -> new Receiver.Reply(200, java.util.Map.of(), Duration.ofSeconds(1)));
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 200; i++) {
                var r = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
                assertThat(r.status()).isEqualTo(202);
                accepted.add(r.text("id"));
            }
            postgres.close();
            assertThat(receiver.requests("/o").size()).as("deliveries outstanding at the outage").isLessThan(accepted.size());

            // while the database is down: a clean 503 with Retry-After, for writes and reads alike, at once (not after
            // the pools' 5 s wait for a connection)
            long asked = System.nanoTime();
            var down = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"down\":true}}");
            assertThat(down.status()).as(down.toString()).isEqualTo(503);
            assertThat(down.text("code")).isEqualTo("service_unavailable");
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            assertThat(api.get("/api/v1/app/" + app).status()).isEqualTo(503);
            assertThat(api.withToken(null).get("/api/v1/health").status()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("three 503s while the database was down").isLessThan(Duration.ofMillis(4_000)); // a pool's wait is 5 s each
            // alive all the same: a liveness probe does not restart a node for its database's outage
            assertThat(api.withToken(null).get("/api/v1/health/ping").status()).isEqualTo(204);
            assertThat(api.withToken(null).send("HEAD", "/api/v1/health", null).status()).isEqualTo(503);

            Thread.sleep(2_000);
            receiver.reply(r -> Receiver.Reply.status(200));
            postgres = EmbeddedPostgresServer.start(dataDir, true, port);
            Receiver.await(Duration.ofSeconds(30), () -> api.withToken(null).get("/api/v1/health").status() == 204, "API back");
            for (int i = 0; i < 100; i++) {
                var r = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"after\":" + i + "}}");
                assertThat(r.status()).isEqualTo(202);
                accepted.add(r.text("id"));
            }
            Receiver.await(Duration.ofSeconds(60), () -> receiver.messageIds("/o").containsAll(accepted), "every accepted message delivered after the outage");
        } finally {
            postgres.close();
        }
    }
}
