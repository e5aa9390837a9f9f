package dev.herald.api;

import dev.herald.delivery.BatchWriter;
import dev.herald.store.IdempotencyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
    /** While the database is away every batch fails: one line per 10 s, not one per batch of publishes. */
    private final dev.herald.logging.LogThrottle failureLog = new dev.herald.logging.LogThrottle(java.time.Duration.ofSeconds(10));

    private record Waiting(IdempotencyStore.NewClaim claim, CompletableFuture<Boolean> claimed) {}

    private final IdempotencyStore store;
    private final BatchWriter<Waiting> writer;

    ClaimBatcher(IdempotencyStore store) {
        this.store = store;
        this.writer = new BatchWriter<>("herald-idempotency-claims", 1, MAX_BATCH, this::write,
                (batch, e) -> batch.forEach(w -> w.claimed().complete(false)));
    }

    /**
     * Whether the key was new and is now this request's. False when another request has or had it, and also when the
     * batch failed: either way {@link IdempotencyStore#claimExisting} then decides, in a transaction of its own.
     */
    boolean claimNew(IdempotencyStore.NewClaim claim) {
        var waiting = new Waiting(claim, new CompletableFuture<>());
        return writer.add(waiting) && waiting.claimed().join();
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
            long leftOut = failureLog.admit();
            if (leftOut >= 0) {
                log.warn("claiming {} idempotency keys together failed, each is claimed alone: {}{}", unique.size(), e.toString(),
                        dev.herald.logging.LogThrottle.leftOutNote(leftOut));
            }
            unique.forEach(w -> w.claimed().complete(false));
        }
    }

    @Override
    public void close() {
        writer.close(5_000);
        writer.remaining().forEach(w -> w.claimed().complete(false));
    }
}
