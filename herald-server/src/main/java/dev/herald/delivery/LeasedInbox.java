package dev.herald.delivery;

import dev.herald.queue.ClaimedDelivery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deliveries this node published already leased to itself, from the publish writer that committed them to the
 * dispatcher's loop that starts them (as if it had claimed them), oldest first.
 */
final class LeasedInbox {
    private final ConcurrentLinkedQueue<ClaimedDelivery> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    void add(List<ClaimedDelivery> deliveries) {
        waiting.addAll(deliveries);
        size.addAndGet(deliveries.size());
    }

    /** How many wait (a count kept beside the queue: the publish writer asks before every batch). */
    int size() {
        return size.get();
    }

    /** Takes up to {@code atMost} of the oldest. */
    List<ClaimedDelivery> take(int atMost) {
        var taken = new ArrayList<ClaimedDelivery>(Math.max(0, Math.min(atMost, size.get())));
        for (ClaimedDelivery d; taken.size() < atMost && (d = waiting.poll()) != null; ) taken.add(d);
        size.addAndGet(-taken.size());
        return taken;
    }

    List<ClaimedDelivery> takeAll() {
        return take(Integer.MAX_VALUE);
    }
}
