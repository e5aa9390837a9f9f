package dev.herald.examples.orders;

import dev.herald.client.outbox.HeraldOutbox;
import dev.herald.client.outbox.OutboxMessage;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** The app's own business code: an order and the event announcing it are committed together, or not at all. */
final class Orders {
    private final HeraldOutbox outbox = new HeraldOutbox();
    private final String heraldApp;

    Orders(String heraldApp) {
        this.heraldApp = heraldApp;
    }

    static void createTable(Connection c) throws SQLException {
        try (var statement = c.createStatement()) {
            statement.execute("""
                    create table if not exists orders (
                        id       text primary key,
                        customer text not null,
                        total    numeric(12, 2) not null
                    )""");
        }
    }

    /** Places the order. Safe to retry: the same order id gives the same event id, so no second event. */
    void place(Connection c, String orderId, String customer, BigDecimal total) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (var insert = c.prepareStatement(
                    "insert into orders (id, customer, total) values (?, ?, ?) on conflict (id) do nothing")) {
                insert.setString(1, orderId);
                insert.setString(2, customer);
                insert.setBigDecimal(3, total);
                insert.executeUpdate();
            }
            var event = OutboxMessage.of(heraldApp, "order.created",
                    Map.of("orderId", orderId, "customer", customer, "total", total)).idFrom(orderId);
            outbox.publish(c, event);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }
}
