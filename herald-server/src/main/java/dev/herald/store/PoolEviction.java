package dev.herald.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.herald.logging.LogThrottle;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up every connection of the pools watched when one shows that the server behind them can no longer serve Herald,
 * so that the pools connect anew, to whichever server can:
 * <ul>
 *   <li>a connection timed out (the database said nothing for the socket timeout): they go over the same network to the
 *   same server, so a partition or a vanished primary has most likely silenced them all, and each would otherwise cost
 *   its next borrower a validation timeout to find out;</li>
 *   <li>the server refused a write as read-only (SQLSTATE 25006): a primary demoted in a failover. Its connections would
 *   otherwise be kept, each refusing writes, until they retire (30 minutes), while new ones would reach the new primary
 *   (a list of hosts with {@code target_session_attrs=read-write}, or a name moved in DNS).</li>
 * </ul>
 * Idle ones close at once, lent ones when they come back. The failing connection itself is evicted by its pool as usual.
 */
final class PoolEviction implements SQLExceptionOverride {
    private static final Logger log = LoggerFactory.getLogger(PoolEviction.class);
    /** One eviction serves every failure of a partition's or a failover's first moments. */
    private static final long AT_MOST_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String READ_ONLY_SQL_TRANSACTION = "25006";

    /** A database read-only for long (maintenance) would otherwise log a line a second. */
    private final LogThrottle logThrottle = new LogThrottle(Duration.ofMinutes(1));
    private final AtomicLong lastEviction = new AtomicLong(System.nanoTime() - AT_MOST_EVERY_NANOS);
    private final List<HikariDataSource> pools = new CopyOnWriteArrayList<>();

    /** A pool to evict, once it exists (each pool built with this as its exception override). */
    void watch(HikariDataSource pool) {
        pools.add(pool);
    }

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        if (timedOut(e)) {
            evictAll("a database connection timed out");
        } else if (READ_ONLY_SQL_TRANSACTION.equals(e.getSQLState())) {
            evictAll("the database refused a write as read-only (a standby, or a primary demoted)");
        }
        return Override.CONTINUE_EVICT;
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) return true;
        }
        return false;
    }

    private void evictAll(String why) {
        long last = lastEviction.get();
        long now = System.nanoTime();
        if (now - last < AT_MOST_EVERY_NANOS || !lastEviction.compareAndSet(last, now)) return;
        if (logThrottle.admit() >= 0) log.warn("{}: giving up every connection and connecting anew", why);
        // off the failing thread: closing many connections is not its work
        Thread.ofVirtual().name("herald-pool-eviction").start(() -> {
            for (HikariDataSource pool : pools) pool.getHikariPoolMXBean().softEvictConnections();
        });
    }
}
