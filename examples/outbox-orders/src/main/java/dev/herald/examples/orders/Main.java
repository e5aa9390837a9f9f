package dev.herald.examples.orders;

import dev.herald.client.HeraldClient;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.outbox.EventIds;
import dev.herald.client.outbox.OutboxRelay;
import dev.herald.client.outbox.OutboxSchema;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Places one order and lets the outbox relay hand its event to Herald.
 *
 * <pre>
 * DATABASE_URL=jdbc:postgresql://localhost:5432/shop?user=shop&amp;password=shop \
 * HERALD_URL=http://127.0.0.1:8071 HERALD_TOKEN=sk_... mvn -q compile exec:java
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        var dataSource = new PGSimpleDataSource();
        dataSource.setUrl(env("DATABASE_URL", "jdbc:postgresql://localhost:5432/postgres?user=postgres"));
        var herald = HeraldClient.builder(env("HERALD_URL", "http://127.0.0.1:8071"), env("HERALD_TOKEN", null)).build();
        String app = env("HERALD_APP", "shop");
        herald.applications().getOrCreate(ApplicationIn.of("Shop").withUid(app));

        try (var c = dataSource.getConnection()) {
            OutboxSchema.create(c);   // or ship OutboxSchema.SCRIPT with your Flyway migrations
            Orders.createTable(c);
        }

        // 1. publish in a transaction
        String orderId = "ord_" + UUID.randomUUID();
        try (var c = dataSource.getConnection()) {
            new Orders(app).place(c, orderId, "ada@example.com", new BigDecimal("42.50"));
        }
        System.out.println("placed " + orderId + "; its event waits in herald_outbox");

        // 2. relay: normally started once at application startup and closed at shutdown
        try (var relay = OutboxRelay.builder(dataSource, herald).build().start()) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (relay.backlog() > 0 && Instant.now().isBefore(deadline)) Thread.sleep(100);
            System.out.println("relay: " + relay.metrics().snapshot());
        }
        // the event id is derived from the order id, so anyone can look the event up
        var message = herald.messages().get(app, EventIds.deterministic("order.created", orderId));
        System.out.println("Herald has " + message.id() + " " + message.eventType() + " " + message.eventId() + ": "
                + message.payload());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        if (value != null && !value.isBlank()) return value;
        if (fallback == null) throw new IllegalStateException("set " + name);
        return fallback;
    }
}
