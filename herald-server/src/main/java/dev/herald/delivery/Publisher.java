package dev.herald.delivery;

import dev.herald.domain.Endpoint;
import dev.herald.domain.Message;
import dev.herald.queue.QueueSignal;
import dev.herald.store.IdempotencyStore;
import dev.herald.store.MessageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

/** Publishing: the message and its fan-out are committed together, then the dispatchers are woken. */
public final class Publisher {
    private final MessageStore messages;
    private final PublishBatcher batcher;
    private final QueueSignal signal;
    private final Clock clock;
    private final Duration initialDelay;

    public Publisher(MessageStore messages, PublishBatcher batcher, QueueSignal signal, Clock clock, Duration initialDelay) {
        this.messages = messages;
        this.batcher = batcher;
        this.signal = signal;
        this.clock = clock;
        this.initialDelay = initialDelay;
    }

    /** Returns the number of endpoints the message was queued for. */
    public int publish(Message message) {
        return publish(message, null);
    }

    /** {@link #publish(Message)}, storing {@code answer} (null: none) under its idempotency key in the same commit. */
    public int publish(Message message, IdempotencyStore.KeyedAnswer answer) {
        Instant due = message.deliverAt() != null && message.deliverAt().isAfter(message.createdAt())
                ? message.deliverAt()
                : message.createdAt().plus(initialDelay);
        return batcher.publish(message, due, answer); // the batcher's writer signals the commit
    }

    /** A manual attempt (resend, recover): one try per endpoint, no retries. */
    public void enqueueManual(String msgId, String appId, Collection<String> endpointIds) {
        if (endpointIds.isEmpty()) return;
        messages.enqueueManual(msgId, appId, endpointIds, clock.instant());
        signal.published();
    }

    /** Svix's recover (see {@link MessageStore#recover}): returns how many manual deliveries were queued. */
    public int recover(Endpoint endpoint, Instant since, Instant until, Runnable perPage) {
        int queued = messages.recover(endpoint, since, until, clock.instant(), perPage);
        if (queued > 0) signal.published();
        return queued;
    }

    /** Svix's replay-missing and bulk-replay (see {@link MessageStore#replay}): returns how many manual deliveries were queued. */
    public int replay(Endpoint endpoint, MessageStore.ReplayWindow window, Runnable perPage) {
        int queued = messages.replay(endpoint, window, clock.instant(), perPage);
        if (queued > 0) signal.published();
        return queued;
    }
}
