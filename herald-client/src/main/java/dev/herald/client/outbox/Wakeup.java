package dev.herald.client.outbox;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Lets the NOTIFY listener cut the relay's idle wait short. Signals while busy collapse into one. */
final class Wakeup {
    private final Semaphore permits = new Semaphore(0);

    void signal() {
        if (permits.availablePermits() == 0) permits.release();
    }

    /** Waits until signalled or the timeout passes. */
    void await(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) permits.drainPermits();
    }
}
