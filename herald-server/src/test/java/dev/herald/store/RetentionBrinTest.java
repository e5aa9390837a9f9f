package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sweeps find old rows through BRIN indexes on {@code created_at}, whose summary of a block range only ever widens:
 * once the space a sweep freed is filled by new rows, a range still summarized from its deleted rows says it holds
 * both, and every later batch read every such range (the whole table, once a retention period had passed). The sweep
 * now takes the summaries of the ranges it empties away, so VACUUM summarizes them afresh from what is left.
 */
@ExtendWith(TestDatabase.class)
class RetentionBrinTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int ROWS = 200_000;

    @Test
    void a_batch_reads_the_ranges_holding_old_rows_not_those_refilled_with_new_ones() throws Exception {
        var jdbi = TestDatabase.jdbi();
        // autovacuum would summarize (or not) at moments of its own; the test runs VACUUM where a node's would
        jdbi.useHandle(h -> h.execute("alter table idempotency_key set (autovacuum_enabled = false)"));
        try {
            jdbi.useHandle(h -> {
                insertKeys(h, "old", 0, ROWS);
                h.execute("vacuum analyze idempotency_key"); // every range summarized
            });
            // the older half goes, as a day of sweeps would take it, while VACUUM holds the table (its lock, which taking
            // a summary away needs too): the sweep does not wait for it, nor would it cancel an autovacuum
            var retention = new RetentionStore(jdbi);
            try (var vacuum = jdbi.open()) {
                vacuum.begin();
                vacuum.execute("lock table idempotency_key in share update exclusive mode");
                // on a thread of its own: a sweep that waited for the lock would wait for this one, which never lets go
                var sweeping = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> retention.sweep(T0.plusSeconds(1_000_000), T0, T0.plusMillis(ROWS / 2)));
                RetentionStore.Swept swept;
                try {
                    swept = sweeping.get(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException waited) {
                    throw new AssertionError("the sweep waited for VACUUM's lock (60 s)"); // closing the handle lets it end
                }
                assertThat(swept.idempotencyKeysDeleted()).isEqualTo(ROWS / 2);
                vacuum.rollback();
            }
            // the next sweep, VACUUM gone, takes away the summaries the last one could not
            retention.sweep(T0.plusSeconds(1_000_000), T0, T0.plusMillis(ROWS / 2));
            long pages = jdbi.withHandle(h -> {
                h.execute("vacuum idempotency_key"); // the freed space offered to new rows
                insertKeys(h, "new", ROWS, ROWS / 2); // newer keys, which land in the freed pages
                h.execute("vacuum analyze idempotency_key");
                return h.createQuery("select pg_relation_size('idempotency_key') / 8192").mapTo(Long.class).one();
            });
            // the next batch: the oldest 5,000 left
            long read = jdbi.withHandle(h -> {
                String plan = h.createQuery("""
                        explain (analyze, buffers, format json)
                        select scope, key from idempotency_key where created_at < :cut limit 5000
                        """).bind("cut", T0.plusMillis(ROWS / 2 + 5_000)).mapTo(String.class).one();
                var root = new ObjectMapper().readTree(plan).get(0).get("Plan");
                return root.path("Shared Hit Blocks").asLong() + root.path("Shared Read Blocks").asLong();
            });
            System.out.printf("RetentionBrinTest: the next batch read %d of the table's %d blocks%n", read, pages);
            assertThat(read).as("blocks read of %s", pages).isLessThan(pages / 4);
        } finally {
            jdbi.useHandle(h -> h.execute("alter table idempotency_key reset (autovacuum_enabled)"));
        }
    }

    private static void insertKeys(org.jdbi.v3.core.Handle h, String prefix, int from, int count) {
        h.createUpdate("""
                insert into idempotency_key (scope, key, request_hash, status, response, created_at)
                select 'scope', :prefix || g, '\\x00', 202, '{}', cast(:t0 as timestamptz) + g * interval '1 millisecond'
                from generate_series(:from, :to) g
                """).bind("prefix", prefix).bind("t0", T0).bind("from", from).bind("to", from + count - 1).execute();
    }
}
