package dev.herald.client.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;

/**
 * Writes events into {@code herald_outbox} inside your own transaction, so an event exists exactly when the
 * business change that caused it committed. {@link OutboxRelay} sends the committed rows to Herald.
 *
 * <pre>{@code
 * connection.setAutoCommit(false);
 * insertOrder(connection, order);
 * outbox.publish(connection, OutboxMessage.of("acme", "order.created", order).idFrom(order.id()));
 * connection.commit();   // order and event together, or neither
 * }</pre>
 */
public final class HeraldOutbox {
    /** The channel relays LISTEN on; the notification is delivered only if the transaction commits. */
    static final String CHANNEL = "herald_outbox";

    private static final NamedSql INSERT = NamedSql.of("""
            insert into herald_outbox (app_id, event_id, event_type, payload, channels, tags, created_at, next_attempt_at)
            values (:appId, :eventId, :eventType, cast(:payload as json), cast(:channels as text[]), cast(:tags as text[]),
                    :now, :now)
            on conflict (app_id, event_id) do nothing
            """);
    private static final NamedSql NOTIFY = NamedSql.of("select pg_notify('" + CHANNEL + "', '')");

    private final FeatureFlag enabled;
    private final Clock clock;

    public HeraldOutbox() {
        this(FeatureFlag.ON, Clock.systemUTC());
    }

    /** @param enabled off: publish writes nothing (the seed's rollout switch); relays keep draining what is there */
    public HeraldOutbox(FeatureFlag enabled, Clock clock) {
        this.enabled = Objects.requireNonNull(enabled);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Adds the event to your transaction. Does not commit. A second publish of the same event id (your
     * transaction retried) writes nothing and answers {@code ALREADY_IN_OUTBOX}.
     *
     * @throws IllegalStateException if the connection is in auto-commit mode: the event would then be committed
     *                               on its own, separate from the change it describes
     * @throws IllegalArgumentException if the message has no event id (use {@link OutboxMessage#idFrom})
     */
    public PublishResult publish(Connection tx, OutboxMessage message) throws SQLException {
        if (message.eventId() == null) {
            throw new IllegalArgumentException("the message has no eventId: name the parts that make it unique with "
                    + "idFrom(...), so a retried transaction cannot publish it twice");
        }
        if (!enabled.enabled()) return new PublishResult(message.eventId(), PublishResult.Status.DISABLED);
        if (tx.getAutoCommit()) {
            throw new IllegalStateException("HeraldOutbox.publish needs your transaction: the connection is in "
                    + "auto-commit mode (call setAutoCommit(false) and commit after your own writes)");
        }
        int inserted = INSERT.on(tx)
                .set("appId", message.appId())
                .set("eventId", message.eventId())
                .set("eventType", message.eventType())
                .set("payload", message.payload())
                .set("channels", message.channels())
                .set("tags", message.tags())
                .set("now", clock.instant())
                .update();
        if (inserted == 0) return new PublishResult(message.eventId(), PublishResult.Status.ALREADY_IN_OUTBOX);
        NOTIFY.on(tx).query(row -> null);
        return new PublishResult(message.eventId(), PublishResult.Status.INSERTED);
    }
}
