package dev.herald.delivery;

import dev.herald.domain.ConflictException;
import dev.herald.domain.Message;
import dev.herald.domain.NotFoundException;
import dev.herald.store.IdempotencyStore;
import dev.herald.store.MessageStore;
import dev.herald.store.SqlErrors;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Group commit for publishing: concurrent API requests hand their message to a writer, which commits
 * everything waiting in one transaction and then answers each request. A request returns only after its
 * own message is committed. An idle writer takes a lone message at once, so a single publish waits for
 * nothing. If a batch fails, its messages are retried one by one, so one bad message fails only itself; if the
 * database is unreachable, the whole batch fails at once.
 */
public final class PublishBatcher implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PublishBatcher.class);
    public static final int MAX_BATCH = 500;

    private record Pending(Message message, Instant due, IdempotencyStore.KeyedAnswer answer, CompletableFuture<Integer> done) {}

    /**
     * Where the deliveries a batch writes leased to this node go (its dispatcher, which sends them without claiming
     * them; see {@link MessageStore#publishBatch(List, List, MessageStore.Lease)}).
     */
    public interface Leases {
        /** The lease for the next batch's deliveries due now, or null to write them all due. */
        MessageStore.Lease lease();

        /**
         * Called by the writer right after the commit, before the batch's requests are answered, with what it wrote: the
         * deliveries leased, the endpoints the lease named that had deliveries written due, the rows written paced.
         */
        void take(MessageStore.Published published);
    }

    private final MessageStore store;
    /** Called by the writer right after a commit that queued deliveries not leased (wakes the dispatchers). */
    private final Runnable afterCommit;
    private final Leases leases;
    private final BatchWriter<Pending> writer;

    /**
     * {@code afterCommit} runs on the writer as soon as a batch that queued deliveries is committed, before its requests
     * are answered: the dispatcher is woken once per batch, without waiting for a request's thread to be scheduled.
     */
    /** {@code leases}: the deliveries due at once are written leased to this node and handed to it (see {@link Leases}). */
    public PublishBatcher(MessageStore store, int writerThreads, Runnable afterCommit, Leases leases) {
        this.store = store;
        this.afterCommit = afterCommit;
        this.leases = leases;
        this.writer = new BatchWriter<>("herald-publish", writerThreads, MAX_BATCH, this::write,
                (batch, e) -> batch.forEach(p -> p.done().completeExceptionally(e)));
    }

    /** Blocks until the message and its deliveries are committed; returns the number of deliveries queued. */
    public int publish(Message message, Instant due) {
        return publish(message, due, null);
    }

    /**
     * {@link #publish(Message, Instant)}, with the idempotency answer of the request committed with the message (null:
     * the request carried no key). Throws {@link IdempotencyStore.KeyTakenException} when the answer claims its key and
     * another request has or had it: then nothing was written.
     */
    public int publish(Message message, Instant due, IdempotencyStore.KeyedAnswer answer) {
        var pending = new Pending(message, due, answer, new CompletableFuture<>());
        if (!writer.add(pending)) throw new IllegalStateException("Herald is shutting down");
        try {
            return pending.done().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private void write(List<Pending> batch) {
        MessageStore.Lease lease;
        MessageStore.Published published;
        try {
            lease = leases.lease();
            published = store.publishBatch(batch.stream().map(Pending::message).toList(),
                    batch.stream().map(Pending::due).toList(), lease, answers(batch));
        } catch (RuntimeException | AssertionError e) {
            writeOneByOne(batch, e);
            return;
        }
        int[] queued = published.queued();
        try {
            // no wake for rows of endpoints this node holds back: its claims would leave them out (see Leases.take)
            if (lease == null ? Arrays.stream(queued).anyMatch(q -> q > 0) : published.forClaims() > 0) afterCommit.run();
            leases.take(published);
        } catch (RuntimeException | AssertionError e) {
            // committed: written again one by one, each message would meet itself (a 5xx, or a 409 for its eventId),
            // and a client retrying would publish it twice. Its deliveries are due, or leased here and due when the
            // lease ends: the claims and the poll interval find them without the wake or the hand-over
            log.error("after committing a batch of {} messages (answered as published): {}", batch.size(), e.toString(), e);
        }
        for (int i = 0; i < batch.size(); i++) complete(batch.get(i), queued[i]);
    }

    /** A batch the database refused: its messages written one by one, each request answered for its own. */
    private void writeOneByOne(List<Pending> batch, Throwable e) {
        // one by one finds a message the database refuses; while the database is unreachable it would only make
        // each request wait for a connection once more for every message ahead of it. A deadlock with another
        // node's batch (their duplicate eventIds met in crossed order) is the batch's, not the database's: one by
        // one, each request gets its own answer
        if (batch.size() == 1 || (SqlErrors.isUnavailable(e) && !SqlErrors.isTransactionConflict(e))) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        for (Pending p : batch) {
            try {
                int queued = store.publishBatch(List.of(p.message()), List.of(p.due()), null,
                        p.answer() == null ? null : List.of(p.answer())).queued()[0];
                if (queued > 0) afterCommit.run();
                complete(p, queued);
            } catch (RuntimeException | AssertionError single) {
                p.done().completeExceptionally(single);
            }
        }
    }

    /** The batch's idempotency answers, parallel to it; null when none of its requests carried a key. */
    private static List<IdempotencyStore.KeyedAnswer> answers(List<Pending> batch) {
        if (batch.stream().allMatch(p -> p.answer() == null)) return null;
        return batch.stream().map(Pending::answer).toList();
    }

    private static void complete(Pending p, int queued) {
        if (queued == MessageStore.DUPLICATE) {
            p.done().completeExceptionally(new ConflictException("A message with this eventId already exists for this application"));
        } else if (queued == MessageStore.APPLICATION_GONE) {
            p.done().completeExceptionally(new NotFoundException("Application"));
        } else if (queued == MessageStore.KEY_TAKEN) {
            p.done().completeExceptionally(new IdempotencyStore.KeyTakenException());
        } else {
            p.done().complete(queued);
        }
    }

    @Override
    public void close() {
        writer.close(10_000);
    }
}
