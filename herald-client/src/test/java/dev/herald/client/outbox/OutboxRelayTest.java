package dev.herald.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.HeraldClient;
import dev.herald.client.Retries;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.MessageIn;
import dev.herald.client.testing.Await;
import dev.herald.client.testing.EmbeddedDatabase;
import dev.herald.client.testing.FakeHerald;
import dev.herald.client.testing.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OutboxRelayTest {
    @RegisterExtension
    static final EmbeddedDatabase db = new EmbeddedDatabase();

    private final FakeHerald herald = new FakeHerald();
    private final HeraldClient client = HeraldClient.builder(herald.url(), FakeHerald.TOKEN)
            .retries(Retries.NONE).build();
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    private final HeraldOutbox outbox = new HeraldOutbox(FeatureFlag.ON, clock);

    @BeforeEach
    void shop() {
        client.applications().create(ApplicationIn.of("Shop").withUid("shop"));
    }

    @AfterEach
    void stop() {
        herald.close();
    }

    @Test
    void relays_a_committed_row_and_marks_it_sent() throws Exception {
        String eventId = commit(order("ord_1"));
        var relay = relay(RelaySettings.DEFAULTS).build();

        assertThat(relay.relayOnce()).isEqualTo(1);

        var message = herald.messagesOf("shop").getFirst();
        assertThat(message.path("eventId").asText()).isEqualTo(eventId);
        assertThat(message.path("eventType").asText()).isEqualTo("order.created");
        assertThat(db.scalar("select herald_msg_id from herald_outbox")).isEqualTo(message.path("id").asText());
        assertThat(db.scalar("select sent_at is not null from herald_outbox")).isEqualTo(true);
        assertThat(relay.backlog()).isZero();
        assertThat(relay.metrics().snapshot()).satisfies(m -> {
            assertThat(m.claimed()).isEqualTo(1);
            assertThat(m.sent()).isEqualTo(1);
            assertThat(m.failures()).isZero();
        });
        assertThat(relay.relayOnce()).isZero();
    }

    @Test
    void publishes_with_an_idempotency_key_derived_from_the_event_id() throws Exception {
        String eventId = commit(order("ord_1"));

        relay(RelaySettings.DEFAULTS).build().relayOnce();

        var publish = herald.requests.stream().filter(r -> r.method().equals("POST")).toList().getLast();
        assertThat(publish.header("idempotency-key")).isEqualTo("outbox:shop:" + eventId);
    }

    @Test
    void a_409_for_an_event_herald_already_holds_counts_as_sent() throws Exception {
        String eventId = commit(order("ord_1"));
        var earlier = client.messages().create("shop", MessageIn.of("order.created", Map.of()).withEventId(eventId));
        var relay = relay(RelaySettings.DEFAULTS).build();

        relay.relayOnce();

        assertThat(herald.messagesOf("shop")).hasSize(1);
        assertThat(db.scalar("select herald_msg_id from herald_outbox")).isEqualTo(earlier.id());
        assertThat(relay.metrics().snapshot().duplicates()).isEqualTo(1);
    }

    /** An eventId another event already took (of another type): this event was never published, so it is kept unsent. */
    @Test
    void a_409_for_an_event_id_another_type_took_is_kept_unsent_and_says_why() throws Exception {
        String eventId = commit(order("ord_1"));
        var other = client.messages().create("shop", MessageIn.of("order.paid", Map.of()).withEventId(eventId));
        var relay = relay(RelaySettings.DEFAULTS).build();

        relay.relayOnce();

        assertThat(db.scalar("select herald_msg_id from herald_outbox")).isNull();
        assertThat(db.scalar("select sent_at from herald_outbox")).isNull();
        assertThat(String.valueOf(db.scalar("select last_error from herald_outbox")))
                .contains("is taken by message " + other.id()).contains("order.paid");
        assertThat(relay.metrics().snapshot().duplicates()).isZero();
    }

    @Test
    void a_server_error_is_retried_after_the_backoff() throws Exception {
        commit(order("ord_1"));
        var relay = relay(RelaySettings.DEFAULTS.withBackoff(Duration.ofSeconds(10), Duration.ofMinutes(1))).build();
        herald.failNext(1, 500);

        relay.relayOnce();
        assertThat(db.scalar("select last_error from herald_outbox").toString()).contains("500");
        assertThat(relay.relayOnce()).as("not due before the backoff").isZero();

        clock.advance(Duration.ofSeconds(10));
        assertThat(relay.relayOnce()).isEqualTo(1);
        assertThat(herald.messagesOf("shop")).hasSize(1);
        assertThat(db.scalar("select last_error from herald_outbox")).isNull();
        assertThat(relay.metrics().snapshot().failures()).isEqualTo(1);
    }

    @Test
    void a_refused_event_stays_in_the_table_and_backs_off_longer_each_time() throws Exception {
        try (Connection tx = transaction()) {
            outbox.publish(tx, OutboxMessage.of("no-such-app", "order.created", Map.of()).idFrom("1"));
            tx.commit();
        }
        var relay = relay(RelaySettings.DEFAULTS.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3))).build();

        var waits = new ArrayList<Long>();
        for (int i = 0; i < 4; i++) {
            relay.relayOnce();
            Instant due = ((java.sql.Timestamp) db.scalar("select next_attempt_at from herald_outbox")).toInstant();
            waits.add(Duration.between(clock.instant(), due).toSeconds());
            clock.advance(Duration.between(clock.instant(), due));
        }

        assertThat(waits).containsExactly(1L, 2L, 3L, 3L);
        assertThat(db.scalar("select attempts from herald_outbox")).isEqualTo(4);
        assertThat(db.scalar("select last_error from herald_outbox").toString()).contains("404");
        assertThat(relay.metrics().snapshot().lastError()).contains("Application not found");
    }

    @Test
    void the_kill_switch_holds_rows_until_it_is_back_on() throws Exception {
        commit(order("ord_1"));
        var on = new AtomicBoolean(false);
        var relay = relay(RelaySettings.DEFAULTS).enabled(on::get).build();

        assertThat(relay.relayOnce()).isZero();
        assertThat(relay.backlog()).isEqualTo(1);

        on.set(true);
        assertThat(relay.relayOnce()).isEqualTo(1);
        assertThat(herald.messagesOf("shop")).hasSize(1);
    }

    @Test
    void sent_rows_are_purged_after_the_retention_period_unsent_ones_never() throws Exception {
        commit(order("ord_1"));
        var relay = relay(RelaySettings.DEFAULTS.withRetention(Duration.ofDays(7))).build();
        relay.relayOnce();
        commit(order("ord_2"));
        herald.failNext(1, 500);
        relay.relayOnce();

        clock.advance(Duration.ofDays(7).minusSeconds(1));
        assertThat(relay.purgeSent()).isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(relay.purgeSent()).isEqualTo(1);

        assertThat(db.scalar("select count(*) from herald_outbox")).isEqualTo(1L);
        assertThat(relay.backlog()).isEqualTo(1);
        assertThat(relay.metrics().snapshot().purged()).isEqualTo(1);
    }

    @Test
    void a_commit_wakes_the_relay_without_waiting_for_the_poll() throws Exception {
        var relay = OutboxRelay.builder(db.dataSource(), client)
                .settings(RelaySettings.DEFAULTS.withPollInterval(Duration.ofSeconds(30))).build().start();
        try (relay) {
            Await.until(Duration.ofSeconds(10), () -> db.scalar(
                    "select count(*) from pg_stat_activity where query ilike 'listen herald_outbox'").equals(1L), "LISTEN");
            // the first row may go with the pass that follows connecting; the second, committed once the first is out,
            // can go only with a notification: the next poll is 30 s away
            commit(order("ord_1"));
            Await.until(Duration.ofSeconds(5), () -> herald.messagesOf("shop").size() == 1, "the first row published");
            commit(order("ord_2"));
            Await.until(Duration.ofSeconds(5), () -> herald.messagesOf("shop").size() == 2, "the NOTIFY-driven publish");
        }
    }

    @Test
    void several_relays_send_each_row_exactly_once() throws Exception {
        try (Connection tx = transaction()) {
            for (int i = 0; i < 300; i++) outbox.publish(tx, order("ord_" + i));
            tx.commit();
        }
        var settings = RelaySettings.DEFAULTS.withBatchSize(10).withPollInterval(Duration.ofMillis(20));
        var relays = new ArrayList<OutboxRelay>();
        for (int i = 0; i < 4; i++) relays.add(OutboxRelay.builder(db.dataSource(), client).settings(settings).build());
        relays.forEach(OutboxRelay::start);
        try {
            Await.until(Duration.ofSeconds(60), () -> db.scalar("select count(*) from herald_outbox where sent_at is null")
                    .equals(0L), "every row to be sent");
        } finally {
            relays.forEach(OutboxRelay::close);
        }

        assertThat(herald.messagesOf("shop")).hasSize(300);
        assertThat(herald.publishRequests()).isEqualTo(300);
        assertThat(relays.stream().mapToLong(r -> r.metrics().snapshot().sent()).sum()).isEqualTo(300);
    }

    /** close() lets the send under way finish and leaves the rest of its batch: it waited for the whole batch before. */
    @Test
    void close_finishes_the_send_under_way_and_leaves_the_rest_of_the_batch() throws Exception {
        for (int i = 1; i <= 3; i++) commit(order("ord_" + i));
        herald.holdPublishes();
        var relay = relay(RelaySettings.DEFAULTS).build().start();
        Await.until(Duration.ofSeconds(10), () -> herald.publishesHeld() == 1, "the first publish to be under way");
        var closed = new Thread(relay::close);
        closed.start();
        Await.until(Duration.ofSeconds(10), () -> closed.getState() == Thread.State.WAITING
                || closed.getState() == Thread.State.TIMED_WAITING, "close() to wait for the send");
        herald.releasePublishes();
        closed.join(10_000);
        assertThat(closed.isAlive()).isFalse();
        assertThat(herald.messagesOf("shop")).hasSize(1);
        assertThat(db.scalar("select count(*) from herald_outbox where sent_at is null")).isEqualTo(2L);
    }

    /** Past half its lease a batch is not sent on: another relay claims those rows when the lease ends. */
    @Test
    void rows_left_when_half_the_lease_has_passed_are_not_sent_from_here() throws Exception {
        for (int i = 1; i <= 3; i++) commit(order("ord_" + i));
        var settings = RelaySettings.DEFAULTS;
        var relay = OutboxRelay.builder(db.dataSource(), client).settings(settings).clock(new java.time.Clock() {
            // every reading half a lease later than the one before: the first row is sent, the batch ends there
            private Instant at = clock.instant();
            public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            public synchronized Instant instant() {
                Instant now = at;
                at = at.plus(settings.lease().dividedBy(4));
                return now;
            }
        }).build();
        assertThat(relay.relayOnce()).isEqualTo(3);
        assertThat(herald.messagesOf("shop")).hasSizeLessThan(3).isNotEmpty();
    }

    @Test
    void a_database_away_is_logged_in_full_once_and_its_return_once_not_at_every_poll() throws Exception {
        var down = new AtomicBoolean(true);
        var flaky = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && down.get()) {
                        throw new SQLException("Connection to localhost refused", "08001");
                    }
                    try {
                        return method.invoke(db.dataSource(), args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var logs = new dev.herald.client.testing.CapturedLogs(OutboxRelay.class.getName(), NotificationListener.class.getName());
        var records = logs.records();
        var relay = OutboxRelay.builder(flaky, client).settings(RelaySettings.DEFAULTS.withPollInterval(Duration.ofMillis(10)))
                .clock(clock).build().start();
        try {
            Await.until(Duration.ofSeconds(20), () -> relay.metrics().snapshot().failures() >= 30, "30 failed passes");
            down.set(false);
            Await.until(Duration.ofSeconds(20), () -> records.stream().filter(r -> r.getMessage().contains("works again")).count() == 2,
                    "the passes and the LISTEN connection working again");
        } finally {
            relay.close();
            logs.close();
        }
        // the clock stood still: no minute passed for a line saying how many more failed
        assertThat(records).extracting(java.util.logging.LogRecord::getMessage).hasSize(4).satisfiesExactlyInAnyOrder(
                m -> assertThat(m).startsWith("outbox relay pass failed"),
                m -> assertThat(m).startsWith("outbox LISTEN connection (the relay polls meanwhile) failed"),
                m -> assertThat(m).startsWith("outbox relay pass works again, after "),
                m -> assertThat(m).startsWith("outbox LISTEN connection (the relay polls meanwhile) works again"));
        assertThat(records).filteredOn(r -> r.getThrown() != null).hasSize(2);
    }

    private OutboxRelay.Builder relay(RelaySettings settings) {
        return OutboxRelay.builder(db.dataSource(), client).settings(settings).clock(clock);
    }

    private static OutboxMessage order(String orderId) {
        return OutboxMessage.of("shop", "order.created", Map.of("orderId", orderId)).idFrom(orderId);
    }

    private String commit(OutboxMessage message) throws SQLException {
        try (Connection tx = transaction()) {
            var result = outbox.publish(tx, message);
            tx.commit();
            return result.eventId();
        }
    }

    private static Connection transaction() throws SQLException {
        Connection c = db.dataSource().getConnection();
        c.setAutoCommit(false);
        return c;
    }
}
