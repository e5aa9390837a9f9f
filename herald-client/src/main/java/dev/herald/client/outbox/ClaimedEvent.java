package dev.herald.client.outbox;

import dev.herald.client.model.MessageIn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/** An outbox row a relay holds a lease on, with what it takes to publish it. */
record ClaimedEvent(long id, String appId, String eventId, String eventType, String payload, Set<String> channels,
                    Set<String> tags, int attempts) {
    private static final int MAX_IDEMPOTENCY_KEY = 256;

    MessageIn toMessage() {
        return new MessageIn(eventType, eventId, payload, channels, tags, null, null);
    }

    /**
     * The same key on every try of this row, whichever relay makes it, so Herald replays its first answer.
     * The app is part of it: one event id may go to several applications, and Herald scopes keys per token.
     */
    String idempotencyKey() {
        String key = "outbox:" + appId + ":" + eventId;
        return key.length() <= MAX_IDEMPOTENCY_KEY ? key : "outbox:" + sha256(appId + "\0" + eventId);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }
}
