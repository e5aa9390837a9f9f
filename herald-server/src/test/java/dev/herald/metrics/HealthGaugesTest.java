package dev.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.store.HealthStore;
import dev.herald.store.PauseStore;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class HealthGaugesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final String[] GAUGES = {"herald.queue.due", "herald.queue.lag", "herald.queue.later",
            "herald.endpoints.failing", "herald.endpoints.disabled", "herald.deletes.pending"};

    private static void dueForTenMinutes(String endpointId) {
        TestDatabase.jdbi().useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now()) on conflict do nothing");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values (?, 'app_1', 'http://127.0.0.1/', now(), now())", endpointId);
            h.execute("insert into message (id, app_id, event_type, payload, created_at) values (?, 'app_1', 't', '{}', now())", endpointId + "_msg");
            long id = h.createQuery("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    values (:msg, :ep, 'app_1', 1, 0, :due, :due, :due) returning id""")
                    .bind("msg", endpointId + "_msg").bind("ep", endpointId).bind("due", NOW.minus(Duration.ofMinutes(10)))
                    .mapTo(Long.class).one();
            h.createUpdate("""
                    insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id)
                    values (:id, :ep, :due, 0, false, :msg, 'app_1')""")
                    .bind("id", id).bind("ep", endpointId).bind("due", NOW.minus(Duration.ofMinutes(10))).bind("msg", endpointId + "_msg")
                    .execute();
        });
    }

    /** Any application may pause its own endpoint: its due rows waiting as asked must not page the operator as lag. */
    @Test
    void a_paused_endpoint_s_due_rows_are_no_lag() {
        dueForTenMinutes("ep_paused");
        TestDatabase.jdbi().useHandle(h -> h.execute("insert into endpoint_pause (endpoint_id, paused_at) values ('ep_paused', now())"));
        var clock = new MutableClock(NOW);
        var gauges = new HealthGauges(new HealthStore(TestDatabase.jdbi()), clock);
        assertThat(gauges.snapshot().lagSeconds()).isZero();
        assertThat(gauges.snapshot().due()).isZero();

        TestDatabase.jdbi().useHandle(h -> h.execute("delete from endpoint_pause"));
        clock.advance(HealthGauges.FRESH_FOR.plusSeconds(1));
        assertThat(gauges.snapshot().lagSeconds()).isBetween(600.0, 610.0);
        assertThat(gauges.snapshot().due()).isEqualTo(1);
    }

    /** A scrape reads six gauges: one read of the database between them, and none again for a while after a failure. */
    @Test
    void a_scrape_reads_the_database_once_and_a_failure_is_not_retried_by_every_gauge() {
        var reads = new AtomicInteger();
        Jdbi down = Jdbi.create(() -> {
            reads.incrementAndGet();
            throw new SQLException("connection refused", "08001");
        });
        var clock = new MutableClock(NOW);
        var registry = new SimpleMeterRegistry();
        new HealthGauges(new HealthStore(down), clock).register(registry);
        for (String name : GAUGES) assertThat(registry.get(name).gauge().value()).as(name).isNaN();
        assertThat(reads).as("database reads in one scrape").hasValue(1);
        clock.advance(HealthGauges.FRESH_FOR.plusSeconds(1));
        for (String name : GAUGES) registry.get(name).gauge().value();
        assertThat(reads).hasValue(2);
    }

    /**
     * A database that stopped answering (a partition): a scrape's gauges read NaN within the patience, from one read
     * between them. Each scrape waited for the socket timeout (60 s by default) in a synchronized method, scrapes
     * queued behind it, and Prometheus marked the whole node down.
     */
    @Test
    @Timeout(30)
    void a_database_that_does_not_answer_makes_the_gauges_nan_within_the_patience() throws Exception {
        var reads = new AtomicInteger();
        var answer = new CountDownLatch(1);
        Jdbi silent = Jdbi.create(() -> {
            reads.incrementAndGet();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("connection timed out", "08006");
        });
        try {
            var clock = new MutableClock(NOW);
            var registry = new SimpleMeterRegistry();
            new HealthGauges(new HealthStore(silent), clock, Duration.ofSeconds(2)).register(registry);
            for (String name : GAUGES) assertThat(registry.get(name).gauge().value()).as(name).isNaN();
            // the next scrape, while the read still hangs: no second read, no second wait for it
            clock.advance(HealthGauges.FRESH_FOR.plusSeconds(1));
            long started = System.nanoTime();
            for (String name : GAUGES) assertThat(registry.get(name).gauge().value()).as(name).isNaN();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the second scrape").isLessThan(Duration.ofMillis(1_500));
            assertThat(reads).as("database reads started").hasValue(1);
        } finally {
            answer.countDown();
        }
    }

    /** Micrometer holds a gauge's object weakly: on a node without the API nothing else held it, and the gauges read NaN. */
    @Test
    void the_gauges_outlive_a_collection_with_nothing_else_holding_them() {
        dueForTenMinutes("ep_live");
        var registry = new SimpleMeterRegistry();
        new HealthGauges(new HealthStore(TestDatabase.jdbi()), new MutableClock(NOW)).register(registry);
        for (int i = 0; i < 3; i++) System.gc();
        assertThat(registry.get("herald.queue.due").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("herald.queue.lag").gauge().value()).isBetween(600.0, 610.0);
    }

    /**
     * A paused endpoint's rows are parked at 'infinity': the count of later rows stops before them. It read past them
     * all (and filtered each out), so a pause of a million rows cost each refresh of every node a million rows.
     */
    @Test
    void the_count_of_later_rows_reads_none_of_a_paused_endpoint_s_parked_rows() throws Exception {
        dueForTenMinutes("ep_parked"); // the endpoint, and one row due
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id)
                select 1000 + i, 'ep_parked', now() + interval '1 hour', 0, false, 'msg_' || i, 'app_1'
                from generate_series(1, 2000) i"""));
        new PauseStore(TestDatabase.jdbi()).pauseEndpoint("ep_parked", NOW);
        TestDatabase.jdbi().useHandle(h -> h.execute("analyze delivery_queue"));

        assertThat(new HealthStore(TestDatabase.jdbi()).snapshot(NOW).later()).isZero();
        String plan = TestDatabase.jdbi().withHandle(h -> h.createQuery("explain (analyze, format json) " + HealthStore.LATER)
                .bind("now", NOW).bind("cap", HealthStore.COUNT_CAP).mapTo(String.class).one());
        assertThat(rowsReadOfQueue(new ObjectMapper().readTree(plan).get(0).get("Plan")))
                .as("queue rows read, of 2,000 parked: %s", plan).isLessThan(10);
    }

    /** Rows the plan's scans of delivery_queue produced or filtered out. */
    private static long rowsReadOfQueue(JsonNode node) {
        long read = "delivery_queue".equals(node.path("Relation Name").asText())
                ? node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong() : 0;
        for (JsonNode child : node.path("Plans")) read += rowsReadOfQueue(child);
        return read;
    }
}
