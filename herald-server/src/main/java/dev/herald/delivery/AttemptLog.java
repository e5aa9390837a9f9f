package dev.herald.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Svix's {@code message.attempt.log}: what each attempt did, sent to the operational endpoints in batches every
 * {@link #EVERY} rather than one event per attempt. Attempts wait here in memory, at most {@link #MAX_WAITING}; past
 * that they are dropped and counted, as other operational events are (the attempts themselves are recorded either way).
 */
final class AttemptLog {
    static final Duration EVERY = Duration.ofSeconds(2);
    static final int MAX_WAITING = 20_000;
    /** Attempts in one event at most: a busy node sends several events a period. */
    static final int PER_EVENT = 1_000;

    private final ConcurrentLinkedQueue<Map<String, Object>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    void add(Map<String, Object> attempt) {
        if (size.incrementAndGet() > MAX_WAITING) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        waiting.add(attempt);
    }

    /** Up to {@link #PER_EVENT} attempts, oldest first; empty when none wait. */
    List<Map<String, Object>> take() {
        var batch = new ArrayList<Map<String, Object>>();
        Map<String, Object> next;
        while (batch.size() < PER_EVENT && (next = waiting.poll()) != null) {
            size.decrementAndGet();
            batch.add(next);
        }
        return batch;
    }

    long dropped() {
        return dropped.get();
    }
}
