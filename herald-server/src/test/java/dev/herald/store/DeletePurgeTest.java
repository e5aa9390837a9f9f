package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.DeliveryStatus;
import dev.herald.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deleting an endpoint, an application or a poller removes its row at once and leaves the rest to the retention sweep, which
 * removes it in batches that never wait long on a row the delivery path holds. The delete once removed everything in
 * its own statement: 28 s for an endpoint with 400,000 deliveries, then a deadlock with the recorder (a 503).
 */
@ExtendWith(TestDatabase.class)
class DeletePurgeTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    /** More than two purge batches per endpoint, so the loop runs. */
    private static final int MESSAGES = 2 * DeletePurge.BATCH + 345;

    private final Jdbi jdbi = TestDatabase.jdbi();
    private final DeletePurge deletes = new DeletePurge(jdbi);
    private final RetentionStore retention = new RetentionStore(jdbi);

    @BeforeEach
    void seed() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now()), ('app_2', 'B', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values "
                    + "('ep_1', 'app_1', 'http://127.0.0.1/', now(), now()), ('ep_2', 'app_1', 'http://127.0.0.1/', now(), now()), "
                    + "('ep_3', 'app_2', 'http://127.0.0.1/', now(), now())");
            seedMessages(h, "app_1", List.of("ep_1", "ep_2"));
            seedMessages(h, "app_2", List.of("ep_3"));
        });
    }

    /** Each message of the application delivered to each endpoint: pending with a queue row, and one failed attempt. */
    private static void seedMessages(Handle h, String app, List<String> endpoints) {
        h.createUpdate("""
                insert into message (id, app_id, event_type, payload, created_at)
                select 'msg_' || :app || '_' || g, :app, 'invoice.paid', '{}', :now from generate_series(1, :n) g
                """).bind("app", app).bind("now", NOW).bind("n", MESSAGES).execute();
        h.createUpdate("""
                with d as (
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    select m.id, e, :app, 1, 1, :now, :now, :now
                    from message m cross join unnest(cast(:endpoints as text[])) e where m.app_id = :app
                    returning id, msg_id, endpoint_id
                ), q as (
                    insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id, trigger_type)
                    select id, endpoint_id, :now, 1, false, msg_id, :app, 0 from d
                )
                insert into attempt (id, msg_id, endpoint_id, app_id, delivery_id, url, attempt_number, status,
                                     response_status_code, response_duration_ms, trigger_type, created_at)
                select 'atmpt_' || d.id, d.msg_id, d.endpoint_id, :app, d.id, 'http://127.0.0.1/', 1, 2, 500, 1, 0, :now from d
                """).bind("app", app).bind("now", NOW)
                .bindByType("endpoints", endpoints.toArray(String[]::new), String[].class).execute();
    }

    private long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private long purge() {
        return jdbi.withHandle(deletes::purgeIn);
    }

    @Test
    void an_endpoints_delete_leaves_its_rows_to_the_purge_which_removes_them_all_and_nothing_else() {
        long others = count("select count(*) from delivery where endpoint_id <> 'ep_1'");

        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_1'"));

        assertThat(count("select count(*) from delivery where endpoint_id = 'ep_1'")).as("left for the purge").isEqualTo(MESSAGES);
        assertThat(count("select count(*) from purge_pending where kind = 'endpoint' and id = 'ep_1'")).isEqualTo(1);

        assertThat(purge()).isEqualTo(2L * MESSAGES); // deliveries and attempts (the queue rows go uncounted with their deliveries)

        for (String table : List.of("delivery", "delivery_queue", "attempt")) {
            assertThat(count("select count(*) from " + table + " where endpoint_id = 'ep_1'")).as(table).isZero();
        }
        assertThat(count("select count(*) from delivery where endpoint_id <> 'ep_1'")).isEqualTo(others);
        assertThat(count("select count(*) from delivery_queue")).isEqualTo(others);
        assertThat(count("select count(*) from message")).as("the messages stay").isEqualTo(2L * MESSAGES);
        assertThat(count("select count(*) from purge_pending")).as("the note is dropped").isZero();
        assertThat(purge()).isZero();
    }

    @Test
    void an_applications_delete_leaves_its_messages_to_the_purge_which_takes_their_deliveries_and_attempts() {
        jdbi.useHandle(h -> h.execute("delete from application where id = 'app_1'"));

        assertThat(count("select count(*) from purge_pending")).as("the application and its two endpoints").isEqualTo(3);
        assertThat(count("select count(*) from message where app_id = 'app_1'")).isEqualTo(MESSAGES);

        purge();

        for (String table : List.of("message", "delivery", "delivery_queue", "attempt")) {
            List<String> apps = jdbi.withHandle(h -> h.createQuery("select distinct app_id from " + table).mapTo(String.class).list());
            assertThat(apps).as(table).containsExactly("app_2");
        }
        assertThat(count("select count(*) from message where app_id = 'app_2'")).isEqualTo(MESSAGES);
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    @Test
    void a_delivery_the_recorder_holds_is_skipped_and_removed_by_the_next_purge() throws Exception {
        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_1'"));
        try (Handle recorder = jdbi.open()) {
            recorder.begin();
            recorder.createUpdate("update delivery set status = :fail where id = (select min(id) from delivery where endpoint_id = 'ep_1')")
                    .bind("fail", DeliveryStatus.FAIL).execute();

            purge();

            assertThat(count("select count(*) from delivery where endpoint_id = 'ep_1'")).as("the one held").isEqualTo(1);
            assertThat(count("select count(*) from purge_pending")).as("kept for it").isEqualTo(1);
            recorder.commit();
        }
        purge();
        assertThat(count("select count(*) from delivery where endpoint_id = 'ep_1'")).isZero();
        assertThat(count("select count(*) from delivery_queue where endpoint_id = 'ep_1'")).isZero();
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    @Test
    void a_queue_row_a_claim_holds_makes_the_purge_give_up_within_its_lock_timeout_and_finish_later() throws Exception {
        jdbi.useHandle(h -> h.execute("delete from application where id = 'app_1'"));
        try (Handle claim = jdbi.open()) {
            claim.begin();
            claim.execute("select 1 from delivery_queue where endpoint_id = 'ep_1' for update");
            claim.execute("select 1 from delivery_queue where endpoint_id = 'ep_2' limit 1 for update");

            long started = System.nanoTime();
            purge();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // 500 ms per note at most: ep_1, ep_2 and the application's messages each meet a held row once
            assertThat(took).isLessThan(Duration.ofSeconds(10));
            assertThat(count("select count(*) from purge_pending")).isEqualTo(3);
            assertThat(count("select count(*) from delivery where app_id = 'app_2'")).as("untouched").isEqualTo(MESSAGES);
            claim.rollback();
        }
        purge();
        assertThat(count("select count(*) from message where app_id = 'app_1'")).isZero();
        assertThat(count("select count(*) from delivery_queue where app_id = 'app_1'")).isZero();
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    @Test
    void a_pollers_delete_leaves_its_entries_to_the_purge() {
        jdbi.useHandle(h -> {
            h.execute("insert into poller (id, app_id, created_at, updated_at) values ('poll_1', 'app_1', now(), now()), ('poll_2', 'app_1', now(), now())");
            h.createUpdate("""
                    insert into poll_entry (poller_id, msg_id, created_at)
                    select p, m.id, m.created_at from message m cross join unnest(array['poll_1', 'poll_2']) p where m.app_id = 'app_1'
                    """).execute();
            h.execute("delete from poller where id = 'poll_1'");
        });
        assertThat(count("select count(*) from poll_entry where poller_id = 'poll_1'")).as("left for the purge").isEqualTo(MESSAGES);

        assertThat(purge()).isEqualTo(MESSAGES);

        assertThat(count("select count(*) from poll_entry where poller_id = 'poll_1'")).isZero();
        assertThat(count("select count(*) from poll_entry where poller_id = 'poll_2'")).isEqualTo(MESSAGES);
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    @Test
    void a_deleted_endpoints_rows_are_no_backlog_in_the_health_figures() {
        var health = new HealthStore(jdbi);
        Instant later = NOW.plusSeconds(60);
        assertThat(health.snapshot(later).due()).isEqualTo(3L * MESSAGES);
        assertThat(health.snapshot(later).deletesPending()).isZero();

        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_1'"));
        jdbi.useHandle(h -> h.execute("update delivery_queue set next_attempt_at = :early where endpoint_id = 'ep_1'"
                .replace(":early", "'" + NOW.minusSeconds(3600) + "'")));

        var snapshot = health.snapshot(later);
        assertThat(snapshot.due()).isEqualTo(2L * MESSAGES);
        assertThat(snapshot.lagSeconds()).as("the deleted endpoint's hour-old rows are not lag").isEqualTo(60.0);
        assertThat(snapshot.deletesPending()).isEqualTo(1);

        purge();
        assertThat(health.snapshot(later).deletesPending()).isZero();
    }

    @Test
    void purge_runs_only_when_a_delete_is_noted() {
        assertThat(deletes.purge()).isZero();
        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_3'"));
        assertThat(deletes.purge()).isEqualTo(2L * MESSAGES);
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    @Test
    void the_sweep_runs_the_purge_and_reports_it() {
        jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_2'"));

        var swept = retention.sweep(NOW, NOW.minus(Duration.ofDays(3650)), NOW.minus(Duration.ofDays(3650)));

        assertThat(swept.purged()).isEqualTo(2L * MESSAGES);
        assertThat(count("select count(*) from delivery where endpoint_id = 'ep_2'")).isZero();
    }

    /**
     * A delete noted while a sweep runs (here, as its attempts step deletes: a trigger deletes the endpoint) is purged by
     * that sweep, which holds the lock the purge needs: a long sweep left a deleted endpoint's due rows for every claim
     * to read past until it ended.
     */
    @Test
    void a_delete_noted_during_a_sweep_is_purged_by_it() {
        jdbi.useHandle(h -> h.execute("""
                create function herald_test_delete_ep1() returns trigger language plpgsql as $$
                begin delete from endpoint where id = 'ep_1'; return null; end $$;
                create trigger herald_test_delete_ep1 after delete on attempt for each statement execute function herald_test_delete_ep1();
                """));
        try {
            var swept = new RetentionStore(jdbi, Duration.ZERO).sweep(NOW, NOW.minus(Duration.ofDays(3650)), NOW.minus(Duration.ofDays(3650)));
            assertThat(swept.purged()).isEqualTo(2L * MESSAGES);
            assertThat(count("select count(*) from purge_pending")).isZero();
            assertThat(count("select count(*) from delivery where endpoint_id = 'ep_1'")).isZero();
        } finally {
            jdbi.useHandle(h -> h.execute("""
                    drop trigger herald_test_delete_ep1 on attempt;
                    drop function herald_test_delete_ep1();
                    """));
        }
    }

    /**
     * A replay-missing runs a page per transaction; the endpoint deleted and purged between two pages: each later page
     * found every message again (none has a delivery to it any more) and wrote rows nobody's note covered, so no purge
     * removed them (and an AutoConfig endpoint made again under the same id would have been sent them).
     */
    @Test
    void a_replay_whose_endpoint_is_deleted_between_pages_leaves_nothing_behind() {
        Instant now = Instant.now();
        jdbi.useHandle(h -> {
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_9', 'app_1', 'http://127.0.0.1/', now(), now())");
            var message = h.prepareBatch("""
                    insert into message (id, app_id, event_type, payload, created_at) values (:id, 'app_1', 'invoice.paid', '{}', :at)
                    """);
            for (int i = 0; i < 3 * MessageStore.MANUAL_PAGE; i++) {
                message.bind("id", dev.herald.domain.Ids.next(dev.herald.domain.Ids.MESSAGE)).bind("at", now).add();
            }
            message.execute();
        });
        var box = new dev.herald.security.SecretBox(java.util.Base64.getDecoder().decode(dev.herald.testing.TestHerald.ENCRYPTION_KEY), List.of());
        var endpoint = new EndpointStore(jdbi, box).find("app_1", "ep_9").orElseThrow();
        var pages = new java.util.concurrent.atomic.AtomicInteger();

        new MessageStore(jdbi, TestDatabase.hotPathJdbi()).replay(endpoint,
                MessageStore.ReplayWindow.missing(now.minus(Duration.ofHours(1)), null), now, () -> {
                    if (pages.incrementAndGet() > 1) return;
                    jdbi.useHandle(h -> h.execute("delete from endpoint where id = 'ep_9'"));
                    purge();
                });
        purge();

        assertThat(pages.get()).as("the delete came after the first page").isGreaterThanOrEqualTo(1);
        assertThat(count("select count(*) from delivery where endpoint_id = 'ep_9'")).isZero();
        assertThat(count("select count(*) from delivery_queue where endpoint_id = 'ep_9'")).isZero();
    }

    /** Many deletes at once (an application's endpoints, a tenant's cleanup) are purged in one round, not 100 every 5 s. */
    @Test
    void one_round_purges_every_note_not_the_first_hundred() {
        jdbi.useHandle(h -> {
            h.execute("""
                    insert into endpoint (id, app_id, url, created_at, updated_at)
                    select 'ep_many_' || g, 'app_2', 'http://127.0.0.1/', now(), now() from generate_series(1, 250) g
                    """);
            h.execute("delete from endpoint where id like 'ep_many_%'");
        });
        assertThat(count("select count(*) from purge_pending")).isEqualTo(250);
        purge();
        assertThat(count("select count(*) from purge_pending")).isZero();
    }

    /**
     * One step that fails whenever it runs (here a role's statement_timeout over an application's purge, made by a
     * trigger raising its error) stopped every later step of every sweep: keys, tokens and tasks were kept for good.
     */
    @Test
    void a_step_that_fails_does_not_stop_the_others() {
        jdbi.useHandle(h -> h.execute("""
                create function herald_test_timeout() returns trigger language plpgsql as $$
                begin raise exception 'canceling statement due to statement timeout' using errcode = '57014'; end $$;
                create trigger herald_test_timeout before delete on message for each statement execute function herald_test_timeout();
                insert into idempotency_key (scope, key, request_hash, created_at) values ('s', 'old', '\\x00', now() - interval '2 days');
                insert into endpoint_secret (endpoint_id, key_id, ciphertext, created_at, expires_at)
                values ('ep_3', 'k', '\\x00', now() - interval '10 days', now() - interval '9 days');
                """));
        try {
            jdbi.useHandle(h -> h.execute("delete from application where id = 'app_1'"));
            var swept = retention.sweep(Instant.now(), Instant.now().minus(Duration.ofDays(3650)), Instant.now().minus(Duration.ofHours(12)));
            assertThat(swept.idempotencyKeysDeleted()).isEqualTo(1);
            assertThat(count("select count(*) from purge_pending where id = 'app_1'")).as("tried again next round").isEqualTo(1);
            assertThat(count("select count(*) from endpoint_secret where key_id = 'k'")).as("a secret past its grace").isZero();
        } finally {
            jdbi.useHandle(h -> h.execute("""
                    drop trigger herald_test_timeout on message;
                    drop function herald_test_timeout();
                    """));
        }
    }
}
