package dev.herald.delivery;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the statements that move an endpoint's queue rows (pacing, parking, releasing, unpacing) on a thread of their
 * own, one at a time, and hands each result back to the dispatcher's loop, which applies it to the lane on its next
 * turn. At most one move per endpoint is under way: the loop decides the next only once it has applied the last.
 *
 * <p>Why: a round moves up to {@link Dispatcher#PACE_MAX_ROWS} rows (150-300 ms here). Run on the loop, it kept the
 * loop from starting the deliveries leased at publish meanwhile: their inbox filled, publishing wrote the healthy
 * endpoints' deliveries due instead, and those waited for claims that read past the rows not yet moved (session 25:
 * 48-61% of the healthy deliveries leased at publish beside a dead endpoint with 200,000 due, 97-100% without it).
 */
final class RowMoves implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RowMoves.class);

    private final ExecutorService mover = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("herald-row-mover").factory());
    /** Endpoints with a move under way (loop thread only). */
    private final Set<String> underWay = new HashSet<>();
    private final ConcurrentLinkedQueue<Runnable> finished = new ConcurrentLinkedQueue<>();
    private final Runnable wakeLoop;

    /** @param wakeLoop called on the mover's thread once a move has finished, so the loop comes to apply it */
    RowMoves(Runnable wakeLoop) {
        this.wakeLoop = wakeLoop;
    }

    /** Whether a move of this endpoint's rows is under way (loop thread). */
    boolean underWay(String endpointId) {
        return underWay.contains(endpointId);
    }

    /**
     * Runs {@code work} on the mover's thread; its result goes to {@code apply} on the loop's, at its next
     * {@link #applyFinished}. A failure is logged as "could not {@code what} the deliveries of endpoint …" and
     * applies nothing. Loop thread.
     */
    <T> void start(String endpointId, String what, Supplier<T> work, Consumer<T> apply) {
        underWay.add(endpointId);
        try {
            mover.execute(() -> {
                Runnable then;
                try {
                    T result = work.get();
                    then = () -> apply.accept(result);
                } catch (RuntimeException | Error e) {
                    // an Error too (the driver's asserts on a dropped connection): else the endpoint stayed "under way"
                    // and was never parked, released or paced again
                    then = () -> log.warn("could not {} the deliveries of endpoint {}: {}", what, endpointId, e.toString());
                }
                Runnable done = then;
                finished.add(() -> {
                    underWay.remove(endpointId); // first: the result may start the endpoint's next move
                    done.run();
                });
                wakeLoop.run();
            });
        } catch (RejectedExecutionException closing) {
            underWay.remove(endpointId);
        }
    }

    /** Applies the moves finished since the last call, oldest first (loop thread). */
    void applyFinished() {
        for (Runnable r; (r = finished.poll()) != null; ) r.run();
    }

    /** Lets the move under way finish (its result is not applied), and starts no more. */
    @Override
    public void close() {
        mover.shutdown();
        try {
            if (!mover.awaitTermination(10, TimeUnit.SECONDS)) log.warn("a move of queue rows was still running at shutdown");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
