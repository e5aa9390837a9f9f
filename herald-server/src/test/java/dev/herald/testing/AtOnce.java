package dev.herald.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Races: {@code n} calls released together from threads of their own, as clients sending the same request at once. */
public final class AtOnce {
    private AtOnce() {}

    /** Runs {@code call} with 0 to n-1, all released at one moment; the results in that order. */
    public static <T> List<T> run(int n, IntFunction<T> call) throws InterruptedException, ExecutionException {
        try (var pool = Executors.newFixedThreadPool(n)) {
            var go = new CountDownLatch(1);
            List<Future<T>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                pending.add(pool.submit(() -> {
                    go.await();
                    return call.apply(index);
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (var result : pending) results.add(result.get());
            return results;
        }
    }
}
