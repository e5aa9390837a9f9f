package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Attempt;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Ids;
import dev.herald.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The queue's statements against the real database: claims, results with endpoint health, cascades. */
@ExtendWith(TestDatabase.class)
class DeliveryQueueTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);

    private final Jdbi jdbi = TestDatabase.jdbi();
    private final DeliveryQueue queue = new DeliveryQueue(TestDatabase.hotPathJdbi(), jdbi);

    @BeforeEach
    void app_with_two_endpoints() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now())");
            for (String ep : List.of("ep_a", "ep_b")) {
                h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values (?, 'app_1', 'http://127.0.0.1/', now(), now())", ep);
            }
        });
    }

    /** {@code n} messages, each due for the endpoint, the oldest first. */
    private void due(String endpointId, int n) {
        jdbi.useHandle(h -> {
            h.createUpdate("""
                    insert into message (id, app_id, event_type, payload, created_at)
                    select :ep || '_msg_' || lpad(g::text, 6, '0'), 'app_1', 't', '{}', :now from generate_series(1, :n) g
                    """).bind("ep", endpointId).bind("n", n).bind("now", NOW).execute();
            h.createUpdate("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    select :ep || '_msg_' || lpad(g::text, 6, '0'), :ep, 'app_1', 1, 0, cast(:now as timestamptz) - interval '1 s', :now, :now
                    from generate_series(1, :n) g
                    """).bind("ep", endpointId).bind("n", n).bind("now", NOW).execute();
            queueNewRows(h);
        });
    }

    /** The queue rows of pending deliveries inserted straight into the table (as a publish writes them). */
    private static void queueNewRows(org.jdbi.v3.core.Handle h) {
        h.execute("""
                insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id)
                select id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id from delivery d
                where d.status = 1 and not exists (select 1 from delivery_queue q where q.delivery_id = d.id)""");
    }

    /** Pending deliveries with their queue rows: msg_id, endpoint_id, and the queue's next_attempt_at and attempt_count. */
    private static final String QUEUED = """
            (select d.id, d.msg_id, d.endpoint_id, q.next_attempt_at, q.attempt_count
             from delivery d join delivery_queue q on q.delivery_id = d.id) queued""";

    private int count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    private List<String> strings(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    private static Map<String, Long> perEndpoint(List<ClaimedDelivery> claimed) {
        return claimed.stream().collect(Collectors.groupingBy(ClaimedDelivery::endpointId, Collectors.counting()));
    }

    @Test
    void an_excluded_endpoint_gets_nothing_and_the_others_still_do() {
        due("ep_a", 20);
        due("ep_b", 20);
        var claimed = queue.claim(100, NOW, LEASE, List.of("ep_a"));
        assertThat(perEndpoint(claimed)).containsOnlyKeys("ep_b").containsEntry("ep_b", 20L);
    }

    @Test
    void a_claimed_row_leaves_the_due_set_until_its_lease_ends() {
        due("ep_a", 5);
        assertThat(queue.claim(100, NOW, LEASE, List.of())).hasSize(5);
        assertThat(queue.claim(100, NOW.plusSeconds(1), LEASE, List.of())).isEmpty();
        assertThat(queue.claim(100, NOW.plus(LEASE).plusSeconds(1), LEASE, List.of()))
                .as("a dead node's claim comes back").hasSize(5)
                .allSatisfy(d -> assertThat(d.attemptNumber()).isEqualTo(2));
    }

    @Test
    void rows_handed_back_are_due_as_they_were_uncounted_and_one_taken_over_meanwhile_is_left_alone() {
        due("ep_a", 3);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var takenOver = claimed.get(2);
        jdbi.useHandle(h -> h.execute("update delivery_queue set attempt_count = attempt_count + 1 where delivery_id = ?", takenOver.id()));
        queue.handBack(claimed, NOW.plusSeconds(5));
        assertThat(strings("select attempt_count || ' ' || (next_attempt_at = cast('" + NOW.minusSeconds(1) + "' as timestamptz))"
                + " from " + QUEUED + " order by id"))
                .as("due when they were due, attempt count undone; the one another node took over keeps its lease")
                .containsExactly("0 true", "0 true", "2 false");
        assertThat(queue.claim(100, NOW.plusSeconds(5), LEASE, List.of())).extracting(ClaimedDelivery::id)
                .containsExactly(claimed.get(0).id(), claimed.get(1).id());
    }

    @Test
    void rows_deferred_are_due_at_their_times_never_before_now() {
        due("ep_a", 2);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var order = new java.util.LinkedHashMap<ClaimedDelivery, Instant>();
        order.put(claimed.get(0), NOW.plusSeconds(30));
        order.put(claimed.get(1), NOW.minusSeconds(30));
        queue.deferUntil(order, NOW);
        assertThat(strings("select attempt_count || ' ' || extract(epoch from next_attempt_at - cast('" + NOW + "' as timestamptz))"
                + " from " + QUEUED + " order by id"))
                .containsExactly("0 30.000000", "0 0.000000");
    }

    @Test
    void results_write_one_attempt_each_and_fence_on_the_attempt_number() {
        due("ep_a", 3);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var results = claimed.stream().map(d -> new CompletedDelivery(d.id(), d.attemptNumber(),
                new Attempt("atmpt_" + d.id(), d.msgId(), d.endpointId(), d.appId(), d.id(), d.url(), d.attemptNumber(),
                        DeliveryStatus.SUCCESS, 200, "ok\u00e9", 3, null, 0, null, NOW),
                DeliveryStatus.SUCCESS, null)).toList();
        var stale = new CompletedDelivery(claimed.get(0).id(), claimed.get(0).attemptNumber() + 1, null, DeliveryStatus.FAIL, null);
        jdbi.useTransaction(h -> queue.complete(h, results, NOW));
        jdbi.useTransaction(h -> queue.complete(h, List.of(stale), NOW));
        assertThat(count("select count(*) from delivery where status = " + DeliveryStatus.SUCCESS + " and attempt_count = 1"))
                .as("a result for another attempt number changes nothing").isEqualTo(3);
        assertThat(count("select count(*) from delivery_queue")).as("finished deliveries leave the queue").isZero();
        assertThat(strings("select response from attempt order by id"))
                .containsExactly("ok\u00e9", "ok\u00e9", "ok\u00e9");
    }

    /** "3 updated, 3 HOT": the updates of delivery rows that recording {@code results} made, and how many were HOT. */
    private String deliveryUpdatesOf(List<CompletedDelivery> results) {
        String counts = "select pg_stat_get_xact_tuples_updated('delivery'::regclass) || ' ' "
                + "|| pg_stat_get_xact_tuples_hot_updated('delivery'::regclass)";
        return jdbi.inTransaction(h -> {
            // this session's counts not yet flushed, before and after: no other session's work is in them
            String[] before = h.createQuery(counts).mapTo(String.class).one().split(" ");
            queue.complete(h, results, NOW);
            String[] after = h.createQuery(counts).mapTo(String.class).one().split(" ");
            return (Long.parseLong(after[0]) - Long.parseLong(before[0])) + " updated, "
                    + (Long.parseLong(after[1]) - Long.parseLong(before[1])) + " HOT";
        });
    }

    @Test
    void results_update_delivery_rows_in_place_and_only_the_queue_rows_index_entries_change() {
        due("ep_a", 3);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var results = claimed.stream().map(d -> new CompletedDelivery(d.id(), d.attemptNumber(), null,
                d.msgId().endsWith("1") ? DeliveryStatus.PENDING : DeliveryStatus.SUCCESS, NOW.plusSeconds(5))).toList().reversed();
        assertThat(deliveryUpdatesOf(results)).as("a result changes no indexed column of delivery: each update is HOT").isEqualTo("3 updated, 3 HOT");
        assertThat(strings("select attempt_count || ' ' || extract(epoch from next_attempt_at - cast('" + NOW + "' as timestamptz))"
                + " from " + QUEUED + " order by id")).as("the retried one stays queued, due at its retry").containsExactly("1 5.000000");
        assertThat(strings("select msg_id || ' ' || status || ' ' || attempt_count from delivery order by id"))
                .as("each result on its own row, whatever the order it came in")
                .containsExactly("ep_a_msg_000001 1 1", "ep_a_msg_000002 0 1", "ep_a_msg_000003 0 1");
    }

    @Test
    void a_batch_finishing_whole_pages_of_deliveries_updates_every_one_in_place() {
        // ids as long as Herald's own (a prefix and a KSUID): the row size the pages' room is meant for
        String app = Ids.next(Ids.APP);
        String endpoint = Ids.next(Ids.ENDPOINT);
        int n = 200; // several pages, each finished whole by the one batch
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values (?, 'A', now(), now())", app);
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values (?, ?, 'http://127.0.0.1/', now(), now())", endpoint, app);
            var insert = h.prepareBatch("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    values (:msg, :ep, :app, 1, 0, :due, :now, :now)""");
            for (int i = 0; i < n; i++) {
                insert.bind("msg", Ids.next(Ids.MESSAGE)).bind("ep", endpoint).bind("app", app)
                        .bind("due", NOW.minusSeconds(1)).bind("now", NOW).add();
            }
            insert.execute();
            queueNewRows(h);
        });
        var claimed = queue.claim(n, NOW, LEASE, List.of());
        assertThat(claimed).hasSize(n);
        var results = claimed.stream().map(d -> new CompletedDelivery(d.id(), d.attemptNumber(), null,
                DeliveryStatus.SUCCESS, null)).toList();
        assertThat(deliveryUpdatesOf(results)).as("every page keeps room for all its rows' next versions").isEqualTo(n + " updated, " + n + " HOT");
    }

    @Test
    void results_start_a_failing_clock_once_and_a_success_in_the_same_batch_stops_it() {
        jdbi.useHandle(h -> h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_c', 'app_1', 'http://127.0.0.1/', now(), now())"));
        jdbi.useHandle(h -> h.execute("update endpoint set failing_since = '2026-11-30T00:00:00Z' where id = 'ep_c'"));
        // ep_a: failed only; ep_b: failed and succeeded in one batch; ep_c: failing already, fails again
        jdbi.useHandle(h -> queue.complete(h, List.of(), List.of("ep_a", "ep_b", "ep_c"), List.of("ep_b"), List.of("app_1"), NOW, false));
        assertThat(strings("select id || ' ' || coalesce(to_char(failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI'), '-') from endpoint order by id"))
                .containsExactly("ep_a 2026-12-01 10:00", "ep_b -", "ep_c 2026-11-30 00:00");
        jdbi.useHandle(h -> queue.complete(h, List.of(), List.of(), List.of("ep_a", "ep_c"), List.of("app_1"), NOW.plusSeconds(60), false));
        assertThat(count("select count(*) from endpoint where failing_since is not null")).as("a success stops the clock").isZero();
    }

    @Test
    void deleting_an_endpoint_or_message_deletes_its_deliveries_and_attempts() {
        due("ep_a", 2);
        due("ep_b", 2);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var results = claimed.stream().map(d -> new CompletedDelivery(d.id(), d.attemptNumber(),
                new Attempt("atmpt_" + d.id(), d.msgId(), d.endpointId(), d.appId(), d.id(), d.url(), d.attemptNumber(),
                        DeliveryStatus.FAIL, 500, "", 3, null, 0, NOW.plusSeconds(5), NOW),
                DeliveryStatus.PENDING, NOW.plusSeconds(5))).toList();
        jdbi.useTransaction(h -> queue.complete(h, results, NOW));
        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_a'"));
        jdbi.useHandle(new dev.herald.store.DeletePurge(jdbi)::purgeIn); // the endpoint's rows: by the next sweep
        jdbi.useHandle(h -> h.execute("delete from message where id = 'ep_b_msg_000001'"));
        assertThat(strings("select msg_id from delivery"))
                .containsExactly("ep_b_msg_000002");
        assertThat(strings("select msg_id from attempt"))
                .containsExactly("ep_b_msg_000002");
    }

    @Test
    void a_deleted_endpoints_rows_are_not_claimed_but_left_to_the_purge() {
        due("ep_a", 3);
        due("ep_b", 2);
        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_a'"));

        assertThat(queue.claim(100, NOW, LEASE, List.of())).extracting(ClaimedDelivery::endpointId).containsOnly("ep_b").hasSize(2);

        assertThat(count("select count(*) from delivery_queue where endpoint_id = 'ep_a'")).as("still due, untouched").isEqualTo(3);
        jdbi.useHandle(new dev.herald.store.DeletePurge(jdbi)::purgeIn);
        assertThat(count("select count(*) from delivery_queue where endpoint_id = 'ep_a'")).isZero();
    }

    @Test
    void a_delivery_written_for_an_endpoint_deleted_meanwhile_is_claimed_as_disabled_and_its_attempt_not_kept() {
        due("ep_a", 1);
        // the race the foreign key used to refuse: a publish that read the endpoint before it was deleted
        jdbi.useHandle(h -> h.createUpdate("""
                insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                values ('ep_a_msg_000001', 'ep_gone', 'app_1', 1, 0, cast(:now as timestamptz) - interval '1 day', :now, :now)""")
                .bind("now", NOW).execute()); // due by the test's clock, not the database's
        jdbi.useHandle(DeliveryQueueTest::queueNewRows);
        var claimed = queue.claim(100, NOW, LEASE, List.of());
        var orphan = claimed.stream().filter(d -> d.endpointId().equals("ep_gone")).findFirst().orElseThrow();
        assertThat(orphan.endpointDisabled()).as("cancelled by the dispatcher, not claimed again every lease").isTrue();
        jdbi.useHandle(h -> h.execute("with gone as (delete from delivery where endpoint_id = 'ep_gone' returning id) "
                + "delete from delivery_queue where delivery_id in (select id from gone)"));
        var attempt = new Attempt("atmpt_orphan", orphan.msgId(), orphan.endpointId(), orphan.appId(), orphan.id(), "http://x",
                1, DeliveryStatus.FAIL, 500, "", 1, null, 0, null, NOW);
        jdbi.useTransaction(h -> queue.complete(h, List.of(new CompletedDelivery(orphan.id(), 1, attempt, DeliveryStatus.FAIL, null)), NOW));
        assertThat(count("select count(*) from attempt"))
                .as("an attempt whose delivery is gone is not written").isZero();
    }

    @Test
    void pacing_spreads_one_endpoints_due_rows_in_their_order_up_to_the_horizon_and_leaves_the_rest_alone() {
        due("ep_a", 5);
        due("ep_b", 2);
        jdbi.useHandle(h -> h.execute("update delivery_queue set fifo = true where delivery_id = (select id from delivery where msg_id = 'ep_a_msg_000005')"));
        var paced = queue.pace("ep_a", NOW, null, Duration.ofSeconds(1), Duration.ofSeconds(3), 100);
        assertThat(paced).as("the ordered row is not paced").hasSize(4)
                .allSatisfy(row -> assertThat(row.attemptCount()).isZero());
        assertThat(strings("""
                select msg_id || ' ' || extract(epoch from next_attempt_at - '2026-12-01T10:00:00Z')::int || ' ' || attempt_count
                from <queued> where endpoint_id = 'ep_a' order by msg_id""".replace("<queued>", QUEUED)))
                .containsExactly("ep_a_msg_000001 1 0", "ep_a_msg_000002 2 0", "ep_a_msg_000003 3 0", "ep_a_msg_000004 3 0",
                        "ep_a_msg_000005 -1 0");
        assertThat(queue.claim(100, NOW, LEASE, List.of())).extracting(ClaimedDelivery::endpointId)
                .as("the other endpoint's rows are still due now").containsOnly("ep_b", "ep_a").hasSize(3);
    }

    @Test
    void unpacing_makes_paced_rows_due_again_in_order_but_leaves_rows_claimed_or_retried_since_and_other_endpoints_alone() {
        due("ep_a", 4);
        due("ep_b", 1);
        var paced = queue.pace("ep_a", NOW, null, Duration.ofSeconds(1), Duration.ofSeconds(10), 100);
        assertThat(paced).hasSize(4);
        Instant later = NOW.plusMillis(1_500);
        // since: the first paced row came due and was claimed (leased, one attempt counted); the second failed and waits
        // for its retry (the same attempt count a claim gives); ep_b's row was moved by something else
        var claimed = queue.claim(100, later, LEASE, List.of());
        assertThat(claimed).extracting(ClaimedDelivery::msgId).containsExactlyInAnyOrder("ep_a_msg_000001", "ep_b_msg_000001");
        jdbi.useHandle(h -> {
            h.createUpdate("update delivery_queue q set attempt_count = 1, next_attempt_at = :at from delivery d "
                    + "where d.id = q.delivery_id and d.msg_id = 'ep_a_msg_000002'").bind("at", NOW.plusSeconds(30)).execute();
            h.createUpdate("update delivery_queue set next_attempt_at = :at where endpoint_id = 'ep_b'").bind("at", NOW.plusSeconds(5)).execute();
        });

        assertThat(queue.unpace("ep_a", paced, later)).as("only the two still paced").isEqualTo(2);
        assertThat(strings("""
                select msg_id || ' ' || (next_attempt_at <= '2026-12-01T10:00:01.5Z') || ' ' || attempt_count
                from <queued> order by msg_id""".replace("<queued>", QUEUED)))
                .containsExactly("ep_a_msg_000001 false 1", "ep_a_msg_000002 false 1", "ep_a_msg_000003 true 0",
                        "ep_a_msg_000004 true 0", "ep_b_msg_000001 false 1");
        assertThat(queue.claim(100, later, LEASE, List.of())).extracting(ClaimedDelivery::msgId)
                .as("due again, in their order").containsExactly("ep_a_msg_000003", "ep_a_msg_000004");
        assertThat(queue.unpace("ep_a", paced, later)).as("claimed since: nothing left to make due").isZero();
    }

    @Test
    void parking_moves_an_endpoints_due_rows_to_one_run_after_the_slot_in_their_order_and_a_probe_and_releases_take_them_back() {
        due("ep_a", 5);
        due("ep_b", 1);
        Instant slot = NOW.plus(Duration.ofMinutes(10));
        assertThat(queue.park("ep_a", NOW, null, slot, 100)).isEqualTo(5);
        assertThat(strings("""
                select msg_id || ' ' || extract(epoch from (next_attempt_at - '2026-12-01T10:10:00Z')) * 1000000 || ' ' || attempt_count
                from <queued> where endpoint_id = 'ep_a' order by msg_id""".replace("<queued>", QUEUED)))
                .as("one microsecond apart, oldest first, no attempt counted")
                .containsExactly("ep_a_msg_000001 1.000000 0", "ep_a_msg_000002 2.000000 0", "ep_a_msg_000003 3.000000 0",
                        "ep_a_msg_000004 4.000000 0", "ep_a_msg_000005 5.000000 0");
        assertThat(queue.claim(100, NOW, LEASE, List.of())).extracting(ClaimedDelivery::endpointId).containsExactly("ep_b");

        Instant through = slot.plusNanos(5_000);
        Instant probeAt = NOW.plusSeconds(5);
        assertThat(queue.readyProbe("ep_a", slot, through, probeAt)).isTrue();
        assertThat(queue.claim(100, probeAt, LEASE, List.of())).extracting(ClaimedDelivery::msgId)
                .as("only the oldest parked row is due for the probe").containsExactly("ep_a_msg_000001");

        Instant later = NOW.plusSeconds(30);
        assertThat(queue.release("ep_a", later, slot, through, 3)).as("a chunk of three").isEqualTo(3);
        assertThat(queue.claim(100, later, LEASE, List.of())).extracting(ClaimedDelivery::msgId)
                .as("released in their order").containsExactly("ep_a_msg_000002", "ep_a_msg_000003", "ep_a_msg_000004");
        assertThat(queue.release("ep_a", later, slot, through, 3)).as("the rest").isEqualTo(1);
        assertThat(queue.readyProbe("ep_a", slot, through, later)).as("nothing left parked").isFalse();
    }

    @Test
    void parks_probes_and_releases_leave_rows_outside_their_range_alone() {
        due("ep_a", 2);
        due("ep_b", 1);
        Instant slot = NOW.plus(Duration.ofMinutes(10));
        Instant through = slot.plusNanos(2_000);
        queue.park("ep_a", NOW, null, slot, 100);
        // a retry of the same endpoint scheduled after the park, and another endpoint's row inside its range
        jdbi.useHandle(h -> {
            h.createUpdate("update delivery_queue set next_attempt_at = :at where endpoint_id = 'ep_b'").bind("at", slot.plusNanos(1_500)).execute();
            h.createUpdate("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    values ('ep_a_msg_000001', 'ep_a', 'app_1', 1, 3, :at, :now, :now)""")
                    .bind("at", slot.plus(Duration.ofHours(2))).bind("now", NOW).execute();
            queueNewRows(h);
        });
        assertThat(queue.release("ep_a", NOW, slot, through, 100)).isEqualTo(2);
        assertThat(count("select count(*) from delivery_queue where next_attempt_at > '" + slot + "'"))
                .as("the retry due later and the other endpoint's row stay where they were").isEqualTo(2);
        assertThat(queue.readyProbe("ep_a", slot, through, NOW)).isFalse();
    }

    @Test
    void pacing_and_parking_look_only_at_rows_due_from_the_given_time_on() {
        due("ep_a", 3);
        jdbi.useHandle(h -> h.createUpdate("""
                update delivery_queue q set next_attempt_at = cast(:now as timestamptz) - (4 - right(d.msg_id, 1)::int) * interval '1 s'
                from delivery d where d.id = q.delivery_id""").bind("now", NOW).execute()); // due 3, 2 and 1 s ago
        Instant firstDue = instant("select min(next_attempt_at) from delivery_queue");
        assertThat(queue.park("ep_a", NOW, firstDue.plusMillis(500), NOW.plusSeconds(600), 100)).as("all but the first").isEqualTo(2);
        assertThat(queue.pace("ep_a", NOW, NOW, Duration.ofSeconds(1), Duration.ofSeconds(3), 100)).as("none due after now").isEmpty();
        assertThat(count("select count(*) from delivery_queue where next_attempt_at = '" + firstDue + "'")).isEqualTo(1);
    }

    private Instant instant(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(java.time.OffsetDateTime.class).one()).toInstant();
    }

    @Test
    void a_claim_commits_without_waiting_for_the_disk_and_its_connection_then_commits_synchronously_again() {
        due("ep_a", 3);
        jdbi.useHandle(h -> {
            h.execute("set synchronous_commit = on"); // as on a durable server (the tests' is not)
            h.begin();
            var claimed = h.createQuery(DeliveryQueue.CLAIM).bind("leaseUntil", NOW.plus(LEASE)).bind("now", NOW).bind("limit", 10)
                    .bindByType("excluded", new String[0], String[].class).mapToMap().list();
            assertThat(claimed).hasSize(3);
            assertThat(h.createQuery("select current_setting('synchronous_commit')").mapTo(String.class).one())
                    .as("within the claim's transaction").isEqualTo("off");
            h.commit();
            assertThat(h.createQuery("show synchronous_commit").mapTo(String.class).one())
                    .as("the session, which publishes too, after the claim").isEqualTo("on");
            h.execute("reset synchronous_commit");
        });
    }
}
