package dev.herald.client.outbox;

import java.time.Instant;

/** What publishing one claimed row came to; {@link OutboxStore#apply} is the one place it is recorded. */
sealed interface RelayOutcome {
    /** Herald holds the message. {@code duplicate}: an earlier try had already got it there (409 on the eventId). */
    record Sent(String heraldMessageId, boolean duplicate) implements RelayOutcome {}

    /** Not accepted this time; the row becomes due again at {@code at}. */
    record RetryAt(Instant at, String reason) implements RelayOutcome {}
}
