package dev.herald.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit's loop: concurrent callers queue items, and writer threads take everything waiting (up to a batch) and
 * write it at once. An idle writer takes a lone item at once, so nobody waits for a batch to fill. Stopping lets the
 * writers finish what is queued.
 */
public final class BatchWriter<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final Consumer<List<T>> write;
    private final BiConsumer<List<T>, Throwable> failed;
    private final List<Thread> threads = new ArrayList<>();
    private final String name;
    private volatile boolean running = true;

    /**
     * {@code write} writes a batch and answers its callers; {@code failed} answers them when it threw (it is logged). The
     * writers are platform threads named {@code name-0}, {@code name-1}…
     */
    public BatchWriter(String name, int threads, int maxBatch, Consumer<List<T>> write, BiConsumer<List<T>, Throwable> failed) {
        this.name = name;
        this.maxBatch = maxBatch;
        this.write = write;
        this.failed = failed;
        for (int i = 0; i < threads; i++) this.threads.add(Thread.ofPlatform().name(name + "-" + i).start(this::loop));
    }

    /** Queues an item for the next batch; false once stopping (it is not queued). */
    public boolean add(T item) {
        if (!running) return false;
        queue.add(item);
        return true;
    }

    private void loop() {
        var batch = new ArrayList<T>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                T first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write.accept(batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException | Error e) {
                log.error("{} writer error (continuing)", name, e);
                failed.accept(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    /** Stops taking items and waits up to {@code waitMillis} per writer for what is queued to be written. */
    public void close(long waitMillis) {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What is still queued (after {@link #close(long)}: what the writers did not get to). */
    public List<T> remaining() {
        return List.copyOf(queue);
    }

    @Override
    public void close() {
        close(10_000);
    }
}
