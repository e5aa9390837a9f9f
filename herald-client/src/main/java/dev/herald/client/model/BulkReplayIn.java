package dev.herald.client.model;

import java.time.Instant;
import java.util.Set;

/**
 * Send an endpoint again the messages of [{@code since}, {@code until}) it had, whatever became of them; each other
 * field, when not null, narrows them: {@code status} of its delivery (0 success, 1 pending, 2 fail, 3 sending),
 * {@code statusCodeClass} of an attempt (0 for no response, 100 … 500), event types, a channel, a tag.
 */
public record BulkReplayIn(Instant since, Instant until, Integer status, Integer statusCodeClass, Set<String> eventTypes,
                           String channel, String tag) {
    /** Everything the endpoint had since {@code since}. */
    public static BulkReplayIn since(Instant since) {
        return new BulkReplayIn(since, null, null, null, null, null, null);
    }
}
