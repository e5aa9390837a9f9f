package dev.herald.api;

import dev.herald.store.IdempotencyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims of new idempotency keys, gathered: concurrent requests hand theirs to one writer, which inserts all waiting in
 * one statement. The Svix SDKs send a key with every POST, so at a few thousand publishes a second a statement (and a
 * database backend woken) per claim cost more than the publish itself (BENCHMARKS.md, session 19). An idle writer takes
 * a lone claim at once.
 */
final class ClaimBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClaimBatcher.class);
    static final int MAX_BATCH = 500;

    private record Waiting(IdempotencyStore.NewClaim claim, CompletableFuture<Boolean> claimed) {}

    private final IdempotencyStore store;
    private final LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    ClaimBatcher(IdempotencyStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("herald-idempotency-claims").daemon().start(this::loop);
    }

    /**
     * Whether the key was new and is now this request's. False when another request has or had it, and also when the
     * batch failed: either way {@link IdempotencyStore#claimExisting} then decides, in a transaction of its own.
     */
    boolean claimNew(IdempotencyStore.NewClaim claim) {
        if (!running) return false;
        var waiting = new Waiting(claim, new CompletableFuture<>());
        queue.add(waiting);
        return waiting.claimed().join();
    }

    private void loop() {
        var batch = new ArrayList<Waiting>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Waiting first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException | Error e) {
                log.error("idempotency claim writer error (continuing)", e);
                batch.forEach(w -> w.claimed().complete(false));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Waiting> batch) {
        // a key twice in one batch (a client's retry racing its first try): the first claims it, the rest see it taken
        var seen = new HashSet<List<String>>();
        var unique = new ArrayList<Waiting>(batch.size());
        for (Waiting w : batch) {
            if (seen.add(List.of(w.claim().scope(), w.claim().key()))) unique.add(w);
            else w.claimed().complete(false);
        }
        try {
            boolean[] claimed = store.claimNew(unique.stream().map(Waiting::claim).toList());
            for (int i = 0; i < unique.size(); i++) unique.get(i).claimed().complete(claimed[i]);
        } catch (RuntimeException e) {
            log.warn("claiming {} idempotency keys together failed, each is claimed alone: {}", unique.size(), e.toString());
            unique.forEach(w -> w.claimed().complete(false));
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.forEach(w -> w.claimed().complete(false));
    }
}
