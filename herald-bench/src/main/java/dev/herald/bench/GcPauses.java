package dev.herald.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The benchmark JVM's garbage collections over a phase: a latency tail may be the collector's, not Herald's. Besides the
 * collectors' totals it keeps each stop-the-world pause, so that a phase's longest pause, and when it began, can be set
 * beside the time windows its slowest deliveries fell in.
 */
final class GcPauses implements AutoCloseable {
    /** A pause at least this long is counted apart. */
    static final long LONG_PAUSE_MILLIS = 10;

    private record Pause(String collector, long startMillis, long durationMillis) {}

    private final long count;
    private final long millis;
    private final long uptimeAtStart = ManagementFactory.getRuntimeMXBean().getUptime();
    private final List<Pause> pauses = new ArrayList<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onCollection;

    private GcPauses(long count, long millis) {
        this.count = count;
        this.millis = millis;
    }

    static GcPauses start() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        var pauses = new GcPauses(count, millis);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(pauses.listener, null, null);
                pauses.emitters.add(emitter);
            }
        }
        return pauses;
    }

    private void onCollection(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) return;
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        // ZGC's and Shenandoah's cycles are reported as collections too, but the application runs meanwhile; their
        // pauses come as "… Pauses". G1's "G1 Concurrent GC" reports its Remark and Cleanup pauses (JDK 20 on,
        // JDK-8297247): stop-the-world, so they count (until session 45 they were left out)
        if (info.getGcName().contains("Cycles")) return;
        synchronized (pauses) {
            pauses.add(new Pause(info.getGcName(), info.getGcInfo().getStartTime(), info.getGcInfo().getDuration()));
        }
    }

    /**
     * "GC: N collections, M ms (the collectors' own accounting, concurrent phases included); pauses P, longest L ms at
     * T s, K of 10 ms or more", T counted from {@link #start()}.
     */
    String since() {
        long nowCount = 0;
        long nowMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            nowCount += Math.max(0, gc.getCollectionCount());
            nowMillis += Math.max(0, gc.getCollectionTime());
        }
        String totals = String.format("GC: %d collections, %d ms", nowCount - count, nowMillis - millis);
        synchronized (pauses) {
            if (pauses.isEmpty()) return totals + ", no pause";
            Pause longest = pauses.stream().max(java.util.Comparator.comparingLong(Pause::durationMillis)).orElseThrow();
            long longOnes = pauses.stream().filter(p -> p.durationMillis() >= LONG_PAUSE_MILLIS).count();
            return String.format("%s; %d pauses, longest %d ms at %.1f s (%s), %d of %d ms or more", totals, pauses.size(),
                    longest.durationMillis(), (longest.startMillis() - uptimeAtStart) / 1000.0, longest.collector(), longOnes,
                    LONG_PAUSE_MILLIS);
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // already gone
            }
        }
    }
}
