package dev.herald.store;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jdbi.v3.core.ConnectionException;

/**
 * One database read for every caller that asks while it runs (a scrape's gauges, load balancers' probes), each waiting
 * for it at most {@code patience} from when it started. A database that stopped answering (a partition, a host gone)
 * holds a read until the socket timeout (HERALD_DATABASE_TIMEOUT, 60 s by default): the callers are told it is
 * unavailable within the patience instead, as when it refuses, and hold one connection between them, not one each.
 * The read runs on a thread of its own and no monitor is held meanwhile: on JDK 21 a virtual thread waiting on a monitor,
 * or reading a socket inside one, pins its carrier, and a few such scrapes would stall every request of the node.
 */
public final class SharedRead<T> {
    private final Supplier<T> read;
    private final Duration patience;
    private final ReentrantLock lock = new ReentrantLock();
    private CompletableFuture<T> running;
    private long startedNanos;

    public SharedRead(Supplier<T> read, Duration patience) {
        this.read = read;
        this.patience = patience;
    }

    /**
     * The read's result: the one running, or a new one. Throws what the read threw, or a {@link ConnectionException}
     * (which {@link SqlErrors#isUnavailable} knows) once it has run for the patience.
     */
    public T get() {
        CompletableFuture<T> result;
        long deadline;
        lock.lock();
        try {
            if (running == null) {
                running = start();
                startedNanos = System.nanoTime();
            }
            result = running;
            deadline = startedNanos + patience.toNanos();
        } finally {
            lock.unlock();
        }
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unanswered("the database has not answered for " + patience.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) throw failure;
            if (e.getCause() instanceof Error error) throw error;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unanswered("interrupted while waiting for the database");
        }
    }

    private CompletableFuture<T> start() {
        var result = new CompletableFuture<T>();
        Thread.ofVirtual().name("herald-shared-read").start(() -> {
            T value = null;
            Throwable failure = null;
            try {
                value = read.get();
            } catch (Throwable t) {
                failure = t;
            }
            // let go before answering: a caller who comes once the answer is out starts a new read, not given this one
            lock.lock();
            try {
                if (running == result) running = null;
            } finally {
                lock.unlock();
            }
            if (failure == null) result.complete(value);
            else result.completeExceptionally(failure);
        });
        return result;
    }

    private static ConnectionException unanswered(String why) {
        return new ConnectionException(new SQLTransientConnectionException(why));
    }
}
