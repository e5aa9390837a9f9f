package dev.herald.client.outbox;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Holds one connection that LISTENs on the outbox channel and wakes the relay when a publishing transaction
 * commits. If the connection drops it reconnects; meanwhile the relay's poll keeps rows moving.
 */
final class NotificationListener implements Runnable {
    static final System.Logger log = System.getLogger(NotificationListener.class.getName());
    private static final int WAIT_MILLIS = 500;

    private final DataSource dataSource;
    private final Wakeup wakeup;
    private final Duration reconnectDelay;
    private final RepeatedFailureLog failures;
    private volatile boolean running = true;

    NotificationListener(DataSource dataSource, Wakeup wakeup, Duration reconnectDelay, RepeatedFailureLog failures) {
        this.dataSource = dataSource;
        this.wakeup = wakeup;
        this.reconnectDelay = reconnectDelay;
        this.failures = failures;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                listen(connection);
            } catch (LinkageError noPgJdbc) {
                log.log(Level.WARNING, "PostgreSQL JDBC driver (org.postgresql) not found: the outbox relay polls only");
                return;
            } catch (SQLException | RuntimeException e) {
                if (!running) return;
                failures.failed(e);
                sleep(reconnectDelay);
            }
        }
    }

    private void listen(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (var statement = connection.createStatement()) {
            statement.execute("listen " + HeraldOutbox.CHANNEL);
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        failures.succeeded();
        // notifications sent while this connection was down are lost: look once now
        wakeup.signal();
        try {
            while (running) {
                var notifications = pg.getNotifications(WAIT_MILLIS);
                if (notifications != null && notifications.length > 0) wakeup.signal();
            }
        } finally {
            // the connection goes back to the app's pool: still listening, it would gather a notification for every
            // outbox commit that no one reads
            try (var statement = connection.createStatement()) {
                statement.execute("unlisten " + HeraldOutbox.CHANNEL);
            } catch (SQLException e) {
                log.log(Level.DEBUG, "unlisten failed (the connection is likely gone): " + e.getMessage());
            }
        }
    }

    private void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
