package dev.herald.client.outbox;

import dev.herald.client.HeraldClient;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Sends committed {@code herald_outbox} rows to Herald. Run one in each instance of your app: relays claim
 * rows with {@code FOR UPDATE SKIP LOCKED}, so several never send the same row at once.
 *
 * <p>Each row is published with an idempotency-key derived from its event id; Herald's 409 on an eventId it
 * already holds counts as sent. So a relay killed between publishing and marking a row sent costs one extra
 * request when the row's lease ends, never a second message. Relays wake on LISTEN/NOTIFY and poll every
 * {@link RelaySettings#pollInterval()} besides; sent rows are purged after {@link RelaySettings#retention()}.
 *
 * <pre>{@code
 * var relay = OutboxRelay.builder(dataSource, heraldClient).build().start();
 * // at shutdown
 * relay.close();
 * }</pre>
 */
public final class OutboxRelay implements AutoCloseable {
    private static final System.Logger log = System.getLogger(OutboxRelay.class.getName());

    private final DataSource dataSource;
    private final RelaySettings settings;
    private final FeatureFlag enabled;
    private final Clock clock;
    private final OutboxStore store = new OutboxStore();
    private final EventSender sender;
    private final RelayMetrics metrics = new RelayMetrics();
    private final Wakeup wakeup = new Wakeup();
    private final RepeatedFailureLog passFailures;
    private NotificationListener listener;
    private volatile boolean running;
    private volatile boolean closing;
    private Thread worker;
    private Thread listenerThread;
    private Instant nextPurge;

    private OutboxRelay(Builder b) {
        this.dataSource = b.dataSource;
        this.settings = b.settings;
        this.enabled = b.enabled;
        this.clock = b.clock;
        this.sender = new EventSender(b.herald, settings, clock);
        this.passFailures = new RepeatedFailureLog(log, Level.ERROR, "outbox relay pass", clock, settings.pollInterval());
    }

    public static Builder builder(DataSource dataSource, HeraldClient herald) {
        return new Builder(dataSource, herald);
    }

    /** Starts the relay's threads (the sender and the LISTEN connection). */
    public synchronized OutboxRelay start() {
        if (running) return this;
        running = true;
        closing = false;
        // a listener per run: a stopped one's thread may still be ending (close() joins it outside this lock)
        listener = new NotificationListener(dataSource, wakeup, settings.pollInterval(), new RepeatedFailureLog(
                NotificationListener.log, Level.WARNING, "outbox LISTEN connection (the relay polls meanwhile)", clock,
                settings.pollInterval()));
        nextPurge = clock.instant();
        listenerThread = Thread.ofPlatform().daemon().name("herald-outbox-listen").start(listener);
        worker = Thread.ofPlatform().daemon().name("herald-outbox-relay").start(this::loop);
        return this;
    }

    /**
     * One pass: claims up to a batch of due rows, publishes each and records the outcome. Returns how many rows
     * were claimed. Nothing is claimed while the kill switch is off. Exposed so tests and schedulers can drive
     * the relay without its threads.
     */
    public int relayOnce() throws SQLException {
        if (!enabled.enabled() || closing) return 0;
        Instant now = clock.instant();
        var claimed = inTransaction(c -> store.claim(c, now, now.plus(settings.lease()), settings.batchSize()));
        metrics.claimed(claimed.size());
        // past half the lease the rest of the batch is left to come due again: sent later, a row could go out from
        // here while another relay, its lease ended, sends it too; after close() only the send under way finishes
        Instant sendUntil = now.plus(settings.lease().dividedBy(2));
        for (ClaimedEvent event : claimed) {
            if (closing || !clock.instant().isBefore(sendUntil)) break;
            RelayOutcome outcome = sender.send(event);
            inTransaction(c -> {
                store.apply(c, event, outcome, clock.instant());
                return null;
            });
            metrics.recorded(outcome, clock.instant());
            if (outcome instanceof RelayOutcome.RetryAt retry) {
                log.log(Level.WARNING, "outbox event " + event.eventId() + " (" + event.eventType() + ") not accepted, "
                        + "retrying at " + retry.at() + ": " + retry.reason());
            }
        }
        return claimed.size();
    }

    /** Deletes sent rows older than the retention period, a chunk per transaction (short locks); returns how many. */
    public int purgeSent() throws SQLException {
        Instant cutoff = clock.instant().minus(settings.retention());
        int purged = 0;
        int deleted;
        do {
            deleted = inTransaction(c -> store.purgeSentChunk(c, cutoff));
            purged += deleted;
        } while (deleted == OutboxStore.PURGE_CHUNK);
        metrics.purged(purged);
        return purged;
    }

    /** Rows not yet accepted by Herald (due now or waiting to be retried). */
    public long backlog() throws SQLException {
        return inTransaction(store::backlog);
    }

    public RelayMetrics metrics() {
        return metrics;
    }

    /**
     * Stops claiming; a send in progress finishes and is recorded first, the rest of its batch is left to come due
     * again when its lease ends.
     */
    @Override
    public void close() {
        Thread w;
        Thread l;
        NotificationListener stopping;
        synchronized (this) {
            if (!running) return;
            running = false;
            closing = true;
            w = worker;
            l = listenerThread;
            stopping = listener;
        }
        stopping.stop();
        wakeup.signal();
        join(w);
        join(l);
    }

    private void loop() {
        while (running) {
            try {
                // a full batch means more may be waiting: go again before sleeping
                int claimed;
                do {
                    claimed = relayOnce();
                } while (running && claimed >= settings.batchSize());
                purgeIfDue();
                passFailures.succeeded();
            } catch (Exception | LinkageError | StackOverflowError e) {
                // the loop must survive a database restart or a bug in one pass; an Error too (a library of another
                // version, a payload nested too deep): it ended the thread while the relay looked alive
                metrics.failed(e.toString());
                passFailures.failed(e);
            }
            try {
                wakeup.await(settings.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void purgeIfDue() throws SQLException {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) return;
        nextPurge = now.plus(settings.purgeInterval());
        int purged = purgeSent();
        if (purged > 0) log.log(Level.DEBUG, "purged " + purged + " sent outbox rows");
    }

    private <T> T inTransaction(SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static void join(Thread thread) {
        if (thread == null) return;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    public static final class Builder {
        private final DataSource dataSource;
        private final HeraldClient herald;
        private RelaySettings settings = RelaySettings.DEFAULTS;
        private FeatureFlag enabled = FeatureFlag.ON;
        private Clock clock = Clock.systemUTC();

        private Builder(DataSource dataSource, HeraldClient herald) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.herald = Objects.requireNonNull(herald, "herald");
        }

        public Builder settings(RelaySettings settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        /** The kill switch: while off the relay claims nothing and rows wait in the table. */
        public Builder enabled(FeatureFlag enabled) {
            this.enabled = Objects.requireNonNull(enabled);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public OutboxRelay build() {
            return new OutboxRelay(this);
        }
    }
}
