package dev.herald.delivery;

import dev.herald.queue.ClaimedDelivery;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each application's deliveries held by this node (sending, or waiting in an endpoint's lane) against its share of
 * the node's slots ({@code HERALD_MAX_IN_FLIGHT_PER_APP}). Each endpoint has a cap of its own, but a tenant with fifty
 * endpoints answering just before the request timeout held fifty caps' worth: every slot of the node, and the other
 * applications' deliveries waited. An application at its share has its endpoints left out of claims and leases until
 * one of its deliveries ends; a delivery of it claimed all the same (to an endpoint of it this node had not seen yet)
 * goes back to the queue.
 */
final class AppShares {
    private final int share;
    private final Map<String, Held> byApp = new HashMap<>();
    /** The applications at their share: read without the lock, so a node where none is costs a claim nothing. */
    private final Set<String> full = ConcurrentHashMap.newKeySet();

    /** One application's held deliveries, by endpoint, and the endpoints whose deliveries went back for want of share. */
    private static final class Held {
        int count;
        final Map<String, Integer> byEndpoint = new HashMap<>();
        final Set<String> refused = new HashSet<>();
    }

    AppShares(int share) {
        this.share = share;
    }

    /** Takes a share for the delivery; false when its application holds its whole share already. */
    synchronized boolean take(ClaimedDelivery d) {
        Held held = byApp.computeIfAbsent(d.appId(), app -> new Held());
        if (held.count >= share) {
            held.refused.add(d.endpointId());
            return false;
        }
        held.count++;
        held.byEndpoint.merge(d.endpointId(), 1, Integer::sum);
        if (held.count >= share) full.add(d.appId());
        return true;
    }

    /**
     * Gives back the share a delivery took ({@link #take} answered true for it); whether its application held its
     * whole share until now (its endpoints were left out: claim again).
     */
    synchronized boolean release(ClaimedDelivery d) {
        Held held = byApp.get(d.appId());
        if (held == null) return false;
        boolean wasFull = held.count >= share;
        held.count--;
        held.byEndpoint.computeIfPresent(d.endpointId(), (endpoint, n) -> n == 1 ? null : n - 1);
        if (held.count < share) {
            full.remove(d.appId());
            held.refused.clear();
        }
        if (held.count <= 0) byApp.remove(d.appId());
        return wasFull && held.count < share;
    }

    /** Adds to {@code endpointIds} those of the applications at their share that it lacks. */
    void excludeFull(List<String> endpointIds) {
        if (full.isEmpty()) return;
        synchronized (this) {
            for (String app : full) {
                Held held = byApp.get(app);
                if (held == null) continue;
                for (String endpointId : held.byEndpoint.keySet()) {
                    if (!endpointIds.contains(endpointId)) endpointIds.add(endpointId);
                }
                for (String endpointId : held.refused) {
                    if (!endpointIds.contains(endpointId)) endpointIds.add(endpointId);
                }
            }
        }
    }
}
