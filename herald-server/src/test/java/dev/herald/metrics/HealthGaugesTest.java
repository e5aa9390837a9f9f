package dev.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.HealthStore;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
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
}
