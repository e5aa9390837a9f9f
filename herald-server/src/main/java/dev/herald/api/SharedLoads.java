package dev.herald.api;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A cache whose concurrent misses of one key share one load, run on the first caller's thread, and share its outcome:
 * a failure too. A synchronous Caffeine cache makes the others wait while one loads and then, if that load threw, each
 * load again in turn: with the database unreachable, the last of n waiters answered after n connection timeouts. A
 * failed load, or one that found nothing (null), is not kept. The loads in flight are kept beside the cache, not in
 * it: Caffeine's asynchronous cache logged each failed load with its stack trace (thousands a minute while the database
 * is out of reach and every publish fails at once).
 */
final class SharedLoads<K, V> {
    private final Cache<K, V> cache;
    private final ConcurrentHashMap<K, CompletableFuture<V>> loading = new ConcurrentHashMap<>();

    SharedLoads(Cache<K, V> cache) {
        this.cache = cache;
    }

    V get(K key, Function<K, V> load) {
        V cached = cache.getIfPresent(key);
        if (cached != null) return cached; // the usual case
        var mine = new CompletableFuture<V>();
        CompletableFuture<V> shared = loading.putIfAbsent(key, mine);
        if (shared == null) {
            V value;
            try {
                value = load.apply(key);
            } catch (RuntimeException | Error e) {
                loading.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            // kept only if not invalidated meanwhile (the value loaded may predate the change that invalidated it)
            loading.computeIfPresent(key, (k, inFlight) -> {
                if (inFlight != mine) return inFlight;
                if (value != null) cache.put(k, value);
                return null;
            });
            mine.complete(value);
            return value;
        }
        try {
            return shared.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    void invalidate(K key) {
        loading.compute(key, (k, inFlight) -> {
            cache.invalidate(k);
            return null;
        });
    }
}
