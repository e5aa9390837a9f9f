package dev.herald.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** The benchmark JVM's garbage collections over a phase: a latency tail may be the collector's, not Herald's. */
final class GcPauses {
    private final long count;
    private final long millis;

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
        return new GcPauses(count, millis);
    }

    /** "N collections, M ms" since {@link #start()} (the collectors' own accounting, concurrent phases included). */
    String since() {
        GcPauses now = start();
        return String.format("GC: %d collections, %d ms", now.count - count, now.millis - millis);
    }
}
