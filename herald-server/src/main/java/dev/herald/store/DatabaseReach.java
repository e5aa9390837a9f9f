package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node can reach its database, as its last attempt to connect found; one for both pools. A pool's borrower
 * otherwise waits out the pool's connection timeout (5 s) on every borrow while the database is down: a publisher's
 * request held 5 s for its 503, a worker's loop slowed to one try per 5 s. Once an attempt to connect fails (refused,
 * timed out, the server starting up or shutting down):
 * <ul>
 *   <li>every borrow fails at once, with the reason, and one already waiting in a pool is interrupted out of it;</li>
 *   <li>one probe connects at once, then every {@link #PROBE_INTERVAL}; the pools' own attempts wait for it, so their back-off (up to
 *   5 s) never delays their return once the database answers.</li>
 * </ul>
 * A borrow the pool cannot serve for other reasons (every connection lent) waits as before.
 */
final class DatabaseReach implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseReach.class);
    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);
    private final Duration probeInterval;
    /** How long a pool's attempt waits for the probe before it tries anyway (should the probe ever stop). */
    private static final Duration LONGEST_WAIT_FOR_PROBE = Duration.ofMinutes(1);

    private final Object monitor = new Object();
    private final Set<Borrower> borrowers = ConcurrentHashMap.newKeySet();
    /** Why the database is out of reach; null while it is reachable. */
    private volatile String lostBecause;
    /** Why it was last out of reach (kept after it is back: a borrow interrupted then is told why). */
    private volatile String lastLostBecause = "";
    private volatile boolean closed;
    private Attempt attempt;

    DatabaseReach() {
        this(PROBE_INTERVAL);
    }

    /** @param probeInterval the probe's wait between failed attempts (tests shorten or lengthen it) */
    DatabaseReach(Duration probeInterval) {
        this.probeInterval = probeInterval;
    }

    /** One attempt to connect, which reports its outcome here ({@link DriverConnector#attempt}). */
    @FunctionalInterface
    interface Attempt {
        Connection connect() throws SQLException;
    }

    /** Starts the probe, idle while the database is reachable, which makes {@code attempt}s; it ends with {@link #close}. */
    Thread start(Attempt attempt) {
        this.attempt = attempt;
        return Thread.ofVirtual().name("herald-database-probe").start(this::probeWhileOutOfReach);
    }

    boolean reachable() {
        return lostBecause == null;
    }

    /** A pool's connection, at once, or the database's absence at once. */
    Connection borrow(DataSource pool) throws SQLException {
        var borrower = new Borrower(Thread.currentThread());
        borrowers.add(borrower); // before the check: a loss after it finds this borrower and interrupts it
        Connection connection = null;
        SQLException failure = null;
        boolean interrupted;
        try {
            String because = lostBecause;
            if (because != null) throw outOfReach(because);
            connection = pool.getConnection();
        } catch (SQLException e) {
            failure = e;
        } finally {
            interrupted = borrower.leave();
            borrowers.remove(borrower);
        }
        if (connection != null) return connection;
        if (interrupted) throw outOfReach(lastLostBecause);
        throw failure;
    }

    /** Before a pool's attempt to connect: waits while the database is out of reach, for the probe to find it again. */
    void awaitReachable() throws SQLException {
        long deadline = System.nanoTime() + LONGEST_WAIT_FOR_PROBE.toNanos();
        synchronized (monitor) {
            while (lostBecause != null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(monitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while the database is out of reach", "08001", e);
                }
            }
        }
        if (closed) throw new SQLException("the database connection pools are closed", "08003");
    }

    /** An attempt to connect succeeded. */
    void reached() {
        if (lostBecause == null) return;
        synchronized (monitor) {
            if (lostBecause == null) return;
            lostBecause = null;
            monitor.notifyAll();
        }
        log.info("the database is reachable again");
    }

    /** An attempt to connect failed; only a failure to reach the server (not a refused login, say) takes it out of reach. */
    void attemptFailed(SQLException e) {
        if (!isOutOfReach(e)) return;
        synchronized (monitor) {
            if (closed || lostBecause != null) return;
            lostBecause = e.getMessage() == null ? e.toString() : e.getMessage();
            lastLostBecause = lostBecause;
            monitor.notifyAll(); // the probe
        }
        log.warn("the database is out of reach ({}); requests are answered 503 until a connection succeeds", lostBecause);
        for (Borrower borrower : borrowers) borrower.interrupt();
    }

    /** Refused, timed out or unresolved (class 08), or the server starting up, shutting down or recovering (57P0x). */
    static boolean isOutOfReach(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    /**
     * Tries at once, then every probe interval: a single failed attempt beside working connections (a dropped
     * packet) costs the node one attempt's length of 503s, not the interval.
     */
    private void probeWhileOutOfReach() {
        while (!closed) {
            try {
                synchronized (monitor) {
                    while (lostBecause == null && !closed) monitor.wait();
                }
                if (closed) return;
                try (Connection ignored = attempt.connect()) {
                    // reported reached by the attempt itself
                } catch (SQLException e) {
                    log.debug("database probe: {}", e.getMessage());
                    TimeUnit.NANOSECONDS.sleep(probeInterval.toNanos());
                } catch (RuntimeException e) {
                    log.warn("database probe failed unexpectedly", e);
                    TimeUnit.NANOSECONDS.sleep(probeInterval.toNanos());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        synchronized (monitor) {
            closed = true;
            monitor.notifyAll();
        }
    }

    private static SQLTransientConnectionException outOfReach(String because) {
        return new SQLTransientConnectionException("the database is out of reach: " + because, "08001");
    }

    /**
     * A thread inside a pool's borrow. The interrupt that frees it is delivered only while it is inside, and cleared
     * once it is out, so that no interrupt meant for a borrow reaches the code after it (an interrupted virtual thread
     * would close the next socket it reads).
     */
    private static final class Borrower {
        private static final int INSIDE = 0, LEFT = 1, INTERRUPTING = 2, INTERRUPTED = 3;
        private final Thread thread;
        private final AtomicInteger state = new AtomicInteger(INSIDE);

        Borrower(Thread thread) {
            this.thread = thread;
        }

        void interrupt() {
            if (state.compareAndSet(INSIDE, INTERRUPTING)) {
                thread.interrupt();
                state.set(INTERRUPTED);
            }
        }

        /** Answers whether it was interrupted, its interrupt status cleared. */
        boolean leave() {
            if (state.compareAndSet(INSIDE, LEFT)) return false;
            while (state.get() != INTERRUPTED) Thread.onSpinWait();
            Thread.interrupted();
            return true;
        }
    }
}
