package dev.herald.api;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A cache whose concurrent misses of one key share one load, run on the first caller's thread, and share its outcome:
 * a failure too. A synchronous Caffeine cache makes the others wait while one loads and then, if that load threw, each
 * load again in turn: with the database unreachable, the last of n waiters answered after n connection timeouts. A
 * failed load, or one that found nothing (null), is not kept.
 */
final class SharedLoads<K, V> {
    private final AsyncCache<K, V> cache;

    SharedLoads(AsyncCache<K, V> cache) {
        this.cache = cache;
    }

    V get(K key, Function<K, V> load) {
        CompletableFuture<V> cached = cache.getIfPresent(key);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) return cached.join(); // the usual case
        var mine = new CompletableFuture<V>();
        CompletableFuture<V> shared = cache.asMap().putIfAbsent(key, mine);
        if (shared == null) {
            try {
                V value = load.apply(key);
                mine.complete(value);
                return value;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            }
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
        cache.synchronous().invalidate(key);
    }
}
