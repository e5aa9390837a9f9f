package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Message;
import dev.herald.testing.TestDatabase;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The group-committed publish against the real database: what is stored, and what each message of a batch is told. */
@ExtendWith(TestDatabase.class)
class MessageStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00.123456Z");

    private final Jdbi jdbi = TestDatabase.jdbi();
    private final MessageStore store = new MessageStore(jdbi, TestDatabase.hotPathJdbi());

    @BeforeEach
    void app_with_an_endpoint() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_1', 'app_1', 'http://127.0.0.1/', now(), now())");
        });
    }

    private List<String> strings(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    private static Message message(String id, String appId, String eventId, Set<String> channels, Set<String> tags) {
        return new Message(id, appId, "invoice.paid", eventId, "{\"a\":\"q\\\"uote\"}", channels, tags, NOW, null,
                NOW.plusSeconds(3600));
    }

    @Test
    void every_field_comes_back_as_published_including_quotes_and_backslashes_in_tags_and_channels() {
        var channels = new LinkedHashSet<>(List.of("eu", "a\"b", "back\\slash", "x,y", "{braces}", "NULL"));
        var tags = new LinkedHashSet<>(List.of("t\\#1", "plain"));
        var published = new Message("msg_1", "app_1", "invoice.paid", "evt-1", "{\"a\":\"q\\\"uote\"}", channels, tags, NOW,
                NOW.plusSeconds(60), NOW.plusSeconds(3600));
        var empty = message("msg_2", "app_1", null, Set.of(), null);

        int[] queued = store.publishBatch(List.of(published, empty), List.of(NOW, NOW));

        assertThat(queued).containsExactly(1, 1);
        assertThat(store.find("app_1", "msg_1")).contains(published);
        var stored = store.find("app_1", "msg_2").orElseThrow();
        assertThat(stored.channels()).isEmpty();
        assertThat(stored.tags()).isNull();
        assertThat(stored.eventId()).isNull();
        assertThat(stored.deliverAt()).isNull();
    }

    @Test
    void a_duplicate_and_a_message_of_a_deleted_application_are_told_apart_and_fail_alone() {
        store.publishBatch(List.of(message("msg_first", "app_1", "evt-1", null, null)), List.of(NOW));

        int[] queued = store.publishBatch(List.of(
                message("msg_ok", "app_1", "evt-2", null, null),
                message("msg_dup", "app_1", "evt-1", null, null),
                message("msg_orphan", "app_gone", null, null, null),
                message("msg_orphan_dup", "app_gone", "evt-1", null, null)), List.of(NOW, NOW, NOW, NOW));

        assertThat(queued).containsExactly(1, MessageStore.DUPLICATE, MessageStore.APPLICATION_GONE, MessageStore.APPLICATION_GONE);
        assertThat(strings("select id from message order by id")).containsExactly("msg_first", "msg_ok");
        assertThat(strings("select msg_id from delivery_queue order by msg_id")).containsExactly("msg_first", "msg_ok");
    }

    @Test
    void with_a_lease_the_deliveries_due_at_its_start_are_written_claimed_and_come_back_with_what_sending_needs() {
        jdbi.useHandle(h -> {
            h.execute("update application set uid = 'acme' where id = 'app_1'");
            h.execute("insert into endpoint_secret (endpoint_id, key_id, ciphertext, created_at, expires_at) values "
                    + "('ep_1', 'k_old', '\\x01', now(), '2026-12-01T10:00:30Z'), ('ep_1', 'k_now', '\\x02', now(), null), "
                    + "('ep_1', 'k_gone', '\\x03', now(), '2026-12-01T09:00:00Z')");
            h.execute("insert into endpoint (id, app_id, url, ordering, created_at, updated_at) values ('ep_fifo', 'app_1', 'http://127.0.0.1/f', 'fifo', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_paused', 'app_1', 'http://127.0.0.1/p', now(), now())");
            h.execute("insert into endpoint_pause (endpoint_id, paused_at) values ('ep_paused', now())");
        });
        var lease = new MessageStore.Lease(NOW, NOW.plusSeconds(60));

        var published = store.publishBatch(List.of(message("msg_now", "app_1", null, null, null), message("msg_later", "app_1", null, null, null)),
                List.of(NOW, NOW.plusSeconds(5)), lease);

        assertThat(published.queued()).containsExactly(3, 3);
        assertThat(published.forClaims()).as("the ordered and paused endpoints' rows, and the later message's").isEqualTo(5);
        // only the plain endpoint's delivery due now: an ordered endpoint's order and a pause are the claim's to keep
        assertThat(published.leased()).singleElement().satisfies(d -> {
            assertThat(d.message().id()).isEqualTo("msg_now");
            assertThat(d.endpoint().id()).isEqualTo("ep_1");
            assertThat(d.endpoint().url()).isEqualTo("http://127.0.0.1/");
            assertThat(d.due()).isEqualTo(NOW);
            assertThat(d.appUid()).isEqualTo("acme");
            assertThat(d.appName()).isEqualTo("A");
            assertThat(d.secrets()).extracting(s -> s.keyId()).containsExactly("k_now", "k_old");
        });
        var leasedId = published.leased().get(0).id();
        assertThat(strings("select delivery_id || ' ' || endpoint_id || ' ' || attempt_count || ' ' || (next_attempt_at = '" + lease.until()
                + "') from delivery_queue where msg_id = 'msg_now' order by endpoint_id"))
                .containsExactly(leasedId + " ep_1 1 true", idOf("msg_now", "ep_fifo") + " ep_fifo 0 false",
                        idOf("msg_now", "ep_paused") + " ep_paused 0 false");
        // a paused endpoint's rows are written parked, their due time kept (PauseStore)
        assertThat(strings("select endpoint_id || ' ' || attempt_count || ' ' || (coalesce(paused_due, next_attempt_at) = '"
                + NOW.plusSeconds(5) + "') || ' ' || (next_attempt_at = 'infinity') from delivery_queue where msg_id = 'msg_later' order by endpoint_id"))
                .containsExactly("ep_1 0 true false", "ep_fifo 0 true false", "ep_paused 0 true true");
        assertThat(strings("select status || ' ' || attempt_count from delivery where id = " + leasedId)).containsExactly("1 0");
    }

    @Test
    void nothing_is_leased_while_delivery_is_paused_without_a_lease_or_for_an_endpoint_the_lease_names() {
        jdbi.useHandle(h -> h.execute("insert into herald_flag (name, set_at) values ('delivery_paused', now())"));
        var lease = new MessageStore.Lease(NOW, NOW.plusSeconds(60));
        assertThat(store.publishBatch(List.of(message("msg_paused", "app_1", null, null, null)), List.of(NOW), lease).leased()).isEmpty();

        jdbi.useHandle(h -> h.execute("delete from herald_flag"));
        assertThat(store.publishBatch(List.of(message("msg_unleased", "app_1", null, null, null)), List.of(NOW), null).leased()).isEmpty();
        // an endpoint the node holds back (slow, failing, full) is named by the lease
        var holdingEp1 = new MessageStore.Lease(NOW, NOW.plusSeconds(60), List.of("ep_other", "ep_1"));
        var heldBack = store.publishBatch(List.of(message("msg_held_back", "app_1", null, null, null)), List.of(NOW), holdingEp1);
        assertThat(heldBack.leased()).isEmpty();
        assertThat(heldBack.forClaims()).as("the node holds the endpoint back: no claim is wanted for it").isZero();
        assertThat(heldBack.heldBackWithRows()).containsExactly("ep_1");

        assertThat(strings("select attempt_count || ' ' || (next_attempt_at = '" + NOW + "') from delivery_queue"))
                .containsExactly("0 true", "0 true", "0 true");
        assertThat(store.publishBatch(List.of(message("msg_leased", "app_1", null, null, null)), List.of(NOW), lease).leased()).hasSize(1);
    }

    @Test
    void a_held_endpoints_deliveries_are_written_to_its_park_unless_ordered_or_due_later() {
        jdbi.useHandle(h -> h.execute("insert into endpoint (id, app_id, url, ordering, created_at, updated_at) values ('ep_fifo', 'app_1', 'http://127.0.0.1/f', 'fifo', now(), now())"));
        Instant park = NOW.plusSeconds(600);
        var held = new MessageStore.Lease(NOW, NOW.plusSeconds(60), List.of("ep_1", "ep_fifo"),
                java.util.Map.of("ep_1", park, "ep_fifo", park), java.util.Map.of());

        var now = store.publishBatch(List.of(message("msg_now", "app_1", null, null, null)), List.of(NOW), held);
        assertThat(now.leased()).isEmpty();
        assertThat(now.forClaims()).isZero();
        assertThat(now.heldBackWithRows()).as("only the ordered endpoint got a row due (its order is the claim's)").containsExactly("ep_fifo");
        assertThat(strings("select endpoint_id || ' ' || attempt_count || ' ' || next_attempt_at from delivery_queue where msg_id = 'msg_now' order by endpoint_id"))
                .containsExactly("ep_1 0 " + timestamp(park), "ep_fifo 0 " + timestamp(NOW));
        assertThat(strings("select endpoint_id || ' ' || next_attempt_at from delivery where msg_id = 'msg_now' order by endpoint_id"))
                .as("the delivery row says when it is due").containsExactly("ep_1 " + timestamp(park), "ep_fifo " + timestamp(NOW));

        Instant later = park.plusSeconds(100);
        var scheduled = store.publishBatch(List.of(message("msg_later", "app_1", null, null, null)), List.of(later), held);
        assertThat(strings("select endpoint_id || ' ' || next_attempt_at from delivery_queue where msg_id = 'msg_later' order by endpoint_id"))
                .as("a message due after the park keeps its time").containsExactly("ep_1 " + timestamp(later), "ep_fifo " + timestamp(later));
        assertThat(scheduled.heldBackWithRows()).containsExactlyInAnyOrder("ep_1", "ep_fifo");
    }

    @Test
    void a_slow_endpoints_deliveries_due_now_are_written_where_its_pace_puts_them_unless_ordered() {
        jdbi.useHandle(h -> h.execute("insert into endpoint (id, app_id, url, ordering, created_at, updated_at) values ('ep_fifo', 'app_1', 'http://127.0.0.1/f', 'fifo', now(), now())"));
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        MessageStore.Pace pace = due -> due.plusSeconds(10L * asked.incrementAndGet());
        var slow = new MessageStore.Lease(NOW, NOW.plusSeconds(60), List.of("ep_1", "ep_fifo"), java.util.Map.of(),
                java.util.Map.of("ep_1", pace, "ep_fifo", pace));

        var now = store.publishBatch(List.of(message("msg_a", "app_1", null, null, null), message("msg_b", "app_1", null, null, null)),
                List.of(NOW, NOW), slow);
        assertThat(now.leased()).isEmpty();
        assertThat(now.forClaims()).isZero();
        assertThat(now.heldBackWithRows()).as("only the ordered endpoint got rows due (its order is the claim's)").containsExactly("ep_fifo");
        assertThat(now.paced()).containsOnlyKeys("ep_1");
        assertThat(now.paced().get("ep_1")).containsExactlyInAnyOrder(Long.parseLong(idOf("msg_a", "ep_1")),
                Long.parseLong(idOf("msg_b", "ep_1")));
        assertThat(asked).as("the pace asked once per paced delivery, never for the ordered endpoint's").hasValue(2);
        assertThat(strings("select msg_id || ' ' || endpoint_id || ' ' || attempt_count || ' ' || next_attempt_at from delivery_queue order by msg_id, endpoint_id"))
                .containsExactly("msg_a ep_1 0 " + timestamp(NOW.plusSeconds(10)), "msg_a ep_fifo 0 " + timestamp(NOW),
                        "msg_b ep_1 0 " + timestamp(NOW.plusSeconds(20)), "msg_b ep_fifo 0 " + timestamp(NOW));
        assertThat(strings("select msg_id || ' ' || next_attempt_at from delivery where endpoint_id = 'ep_1' order by msg_id"))
                .as("the delivery row says when it is due").containsExactly("msg_a " + timestamp(NOW.plusSeconds(10)),
                        "msg_b " + timestamp(NOW.plusSeconds(20)));

        // a scheduled message in the same batch as one due now: only the one due now is paced, and only its row is named
        Instant later = NOW.plusSeconds(5);
        var mixed = store.publishBatch(List.of(message("msg_later", "app_1", null, null, null), message("msg_c", "app_1", null, null, null)),
                List.of(later, NOW), slow);
        assertThat(mixed.paced()).as("a scheduled message is paced, if need be, when it comes due").containsOnlyKeys("ep_1");
        assertThat(mixed.paced().get("ep_1")).containsExactly(Long.parseLong(idOf("msg_c", "ep_1")));
        assertThat(mixed.forClaims()).isZero();
        assertThat(mixed.heldBackWithRows()).as("the scheduled row is written due (at its time) like the ordered one's")
                .containsExactlyInAnyOrder("ep_1", "ep_fifo");
        assertThat(strings("select endpoint_id || ' ' || next_attempt_at from delivery_queue where msg_id = 'msg_later' order by endpoint_id"))
                .containsExactly("ep_1 " + timestamp(later), "ep_fifo " + timestamp(later));
        assertThat(asked).hasValue(3);
    }

    /** How PostgreSQL prints a timestamptz of this session's time zone (UTC in the tests). */
    private String timestamp(Instant at) {
        return strings("select cast('" + at + "' as timestamptz)::text").get(0);
    }

    private String idOf(String msgId, String endpointId) {
        return strings("select id from delivery where msg_id = '" + msgId + "' and endpoint_id = '" + endpointId + "'").get(0);
    }

    @Test
    void deleting_an_application_deletes_its_messages_deliveries_and_attempts() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_2', 'B', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_2', 'app_2', 'http://127.0.0.1/', now(), now())");
        });
        store.publishBatch(List.of(message("msg_a", "app_1", null, null, null), message("msg_b", "app_2", null, null, null)),
                List.of(NOW, NOW));
        jdbi.useHandle(h -> h.execute("""
                insert into attempt (id, msg_id, endpoint_id, app_id, delivery_id, url, attempt_number, status,
                                     response_status_code, response_duration_ms, trigger_type, created_at)
                select 'atmpt_' || d.msg_id, d.msg_id, d.endpoint_id, d.app_id, d.id, 'http://127.0.0.1/', 1, 1, 500, 1, 0, now()
                from delivery d"""));

        jdbi.useHandle(h -> h.execute("delete from application where id = 'app_1'"));
        jdbi.useHandle(new DeletePurge(jdbi)::purgeIn); // what hung on it goes in the next sweep (DeletePurgeTest)

        for (String table : List.of("message", "delivery", "attempt", "delivery_queue")) {
            assertThat(strings("select distinct app_id from " + table)).as(table).containsExactly("app_2");
        }
    }
}
