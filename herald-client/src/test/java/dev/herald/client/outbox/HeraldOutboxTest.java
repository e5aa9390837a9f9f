package dev.herald.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.client.HeraldClient;
import dev.herald.client.Retries;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.EndpointIn;
import dev.herald.client.testing.Await;
import dev.herald.client.testing.EmbeddedDatabase;
import dev.herald.client.testing.FakeHerald;
import dev.herald.client.testing.TestReceiver;
import dev.herald.client.webhook.WebhookVerifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HeraldOutboxTest {
    @RegisterExtension
    static final EmbeddedDatabase db = new EmbeddedDatabase();

    private final FakeHerald herald = new FakeHerald();
    private final TestReceiver receiver = new TestReceiver();
    private final HeraldClient client = HeraldClient.builder(herald.url(), FakeHerald.TOKEN)
            .retries(new Retries(1, Duration.ofMillis(1), Duration.ofMillis(5))).build();
    private final HeraldOutbox outbox = new HeraldOutbox();
    private String secret;

    @BeforeEach
    void shop() {
        client.applications().create(ApplicationIn.of("Shop").withUid("shop"));
        var endpoint = client.endpoints().create("shop", EndpointIn.of(receiver.url()));
        secret = client.endpoints().secret("shop", endpoint.id());
    }

    @AfterEach
    void stop() {
        herald.close();
        receiver.close();
    }

    @Test
    void a_rolled_back_transaction_publishes_nothing() throws Exception {
        try (Connection tx = transaction()) {
            placeOrder(tx, "ord_1");
            tx.rollback();
        }
        var relay = relay();

        assertThat(relay.relayOnce()).isZero();
        assertThat(db.scalar("select count(*) from herald_outbox")).isEqualTo(0L);
        assertThat(herald.publishRequests()).isZero();
    }

    @Test
    void a_committed_event_arrives_exactly_once_at_the_endpoint_verified() throws Exception {
        try (Connection tx = transaction()) {
            placeOrder(tx, "ord_1");
            tx.commit();
        }
        try (var relay = relay().start()) {
            Await.until(Duration.ofSeconds(10), () -> receiver.received().size() == 1, "the delivery");
            Await.until(Duration.ofSeconds(10), () -> db.scalar("select count(*) from herald_outbox where sent_at is null")
                    .equals(0L), "the row to be marked sent");
            relay.relayOnce();
        }

        var delivery = receiver.received().getFirst();
        var verified = WebhookVerifier.of(secret).verify(delivery.body(), delivery.headers());
        assertThat(verified.body()).isEqualTo("{\"orderId\":\"ord_1\",\"total\":12.50}");
        Thread.sleep(200);
        assertThat(receiver.received()).hasSize(1);
        assertThat(db.scalar("select herald_msg_id from herald_outbox")).isEqualTo(herald.messagesOf("shop").getFirst().path("id").asText());
    }

    @Test
    void a_retried_business_transaction_inserts_nothing_new() throws Exception {
        var message = OutboxMessage.of("shop", "order.created", Map.of("orderId", "ord_1")).idFrom("ord_1");
        PublishResult first;
        PublishResult second;
        try (Connection tx = transaction()) {
            first = outbox.publish(tx, message);
            tx.commit();
        }
        try (Connection tx = transaction()) {
            second = outbox.publish(tx, message);
            tx.commit();
        }

        assertThat(first.status()).isEqualTo(PublishResult.Status.INSERTED);
        assertThat(second.status()).isEqualTo(PublishResult.Status.ALREADY_IN_OUTBOX);
        assertThat(second.eventId()).isEqualTo(first.eventId()).isEqualTo(EventIds.deterministic("order.created", "ord_1"));
        assertThat(db.scalar("select count(*) from herald_outbox")).isEqualTo(1L);
    }

    @Test
    void the_payload_channels_and_tags_are_stored_as_given() throws Exception {
        try (Connection tx = transaction()) {
            outbox.publish(tx, OutboxMessage.of("shop", "order.created", "{\"total\": 12.50, \"b\":1}").idFrom("ord_9")
                    .withChannels("eu", "vip").withTags("order-ord_9"));
            tx.commit();
        }

        assertThat(db.scalar("select payload::text from herald_outbox")).isEqualTo("{\"total\": 12.50, \"b\":1}");
        assertThat(db.scalar("select array_to_string(channels, ',') from herald_outbox")).isEqualTo("eu,vip");
        assertThat(db.scalar("select array_to_string(tags, ',') from herald_outbox")).isEqualTo("order-ord_9");
    }

    @Test
    void refuses_a_connection_in_auto_commit_mode() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            assertThatThrownBy(() -> outbox.publish(c, OutboxMessage.of("shop", "x", Map.of()).idFrom("1")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("auto-commit");
        }
    }

    @Test
    void refuses_a_message_without_an_event_id() throws Exception {
        try (Connection tx = transaction()) {
            assertThatThrownBy(() -> outbox.publish(tx, OutboxMessage.of("shop", "x", Map.of())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idFrom");
        }
    }

    @Test
    void with_the_feature_flag_off_publish_writes_nothing() throws Exception {
        var disabled = new HeraldOutbox(FeatureFlag.of(false), Clock.systemUTC());
        PublishResult result;
        try (Connection tx = transaction()) {
            result = disabled.publish(tx, OutboxMessage.of("shop", "x", Map.of()).idFrom("1"));
            tx.commit();
        }

        assertThat(result.status()).isEqualTo(PublishResult.Status.DISABLED);
        assertThat(db.scalar("select count(*) from herald_outbox")).isEqualTo(0L);
    }

    @Test
    void the_schema_script_can_run_again() throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            OutboxSchema.create(c);
            OutboxSchema.create(c);
        }

        assertThat(OutboxSchema.ddl()).contains("create table if not exists herald_outbox");
        assertThat(db.scalar("select count(*) from pg_indexes where tablename = 'herald_outbox'")).isEqualTo(4L);
    }

    private void placeOrder(Connection tx, String orderId) throws SQLException {
        try (var insert = tx.prepareStatement("insert into orders (id, total) values (?, 12.50)")) {
            insert.setString(1, orderId);
            insert.executeUpdate();
        }
        outbox.publish(tx, OutboxMessage.of("shop", "order.created",
                "{\"orderId\":\"" + orderId + "\",\"total\":12.50}").idFrom(orderId));
    }

    private OutboxRelay relay() {
        return OutboxRelay.builder(db.dataSource(), client)
                .settings(RelaySettings.DEFAULTS.withPollInterval(Duration.ofMillis(50))).build();
    }

    private static Connection transaction() throws SQLException {
        Connection c = db.dataSource().getConnection();
        c.setAutoCommit(false);
        return c;
    }
}
