package dev.herald.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Compiled per-endpoint things (filters, templates) kept between uses. One entry per key, reused only while
 * its version (an {@code updatedAt}, or the source text itself) is unchanged; the least recently used entry
 * is dropped past the capacity. Safe to share between threads.
 */
public final class VersionedCache<V> {

    public static final int DEFAULT_CAPACITY = 10_000;

    private record Slot<V>(Object version, V value) {}

    private final Map<String, Slot<V>> entries;

    public VersionedCache() {
        this(DEFAULT_CAPACITY);
    }

    public VersionedCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot<V>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The value for this version of {@code key}, computing it only on a miss (outside the lock: a double compute is harmless). */
    public V get(String key, Object version, Supplier<V> compute) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        synchronized (entries) {
            Slot<V> cached = entries.get(key);
            if (cached != null && cached.version().equals(version)) {
                return cached.value();
            }
        }
        V value = compute.get();
        synchronized (entries) {
            entries.put(key, new Slot<>(version, value));
        }
        return value;
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
