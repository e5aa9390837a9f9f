package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SharedReadTest {
    /** Probes and scrapes at once: one read between them, each given its result. */
    @Test
    void callers_at_once_share_one_read() throws Exception {
        var reads = new AtomicInteger();
        var answer = new CountDownLatch(1);
        var shared = new SharedRead<>(() -> {
            int n = reads.incrementAndGet();
            await(answer);
            return "read " + n;
        }, Duration.ofSeconds(20));
        var callers = new ArrayList<Future<String>>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) callers.add(threads.submit(shared::get));
            while (reads.get() == 0) Thread.onSpinWait();
            // the callers join the read that runs (a caller not yet in would start the next one; a loaded host may take
            // a while to run eight new threads)
            Thread.sleep(1_000);
            answer.countDown();
            for (var caller : callers) assertThat(caller.get()).isIn("read 1", "read 2");
        }
        assertThat(reads.get()).as("reads for 8 callers").isLessThanOrEqualTo(2);
        // one that ended is not given again: the next caller starts a new read
        assertThat(shared.get()).isEqualTo("read " + reads.get()).isNotEqualTo("read 1");
    }

    /**
     * A read the database does not answer: the callers are told it is unavailable within the patience (an error the
     * API answers 503), measured from when it started, and no second read starts while it still runs.
     */
    @Test
    void a_read_that_does_not_answer_is_unavailable_after_the_patience_and_not_started_again() throws Exception {
        var reads = new AtomicInteger();
        var answer = new CountDownLatch(1);
        var shared = new SharedRead<>(() -> {
            reads.incrementAndGet();
            await(answer);
            return "late";
        }, Duration.ofMillis(500));
        try {
            Throwable first = catchThrowable(shared::get);
            assertThat(SqlErrors.isUnavailable(first)).as("unavailable: %s", first).isTrue();
            long started = System.nanoTime();
            Throwable second = catchThrowable(shared::get);
            assertThat(SqlErrors.isUnavailable(second)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the second wait").isLessThan(Duration.ofMillis(400));
            assertThat(reads).as("reads started").hasValue(1);
        } finally {
            answer.countDown();
        }
        // once it has answered, the next caller reads afresh
        while (true) {
            try {
                assertThat(shared.get()).isEqualTo("late");
                break;
            } catch (RuntimeException stillTheOldRead) {
                Thread.sleep(10);
            }
        }
        assertThat(reads.get()).isBetween(1, 2);
    }

    /** A read's own failure reaches its callers as it was thrown. */
    @Test
    void a_failed_read_throws_its_failure() {
        var shared = new SharedRead<String>(() -> {
            throw new IllegalArgumentException("no such thing");
        }, Duration.ofSeconds(5));
        assertThat(catchThrowable(shared::get)).isInstanceOf(IllegalArgumentException.class).hasMessage("no such thing");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
