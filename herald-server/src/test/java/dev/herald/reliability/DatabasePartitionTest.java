package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The network between Herald and PostgreSQL goes silent: connections stay open, swallow what is sent and never answer,
 * reset or close (a partition, or a failover whose old primary vanished). Herald must give such a connection up after
 * {@code HERALD_DATABASE_TIMEOUT}, answer 503 meanwhile rather than hang, carry on over new connections, and lose
 * nothing it answered 2xx for. A node cut off must not keep rows from the other nodes, and comes back by itself.
 */
@Tag("kill")
class DatabasePartitionTest {
    static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * An answer later than this is a hang: the database timeout plus the pool's 5 s wait for a connection, and a loaded
     * host's slack (a read on a silent connection would hang for the system's retransmission time, minutes).
     */
    static final Duration LONGEST_ANSWER = Duration.ofSeconds(20);

    EmbeddedPostgresServer postgres;
    TcpProxy proxy;
    Receiver receiver;

    @BeforeEach
    void start() throws Exception {
        postgres = EmbeddedPostgresServer.startThrowaway("herald-partition", false, Map.of());
        proxy = new TcpProxy(postgres.port());
        receiver = new Receiver();
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        proxy.close();
        postgres.close();
    }

    private Map<String, String> env(boolean throughProxy) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        String direct = postgres.jdbcUrl();
        env.put("HERALD_DATABASE_URL", throughProxy ? direct.replace(":" + postgres.port() + "/", ":" + proxy.port() + "/") : direct);
        env.put("HERALD_DATABASE_TIMEOUT", DATABASE_TIMEOUT.toSeconds() + "s");
        env.put("HERALD_REQUEST_TIMEOUT", "1s");
        env.put("HERALD_DELIVERY_LEASE", "6s");
        env.put("HERALD_RETRY_SCHEDULE", "0" + ",1".repeat(59)); // a retry a second for a minute
        env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "0");
        env.put("HERALD_SHUTDOWN_TIMEOUT", "2s");
        return env;
    }

    /** Publishers that go on until stopped, noting each answer and how long it took. */
    private static final class Load implements AutoCloseable {
        record Answer(int status, long startedAtNanos, Duration took) {}

        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final List<Answer> answers = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private final Thread[] threads;

        Load(ApiClient api, String app, int publishers) {
            threads = new Thread[publishers];
            for (int t = 0; t < publishers; t++) {
                threads[t] = Thread.ofPlatform().start(() -> {
                    while (!done.get()) {
                        long started = System.nanoTime();
                        try {
                            var r = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":1}}");
                            answers.add(new Answer(r.status(), started, Duration.ofNanos(System.nanoTime() - started)));
                            if (r.status() == 202) accepted.add(r.text("id"));
                            else if (r.status() != 503) errors.add(r.toString());
                        } catch (RuntimeException e) {
                            errors.add("no answer after " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms: " + e);
                        }
                    }
                });
            }
        }

        long acceptedSince(long nanos) {
            return answers.stream().filter(a -> a.startedAtNanos() >= nanos && a.status() == 202).count();
        }

        Duration longest() {
            return answers.stream().map(Answer::took).max(Duration::compareTo).orElse(Duration.ZERO);
        }

        @Override
        public void close() throws InterruptedException {
            done.set(true);
            for (Thread t : threads) t.join();
        }
    }

    @Test
    void connections_that_go_silent_are_given_up_and_delivery_carries_on_over_new_ones() throws Exception {
        try (var herald = TestHerald.start(env(true), Clock.systemUTC())) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "partition")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/p")));

            try (var load = new Load(api, app, 6)) {
                Receiver.await(Duration.ofSeconds(20), () -> load.accepted.size() >= 200, "publishing under way");
                int cut = proxy.blackholeOpenConnections();
                long cutAt = System.nanoTime();
                assertThat(cut).as("connections cut").isGreaterThan(5);

                // one connection timing out gives every connection up: the next ones are new, not one silent one after another
                Receiver.await(LONGEST_ANSWER, () -> load.acceptedSince(cutAt) >= 50,
                        "publishing accepted again over new connections within " + LONGEST_ANSWER.toSeconds() + " s of the cut");
                Thread.sleep(1_000);
                load.close();

                assertThat(load.errors).as("every answer a 202 or a 503").isEmpty();
                assertThat(load.longest()).as("the longest answer: none hangs on a silent connection").isLessThan(LONGEST_ANSWER);
                assertThat(api.withToken(null).get("/api/v1/health").status()).isEqualTo(204);

                Receiver.await(Duration.ofSeconds(60), () -> receiver.messageIds("/p").containsAll(load.accepted), "every accepted message delivered");
            }
        }
    }

    @Test
    void a_node_cut_off_keeps_nothing_from_the_other_and_comes_back_by_itself() throws Exception {
        try (var cutOff = TestHerald.start(env(true), Clock.systemUTC());
             var other = TestHerald.start(env(false), Clock.systemUTC())) {
            String app = other.api.post("/api/v1/app", json("name", "cut-off")).text("id");
            other.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/c")));
            // until the cut the endpoint fails: the cut-off node's messages are then queued for retries or leased to it
            var answering = new AtomicBoolean();
            receiver.reply(r -> Receiver.Reply.status(answering.get() ? 200 : 500));

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            try (var load = new Load(cutOff.api, app, 6)) {
                Receiver.await(Duration.ofSeconds(20), () -> load.accepted.size() >= 300, "publishing to the node to be cut off");
                int cut = proxy.isolate();
                assertThat(cut).as("connections cut").isGreaterThan(5);
                Thread.sleep(DATABASE_TIMEOUT.toMillis() + 1_000);
                load.close();
                assertThat(load.errors).as("the cut-off node answers 202 or 503").isEmpty();
                assertThat(load.longest()).as("the cut-off node's longest answer").isLessThan(LONGEST_ANSWER);
                accepted.addAll(load.accepted);
            }
            assertThat(cutOff.api.get("/api/v1/app/" + app).status()).as("the cut-off node, still cut off").isEqualTo(503);
            long answeringSince = System.nanoTime();
            answering.set(true);
            try (var load = new Load(other.api, app, 2)) {
                Receiver.await(Duration.ofSeconds(20), () -> load.accepted.size() >= 100, "publishing to the other node");
                load.close();
                assertThat(load.errors).isEmpty();
                accepted.addAll(load.accepted);
            }
            // the other node sends the cut-off node's retries, and its leased deliveries once their leases run out
            Receiver.await(Duration.ofSeconds(60), () -> receiver.requests("/c").stream()
                    .filter(r -> r.receivedAtNanos() > answeringSince).map(r -> r.header("webhook-id"))
                    .collect(Collectors.toSet()).containsAll(accepted), "every message accepted by either node delivered");

            // the network heals: the cut-off node connects anew by itself
            proxy.heal();
            Receiver.await(Duration.ofSeconds(30), () -> cutOff.api.get("/api/v1/app/" + app).status() == 200, "the cut-off node back");
            String after = cutOff.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":2}}").text("id");
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/c").stream().anyMatch(r -> after.equals(r.header("webhook-id"))),
                    "a message published to it after the heal delivered");
        }
    }
}
