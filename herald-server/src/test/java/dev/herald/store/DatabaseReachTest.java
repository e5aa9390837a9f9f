package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the database cannot be reached, a borrow fails at once instead of waiting out the pool's 5 s (a publisher's
 * request answered 503 at once, not after 5 s), and the pools take the database up again as soon as it answers.
 */
@Tag("kill")
class DatabaseReachTest {
    /**
     * Below the pools' connection timeout (5 s), which a borrow that did not fail fast would wait out; the second left
     * is a loaded host's (a restarted server found and new connections opened).
     */
    static final Duration FAST = Duration.ofMillis(4_000);

    @TempDir
    Path tempDir;
    /** Inside the temporary directory: the server keeps its password, binaries and lock beside the data directory. */
    Path dataDir;
    int port;
    EmbeddedPostgresServer postgres;
    Database database;

    @BeforeEach
    void start() throws Exception {
        dataDir = tempDir.resolve("pg");
        port = dev.herald.testing.StablePort.pick();
        postgres = EmbeddedPostgresServer.start(dataDir, true, port);
    }

    @AfterEach
    void stop() {
        if (database != null) database.close();
        postgres.close();
    }

    @Test
    void while_the_database_is_down_every_borrow_fails_at_once_and_the_pools_connect_as_soon_as_it_is_back() throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        database = Database.connect(postgres.jdbcUrl(), 2, 2, Duration.ofSeconds(5), registry);
        Jdbi[] both = {database.jdbi(), database.hotPathJdbi()};
        for (Jdbi jdbi : both) assertThat(selectOne(jdbi)).isEqualTo(1);
        assertThat(registry.get("herald.database.reachable").gauge().value()).isEqualTo(1.0);
        for (String pool : new String[] {"herald", "herald-hot-path"}) {
            assertThat(registry.get("hikaricp.connections.max").tag("pool", pool).gauge().value()).isEqualTo(2.0);
        }

        postgres.close();
        Duration slowest = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            for (Jdbi jdbi : both) {
                long started = System.nanoTime();
                assertThatThrownBy(() -> selectOne(jdbi)).satisfies(e -> assertThat(SqlErrors.isUnavailable(e)).as(e.toString()).isTrue());
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                if (took.compareTo(slowest) > 0) slowest = took;
            }
        }
        assertThat(slowest).as("the slowest of 20 borrows while the database was down").isLessThan(FAST);
        assertThat(registry.get("herald.database.reachable").gauge().value()).as("reachable, while down").isEqualTo(0.0);

        // down long enough for the pools' own retries to back off to their longest (5 s)
        TimeUnit.SECONDS.sleep(6);
        postgres = EmbeddedPostgresServer.start(dataDir, true, port);
        long back = System.nanoTime();
        for (Jdbi jdbi : both) {
            while (true) {
                try {
                    assertThat(selectOne(jdbi)).isEqualTo(1);
                    break;
                } catch (RuntimeException e) {
                    assertThat(SqlErrors.isUnavailable(e)).as(e.toString()).isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - back)).as("still unavailable after the restart: " + e).isLessThan(Duration.ofSeconds(10));
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - back)).as("both pools serving again after the database came back").isLessThan(FAST);
        assertThat(registry.get("herald.database.reachable").gauge().value()).as("reachable, once back").isEqualTo(1.0);
    }

    @Test
    void a_borrower_already_waiting_when_the_database_goes_away_is_answered_at_once() throws Exception {
        database = Database.connect(postgres.jdbcUrl(), 1, 1, Duration.ofSeconds(5)); // one connection: the second borrower waits
        var holding = new CountDownLatch(1);
        var stopped = new CountDownLatch(1);
        var holder = CompletableFuture.runAsync(() -> database.jdbi().useHandle(h -> {
            h.execute("select 1");
            holding.countDown();
            await(stopped);
            h.execute("select 1"); // fails: the server is gone; the pool gives the connection up and tries a new one
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        var waiter = CompletableFuture.supplyAsync(() -> {
            try {
                selectOne(database.jdbi());
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        TimeUnit.MILLISECONDS.sleep(200); // the waiter is in the pool's queue (nothing else can end it but the pool's 5 s)
        postgres.close();
        stopped.countDown();
        assertThatThrownBy(holder::join).satisfies(e -> assertThat(SqlErrors.isUnavailable(e)).as(e.toString()).isTrue());
        long holderFailed = System.nanoTime();
        RuntimeException failure = waiter.get(10, TimeUnit.SECONDS);
        Duration after = Duration.ofNanos(System.nanoTime() - holderFailed);
        assertThat(failure).as("the waiting borrow failed").isNotNull();
        assertThat(SqlErrors.isUnavailable(failure)).as(failure.toString()).isTrue();
        assertThat(after).as("the waiting borrow's answer after the database was found gone").isLessThan(FAST);
        assertThat(Thread.interrupted()).isFalse();

        // closing while the database is out of reach is prompt (the pools' attempts wait for the probe meanwhile)
        long closing = System.nanoTime();
        database.close();
        database = null;
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("closing the pools while the database was out of reach").isLessThan(FAST);
    }

    @Test
    void the_probe_runs_only_while_the_database_is_out_of_reach_and_ends_when_closed() throws Exception {
        var reach = new DatabaseReach(Duration.ofMillis(10));
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        var answers = new java.util.concurrent.atomic.AtomicBoolean();
        Thread probe = reach.start(() -> { // as DriverConnector.attempt reports
            attempts.incrementAndGet();
            if (answers.get()) {
                reach.reached();
                return null;
            }
            var refused = new java.sql.SQLException("Connection refused", "08001");
            reach.attemptFailed(refused);
            throw refused;
        });
        assertThat(reach.reachable()).isTrue();
        reach.attemptFailed(new java.sql.SQLException("password authentication failed", "28P01"));
        assertThat(reach.reachable()).as("a refused login is not out of reach").isTrue();
        assertThat(attempts.get()).as("no probe while reachable").isZero();

        reach.attemptFailed(new java.sql.SQLException("Connection refused", "08001"));
        assertThat(reach.reachable()).isFalse();
        dev.herald.testing.Receiver.await(Duration.ofSeconds(5), () -> attempts.get() >= 2, "the probe tries again");
        answers.set(true);
        dev.herald.testing.Receiver.await(Duration.ofSeconds(5), reach::reachable, "reachable once an attempt succeeds");

        answers.set(false);
        reach.attemptFailed(new java.sql.SQLException("the database system is shutting down", "57P03"));
        assertThat(reach.reachable()).isFalse();
        reach.close();
        assertThat(probe.join(Duration.ofSeconds(2))).as("the probe ended with close").isTrue();
    }

    @Test
    void one_failed_attempt_beside_a_database_that_answers_is_corrected_by_the_probes_first_attempt() throws Exception {
        var reach = new DatabaseReach(Duration.ofHours(1)); // a second attempt would come only after an hour
        var attempts = new java.util.concurrent.atomic.AtomicInteger();
        Thread probe = reach.start(() -> {
            attempts.incrementAndGet();
            reach.reached();
            return null;
        });
        reach.attemptFailed(new java.sql.SQLException("The connection attempt failed.", "08001")); // one dropped packet
        dev.herald.testing.Receiver.await(Duration.ofSeconds(5), reach::reachable, "reachable after the probe's first attempt");
        assertThat(attempts.get()).isEqualTo(1);
        reach.close();
        assertThat(probe.join(Duration.ofSeconds(2))).isTrue();
    }

    private static int selectOne(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("select 1").mapTo(Integer.class).one());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
