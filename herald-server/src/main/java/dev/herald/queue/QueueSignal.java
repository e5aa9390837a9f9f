package dev.herald.queue;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes idle dispatchers when work arrives: at once on this node, and on other nodes through
 * LISTEN/NOTIFY. The NOTIFY is sent outside the publishing transaction (a NOTIFY inside it would
 * serialize every publisher's commit) and coalesced: at most one per {@link #NOTIFY_INTERVAL}, further
 * publishes fold into the next (unbounded, a busy node sent one per round trip: three per publish batch,
 * each waking every node's listener). A node ignores its own notifications (its dispatchers were woken
 * directly), and sends none while no other node listens: each node's listening connection is named
 * {@value #LISTENER_NAME} in {@code pg_stat_activity}, looked at once per {@link #LISTENERS_CHECK_INTERVAL} at most.
 * Dispatchers also poll, so a lost notification (or one a node just started did not get) only delays work by the
 * poll interval.
 */
public final class QueueSignal implements AutoCloseable {
    static final String CHANNEL = "herald_queue";
    /** The most a node's publishes are kept from other nodes' dispatchers (besides its own, woken at once). */
    static final Duration NOTIFY_INTERVAL = Duration.ofMillis(5);
    /** The application name of each node's listening connection: what the notifier looks for. */
    static final String LISTENER_NAME = "herald-listen";
    /**
     * How long the notifier trusts its last look for other nodes' listeners. Alone, a node sent up to 200
     * notifications a second that only its own listener read (3% of the JVM's CPU in the benchmark's one-node runs).
     */
    static final Duration LISTENERS_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** How long the listening connection may go without a notification before it proves it is alive ({@link #prove}). */
    static final Duration LISTENER_PROOF_INTERVAL = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(QueueSignal.class);

    private final DataSource dataSource;
    /** This node's name in its notifications, so it can ignore its own. */
    private final String nodeId = java.util.UUID.randomUUID().toString().replace("-", "");
    /** Set by a wake, cleared by the waiter that consumes it. */
    private final AtomicBoolean woken = new AtomicBoolean();
    /** Counts the wakes for work (not for room): see {@link #workSignals()}. */
    private final AtomicLong workSignals = new AtomicLong();
    /** Set by a wake (not a nudge), cleared by the waiter that consumes it: it should claim. */
    private final AtomicBoolean claimWanted = new AtomicBoolean();
    /** Threads in {@link #await}; a wake unparks them (no lock: every publishing request wakes). */
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean notifyPending = new AtomicBoolean();
    private final Object notifyMonitor = new Object();
    private final Duration listenersCheckInterval;
    /** The backend of this node's own listening connection (0 while it has none). */
    private volatile int ownListenerPid;
    private volatile boolean running = true;
    private Thread listener;
    private Thread notifier;
    private boolean othersListen;
    private long listenersCheckedAt;

    public QueueSignal(DataSource dataSource) {
        this(dataSource, LISTENERS_CHECK_INTERVAL);
    }

    QueueSignal(DataSource dataSource, Duration listenersCheckInterval) {
        this.dataSource = dataSource;
        this.listenersCheckInterval = listenersCheckInterval;
    }

    public QueueSignal start() {
        listener = Thread.ofPlatform().daemon().name("herald-listen").start(this::listenLoop);
        notifier = Thread.ofPlatform().daemon().name("herald-notify").start(this::notifyLoop);
        return this;
    }

    /** New work was committed on this node. */
    public void published() {
        wake();
        if (notifyPending.compareAndSet(false, true)) {
            synchronized (notifyMonitor) {
                notifyMonitor.notifyAll();
            }
        }
    }

    /** Rows may have become claimable: the waiter should claim. */
    public void wake() {
        workSignals.incrementAndGet();
        roomFreed();
    }

    /**
     * A slot or a lane's room was freed: the waiter should claim, but no row became claimable (a claim that just saw
     * every claimable row of the endpoints it included would find nothing new among them; see {@link #workSignals()}).
     */
    public void roomFreed() {
        claimWanted.set(true);
        nudge();
    }

    /**
     * How many times rows may have become claimable ({@link #wake}, which publishes and other nodes' notifications call):
     * a claim that ran dry knows nothing of rows made claimable after this count moved.
     */
    public long workSignals() {
        return workSignals.get();
    }

    /** Wakes the waiter for work handed to it in memory (deliveries leased as they were published): nothing to claim. */
    public void nudge() {
        // while a wake is still pending, a waiter that has not consumed it yet looks at the queue after this caller's commit
        if (woken.getAndSet(true)) return;
        for (Thread waiter : waiters) LockSupport.unpark(waiter);
    }

    /**
     * Waits until woken (or nudged) or {@code max} passes; one that came before the call counts. Returns whether to
     * claim: a wake came, or {@code max} passed (a nudge alone asks for none).
     */
    public boolean await(Duration max) throws InterruptedException {
        Thread self = Thread.currentThread();
        waiters.add(self);
        try {
            long deadline = System.nanoTime() + max.toNanos();
            boolean timedOut = false;
            while (!woken.get() && running) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0) {
                    timedOut = true;
                    break;
                }
                LockSupport.parkNanos(this, nanos);
                if (Thread.interrupted()) throw new InterruptedException();
            }
            woken.set(false);
            return claimWanted.getAndSet(false) || timedOut || !running;
        } finally {
            waiters.remove(self);
        }
    }

    private void notifyLoop() {
        while (running) {
            try {
                synchronized (notifyMonitor) {
                    while (!notifyPending.get() && running) notifyMonitor.wait(1000);
                }
                if (!running) return;
                notifyPending.set(false);
                try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
                    if (othersListen(c)) st.execute("notify " + CHANNEL + ", '" + nodeId + "'"); // nodeId is hex: nothing to escape
                }
                TimeUnit.NANOSECONDS.sleep(NOTIFY_INTERVAL.toNanos());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.debug("notify failed (other nodes fall back to polling): {}", e.toString());
                pause(1000);
            }
        }
    }

    /** Whether another node's listening connection is open on this database (looked up again once per check interval). */
    private boolean othersListen(Connection c) throws java.sql.SQLException {
        long now = System.nanoTime();
        if (listenersCheckedAt != 0 && now - listenersCheckedAt < listenersCheckInterval.toNanos()) return othersListen;
        var listeners = new java.util.ArrayList<Integer>();
        try (var ps = c.prepareStatement("select pid from pg_stat_activity where application_name = ? and datname = current_database()")) {
            ps.setString(1, LISTENER_NAME);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) listeners.add(rs.getInt(1));
            }
        }
        // read after the query: the listener notes its pid before it takes the name, so a listener seen is known by then
        listeners.remove(Integer.valueOf(ownListenerPid));
        othersListen = !listeners.isEmpty();
        listenersCheckedAt = now;
        return othersListen;
    }

    private void listenLoop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                try {
                    try (var st = c.createStatement()) {
                        try (var rs = st.executeQuery("select pg_backend_pid()")) {
                            rs.next();
                            ownListenerPid = rs.getInt(1);
                        }
                        st.execute("set application_name = '" + LISTENER_NAME + "'");
                        st.execute("listen " + CHANNEL);
                    }
                    PGConnection pg = c.unwrap(PGConnection.class);
                    long heardAt = System.nanoTime();
                    while (running) {
                        var notifications = pg.getNotifications(1000);
                        if (notifications == null || notifications.length == 0) { // pgjdbc answers an empty array
                            if (System.nanoTime() - heardAt >= LISTENER_PROOF_INTERVAL.toNanos()) {
                                prove(c);
                                heardAt = System.nanoTime();
                            }
                            continue;
                        }
                        heardAt = System.nanoTime();
                        for (var n : notifications) {
                            if (!nodeId.equals(n.getParameter())) {
                                wake();
                                break;
                            }
                        }
                    }
                } finally {
                    ownListenerPid = 0;
                    forget(c);
                }
            } catch (Exception e) {
                if (!running) return;
                log.debug("listen connection lost, retrying: {}", e.toString());
                pause(1000);
            }
        }
    }

    /**
     * A round trip on the listening connection, which otherwise only reads and so would never notice it went silent: the
     * pool's socket timeout fails it then (and at once one the server closed), and the loop listens on a new one. A server
     * that takes no writes (a primary demoted in a failover) fails it too: no node can notify there, and the pool's next
     * connection reaches the new primary (the other connections, refused writes, have been given up by then).
     */
    private static void prove(Connection c) throws java.sql.SQLException {
        try (var st = c.createStatement();
             var rs = st.executeQuery("select pg_is_in_recovery() or current_setting('transaction_read_only') = 'on'")) {
            rs.next();
            if (rs.getBoolean(1)) {
                throw new java.sql.SQLException("the listening connection's server takes no writes (a standby, or a primary demoted)", "25006");
            }
        }
    }

    /** The connection goes back to the pool neither listening nor named as a listener (best effort: it may be broken). */
    private static void forget(Connection c) {
        try (var st = c.createStatement()) {
            st.execute("unlisten *");
            st.execute("reset application_name");
        } catch (Exception ignored) {
            // a broken connection is dropped by the pool
        }
    }

    private void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        synchronized (notifyMonitor) {
            notifyMonitor.notifyAll();
        }
        for (Thread t : new Thread[] {listener, notifier}) {
            if (t == null) continue;
            t.interrupt();
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
