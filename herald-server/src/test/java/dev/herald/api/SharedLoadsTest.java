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
        var firstLoading = new CountDownLatch(1);
        var releaseFirst = new CountDownLatch(1);
        var first = Thread.ofPlatform().start(() -> cache.get("k", k -> {
            firstLoading.countDown();
            await(releaseFirst);
            return "before the change";
        }));
        assertThat(firstLoading.await(5, TimeUnit.SECONDS)).isTrue();
        cache.invalidate("k"); // the thing changed while it was being read
        // a caller after the change loads anew, beside the first load
        var secondLoading = new CountDownLatch(1);
        var releaseSecond = new CountDownLatch(1);
        var second = Thread.ofPlatform().start(() -> cache.get("k", k -> {
            secondLoading.countDown();
            await(releaseSecond);
            return "after the change";
        }));
        assertThat(secondLoading.await(5, TimeUnit.SECONDS)).isTrue();
        releaseFirst.countDown();
        first.join(5_000);
        releaseSecond.countDown();
        second.join(5_000);
        assertThat(cache.get("k", k -> "loaded again")).isEqualTo("after the change");
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
