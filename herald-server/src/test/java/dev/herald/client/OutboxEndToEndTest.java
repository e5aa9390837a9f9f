package dev.herald.client;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.herald.client.outbox.HeraldOutbox;
import dev.herald.client.outbox.OutboxMessage;
import dev.herald.client.outbox.OutboxRelay;
import dev.herald.client.outbox.OutboxSchema;
import dev.herald.client.webhook.WebhookVerifier;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three moves against the real server: publish inside the app's own transaction, relay, verify on the
 * receiving side. A rolled-back transaction publishes nothing; a retried one publishes once.
 */
@ExtendWith(TestDatabase.class)
class OutboxEndToEndTest {
    @Test
    void an_order_and_its_event_commit_together_and_arrive_once_verified() throws Exception {
        try (var herald = TestHerald.start(); var receiver = new Receiver(); var appDb = new HikariDataSource()) {
            appDb.setJdbcUrl(TestDatabase.jdbcUrl());
            appDb.setMaximumPoolSize(4);
            herald.api.post("/api/v1/app", json("name", "Shop", "uid", "shop"));
            String ep = herald.api.post("/api/v1/app/shop/endpoint", json("url", receiver.url("/orders"))).text("id");
            String secret = herald.api.get("/api/v1/app/shop/endpoint/" + ep + "/secret").text("key");

            try (Connection c = appDb.getConnection()) {
                OutboxSchema.create(c);
                c.createStatement().execute("create table if not exists orders (id text primary key, total int)");
            }
            var outbox = new HeraldOutbox();
            // rolled back: no order, no event
            try (Connection c = appDb.getConnection()) {
                c.setAutoCommit(false);
                c.createStatement().execute("insert into orders values ('o-1', 10)");
                outbox.publish(c, OutboxMessage.of("shop", "order.created", Map.of("id", "o-1", "total", 10)).idFrom("o-1"));
                c.rollback();
            }
            // committed, then the same business transaction retried: one event
            for (int attempt = 0; attempt < 2; attempt++) {
                try (Connection c = appDb.getConnection()) {
                    c.setAutoCommit(false);
                    c.createStatement().execute("insert into orders values ('o-2', 20) on conflict do nothing");
                    outbox.publish(c, OutboxMessage.of("shop", "order.created", Map.of("id", "o-2", "total", 20)).idFrom("o-2"));
                    c.commit();
                }
            }
            var client = HeraldClient.builder(herald.baseUrl(), TestHerald.ADMIN_TOKEN).build();
            try (var relay = OutboxRelay.builder(appDb, client).build().start()) {
                Receiver.await(Duration.ofSeconds(15), () -> receiver.requests("/orders").size() >= 1, "the event to arrive");
                Receiver.await(Duration.ofSeconds(5), () -> {
                    try {
                        return relay.backlog() == 0;
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "the outbox to drain");
            }
            // the delivery's attempt recorded: any second request would have been sent before it
            Receiver.await(Duration.ofSeconds(10), () -> {
                var listed = herald.api.get("/api/v1/app/shop/msg").body().path("data");
                return listed.size() == 1 && herald.api.get("/api/v1/app/shop/attempt/msg/" + listed.get(0).path("id").asText())
                        .body().path("data").size() >= 1;
            }, "the delivery's attempt recorded");
            var received = receiver.requests("/orders");
            assertThat(received).as("the order's event, once").hasSize(1);
            var request = received.get(0);
            assertThat(request.body()).contains("\"o-2\"").doesNotContain("o-1");
            var verified = WebhookVerifier.of(secret).verify(request.body(), Map.of(
                    "webhook-id", request.header("webhook-id"),
                    "webhook-timestamp", request.header("webhook-timestamp"),
                    "webhook-signature", request.header("webhook-signature")));
            assertThat(verified.id()).isEqualTo(request.header("webhook-id"));
            // and the official library agrees
            new com.svix.Webhook(secret).verify(request.body(), java.net.http.HttpHeaders.of(Map.of(
                    "webhook-id", List.of(request.header("webhook-id")),
                    "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                    "webhook-signature", List.of(request.header("webhook-signature"))), (a, b) -> true));
            var messages = herald.api.get("/api/v1/app/shop/msg").body().path("data");
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).path("eventId").asText()).startsWith("evt_");
        }
    }
}
