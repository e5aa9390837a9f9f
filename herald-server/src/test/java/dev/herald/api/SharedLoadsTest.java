package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedLoadsTest {
    private final SharedLoads<String, String> cache =
            new SharedLoads<>(Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).build());

    @Test
    void concurrent_misses_share_one_load_and_its_failure() throws Exception {
        var loads = new AtomicInteger();
        var loading = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        var callers = new Thread[6];
        for (int i = 0; i < callers.length; i++) {
            callers[i] = Thread.ofPlatform().start(() -> {
                try {
                    cache.get("k", k -> {
                        loads.incrementAndGet();
                        loading.countDown();
                        await(release);
                        throw new IllegalStateException("database unreachable");
                    });
                } catch (RuntimeException e) {
                    seen.add(e);
                }
            });
            if (i == 0) assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        }
        // the others park on the first one's load
        for (int i = 1; i < callers.length; i++) {
            while (callers[i].getState() != Thread.State.WAITING) Thread.onSpinWait();
        }
        release.countDown();
        for (Thread t : callers) t.join(5_000);

        assertThat(loads.get()).as("loads run").isEqualTo(1);
        assertThat(seen).hasSize(callers.length).allSatisfy(e -> assertThat(e).hasMessage("database unreachable"));
        // the failure is not kept: the next caller loads again
        assertThat(cache.get("k", k -> "v")).isEqualTo("v");
        assertThat(cache.get("k", k -> "other")).as("a value is kept").isEqualTo("v");
    }

    @Test
    void nothing_found_is_not_kept_and_a_key_can_be_forgotten() {
        assertThat(cache.get("absent", k -> null)).isNull();
        assertThat(cache.get("absent", k -> "now here")).isEqualTo("now here");
        cache.invalidate("absent");
        assertThat(cache.get("absent", k -> "reloaded")).isEqualTo("reloaded");
    }

    @Test
    void a_value_loaded_while_its_key_was_invalidated_is_not_kept() throws Exception {
        var load = new HeldLoad("before the change");
        cache.invalidate("k"); // the thing changed while it was being read
        load.finish();
        assertThat(cache.get("k", k -> "loaded again")).isEqualTo("loaded again");
    }

    @Test
    void of_two_loads_around_an_invalidation_the_later_one_is_kept_whichever_ends_first() throws Exception {
        for (boolean olderEndsFirst : new boolean[] {true, false}) {
            cache.invalidate("k");
            var first = new HeldLoad("before the change");
            cache.invalidate("k");
            var second = new HeldLoad("after the change"); // a caller after the change loads anew, beside the first load
            if (olderEndsFirst) {
                first.finish();
                second.finish();
            } else {
                second.finish();
                first.finish();
            }
            assertThat(cache.get("k", k -> "loaded again")).as("older ends first: " + olderEndsFirst).isEqualTo("after the change");
        }
    }

    /** A load of "k" begun on a thread of its own and held until {@link #finish}. */
    private final class HeldLoad {
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread thread;

        HeldLoad(String value) throws InterruptedException {
            var loading = new CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> cache.get("k", k -> {
                loading.countDown();
                await(release);
                return value;
            }));
            assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        }

        void finish() throws InterruptedException {
            release.countDown();
            thread.join(5_000);
        }
    }

    @Test
    void a_failed_load_is_not_logged_by_the_cache() {
        // Caffeine's asynchronous cache logged each failed load (java.util.logging, with its stack trace): thousands a
        // minute while the database is out of reach
        var records = new CopyOnWriteArrayList<java.util.logging.LogRecord>();
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        var root = java.util.logging.Logger.getLogger("");
        root.addHandler(handler);
        try {
            for (int i = 0; i < 3; i++) {
                try {
                    cache.get("k", k -> {
                        throw new IllegalStateException("database unreachable");
                    });
                } catch (IllegalStateException expected) {
                    assertThat(expected).hasMessage("database unreachable");
                }
            }
        } finally {
            root.removeHandler(handler);
        }
        assertThat(records).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
