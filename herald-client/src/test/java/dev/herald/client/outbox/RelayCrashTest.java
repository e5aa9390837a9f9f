package dev.herald.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.HeraldClient;
import dev.herald.client.Retries;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.EndpointIn;
import dev.herald.client.testing.Await;
import dev.herald.client.testing.EmbeddedDatabase;
import dev.herald.client.testing.FakeHerald;
import dev.herald.client.testing.MutableClock;
import dev.herald.client.testing.TestReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay runs in its own JVM and is SIGKILLed after Herald stored the message but before the relay could
 * mark the row sent. A relay started afterwards must finish the row without a second message reaching the
 * endpoint, whether Herald still remembers the idempotency-key (replay) or not (409 on the eventId).
 */
class RelayCrashTest {
    @RegisterExtension
    static final EmbeddedDatabase db = new EmbeddedDatabase();

    private final FakeHerald herald = new FakeHerald();
    private final TestReceiver receiver = new TestReceiver();
    private final HeraldClient client = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).retries(Retries.NONE).build();
    private Process relayProcess;

    @BeforeEach
    void shop() {
        client.applications().create(ApplicationIn.of("Shop").withUid("shop"));
        client.endpoints().create("shop", EndpointIn.of(receiver.url()));
    }

    @AfterEach
    void stop() {
        if (relayProcess != null) relayProcess.destroyForcibly();
        herald.close();
        receiver.close();
    }

    @Test
    void killed_between_publishing_and_marking_sent_then_replayed_by_idempotency_key() throws Exception {
        killRelayMidSend();

        var after = finishWithAnotherRelay();

        assertThat(after.metrics().snapshot().duplicates()).as("answered by replay, not 409").isZero();
        assertExactlyOnce();
    }

    @Test
    void killed_between_publishing_and_marking_sent_then_confirmed_by_event_id() throws Exception {
        killRelayMidSend();
        herald.forgetIdempotencyKeys();

        var after = finishWithAnotherRelay();

        assertThat(after.metrics().snapshot().duplicates()).as("409 on the eventId counted as sent").isEqualTo(1);
        assertExactlyOnce();
    }

    private void killRelayMidSend() throws Exception {
        try (Connection tx = db.dataSource().getConnection()) {
            tx.setAutoCommit(false);
            new HeraldOutbox().publish(tx, OutboxMessage.of("shop", "order.created", Map.of("orderId", "ord_1")).idFrom("ord_1"));
            tx.commit();
        }
        herald.holdPublishes();
        relayProcess = startRelayJvm();
        Await.until(Duration.ofSeconds(60), () -> herald.publishesHeld() == 1 || !relayProcess.isAlive(),
                "the relay JVM to publish");
        assertThat(relayProcess.isAlive()).as("relay JVM running").isTrue();

        relayProcess.destroyForcibly().waitFor();
        herald.releasePublishes();
        Await.until(Duration.ofSeconds(10), () -> herald.publishesFinished() == 1, "Herald to finish the held publish");

        assertThat(db.scalar("select sent_at is null from herald_outbox")).as("never marked sent").isEqualTo(true);
        Await.until(Duration.ofSeconds(10), () -> receiver.received().size() == 1, "the first delivery");
    }

    /** Another instance, its clock past the dead relay's lease. */
    private OutboxRelay finishWithAnotherRelay() throws Exception {
        var later = new MutableClock(Instant.now().plus(RelaySettings.DEFAULT_LEASE).plusSeconds(1));
        var relay = OutboxRelay.builder(db.dataSource(), client).clock(later).build();
        assertThat(relay.relayOnce()).isEqualTo(1);
        return relay;
    }

    private void assertExactlyOnce() throws InterruptedException {
        assertThat(db.scalar("select sent_at is not null from herald_outbox")).isEqualTo(true);
        assertThat(herald.messagesOf("shop")).hasSize(1);
        assertThat(db.scalar("select herald_msg_id from herald_outbox")).isEqualTo(herald.messagesOf("shop").getFirst().path("id").asText());
        assertThat(herald.publishRequests()).isEqualTo(2);
        Thread.sleep(300); // a second delivery, were there one, would be on its way
        assertThat(receiver.received()).hasSize(1);
    }

    private Process startRelayJvm() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("herald-relay", ".log");
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                RelayProcess.class.getName(), db.jdbcUrl(), herald.url(), FakeHerald.TOKEN))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
