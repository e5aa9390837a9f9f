package dev.herald.client.outbox;

/** What {@link HeraldOutbox#publish} did, and the event id it used. */
public record PublishResult(String eventId, Status status) {
    public enum Status {
        /** A new outbox row: it goes to Herald once your transaction commits. */
        INSERTED,
        /** The event id was already in the outbox (a retried transaction): nothing new was written. */
        ALREADY_IN_OUTBOX,
        /** The outbox's feature flag is off: nothing was written. */
        DISABLED
    }
}
