package dev.herald.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When one connection times out (the database said nothing for the socket timeout), every connection of the pools
 * watched is given up: they go over the same network to the same server, so a partition or a vanished primary has
 * most likely silenced them all, and each would otherwise cost its next borrower a validation timeout to find out.
 * Idle ones close at once, lent ones when they come back; the pools then connect anew. The failing connection itself
 * is evicted by its pool as usual.
 */
final class SilentConnectionEviction implements SQLExceptionOverride {
    private static final Logger log = LoggerFactory.getLogger(SilentConnectionEviction.class);
    /** One eviction serves every timeout of a partition's first moments. */
    private static final long AT_MOST_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong lastEviction = new AtomicLong(System.nanoTime() - AT_MOST_EVERY_NANOS);
    private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

    /** A pool to evict, once it exists (each pool built with this as its exception override). */
    void watch(HikariDataSource pool) {
        pools.add(pool);
    }

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        if (timedOut(e)) evictAll();
        return Override.CONTINUE_EVICT;
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) return true;
        }
        return false;
    }

    private void evictAll() {
        long last = lastEviction.get();
        long now = System.nanoTime();
        if (now - last < AT_MOST_EVERY_NANOS || !lastEviction.compareAndSet(last, now)) return;
        log.warn("a database connection timed out: giving up every connection and connecting anew");
        // off the failing thread: closing many connections is not its work
        Thread.ofVirtual().name("herald-pool-eviction").start(() -> {
            for (HikariDataSource pool : pools) pool.getHikariPoolMXBean().softEvictConnections();
        });
    }
}
