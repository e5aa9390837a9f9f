package dev.herald.delivery;

import dev.herald.queue.ClaimedDelivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint's share of this node: requests in flight (at most the per-endpoint cap) and claimed
 * deliveries waiting for a slot (at most as many again). A finished request hands its slot straight to
 * the next waiting delivery, so a busy endpoint's pipeline stays full without a round trip to the
 * database, while a slow one holds no more than twice its cap and never the other endpoints' slots.
 */
final class EndpointLane {
    /** A claimed delivery with what sending it needs, read when it was claimed. */
    record Pending(ClaimedDelivery delivery, List<String> secrets, String secretProblem) {}

    private final int cap;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    EndpointLane(int cap) {
        this.cap = cap;
    }

    synchronized boolean tryStart() {
        if (inFlight >= cap) return false;
        inFlight++;
        return true;
    }

    synchronized boolean offerWaiting(Pending pending) {
        if (waiting.size() >= cap) return false;
        waiting.add(pending);
        return true;
    }

    /** A request finished: returns the waiting delivery that takes over its slot, or null (slot freed). */
    synchronized Pending finishAndNext() {
        Pending next = waiting.poll();
        if (next == null) inFlight--;
        return next;
    }

    /** In flight plus waiting; at twice the cap the endpoint is left out of claims. */
    synchronized int load() {
        return inFlight + waiting.size();
    }

    synchronized List<Pending> drainWaiting() {
        var drained = new ArrayList<>(waiting);
        waiting.clear();
        return drained;
    }
}
