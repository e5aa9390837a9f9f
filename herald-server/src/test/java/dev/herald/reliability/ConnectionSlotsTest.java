package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node on a database with fewer connection slots left than its pools want (PostgreSQL's default max_connections is
 * 100; a node may hold 48, and other nodes hold theirs): it must work with the connections it gets, publishing and
 * delivering, not hold them all in one pool while the other has none.
 */
@Tag("kill")
class ConnectionSlotsTest {
    /** The slots this node gets: fewer than the hot path's pool alone wants. */
    static final int SLOTS = 6;

    @Test
    void a_node_that_gets_only_a_few_connections_still_publishes_and_delivers() throws Exception {
        try (var postgres = EmbeddedPostgresServer.startThrowaway("herald-slots", false,
                Map.of("max_connections", Integer.toString(SLOTS + 1), "superuser_reserved_connections", "0"));
             var local = Jdbi.create(postgres.jdbcUrl()).open(); // the test's own slot, taken first
             var receiver = new Receiver()) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_DATABASE_URL", postgres.jdbcUrl());
            try (var node = TestHerald.start(env, Clock.systemUTC())) {
                Receiver.await(Duration.ofSeconds(30), () -> sessions(local) == SLOTS + 1, "the node to take every slot left");
                String app = node.api.post("/api/v1/app", json("name", "few slots")).text("id");
                node.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/s")));
                Set<String> accepted = ConcurrentHashMap.newKeySet();
                var statuses = new TreeMap<Integer, Integer>();
                for (int i = 0; i < 200; i++) {
                    var r = node.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
                    statuses.merge(r.status(), 1, Integer::sum);
                    if (r.status() == 202) accepted.add(r.text("id"));
                }
                System.out.println("ConnectionSlotsTest: " + pools(local) + ", answers " + statuses);
                assertThat(statuses).as("the node's answers").containsOnlyKeys(202);
                Receiver.await(Duration.ofSeconds(30), () -> receiver.messageIds("/s").containsAll(accepted), "every accepted message delivered");
                assertThat(node.api.get("/api/v1/app/" + app + "/msg").status()).as("a read on the general pool").isEqualTo(200);
            }
        }
    }

    private static int sessions(Handle local) {
        return local.createQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'")
                .mapTo(Integer.class).one();
    }

    private static Map<String, Integer> pools(Handle local) {
        var byName = new TreeMap<String, Integer>();
        local.createQuery("select application_name from pg_stat_activity where backend_type = 'client backend'")
                .mapTo(String.class).forEach(name -> byName.merge(name, 1, Integer::sum));
        return byName;
    }
}
