package dev.herald.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server is asked to give up on, for {@code HERALD_DATABASE_TIMEOUT}: a session idle inside a transaction (so a
 * node cut off mid-transaction keeps no rows locked), and a session whose client's host vanished, which would otherwise
 * sit idle, holding its connection slot and any session lock, until the operating system's keepalive gives up (two hours
 * and more by default). The server probes an idle session after half the timeout, three times over the other half, and
 * drops a connection whose data stays unacknowledged for the timeout (the listener's notifications to a vanished node;
 * PostgreSQL 12 and later). The tcp_ settings do nothing over a Unix socket.
 *
 * <p>Sent twice: in the connection's startup packet ({@link #startupOptions}), so that a session is probed from its
 * first moment (a host that vanished while a pool opened a connection, between the server's "ready" and the session's
 * first statement, left that session idle with the system's defaults: two hours), and as the session's first statement
 * ({@link #sessionSql}), for a server or pooler in front that refuses or ignores startup options.
 */
final class ServerSideTimeouts {
    private static final Logger log = LoggerFactory.getLogger(ServerSideTimeouts.class);

    private final Map<String, String> settings;

    ServerSideTimeouts(Duration timeout, int serverMajorVersion) {
        long seconds = timeout.toSeconds();
        settings = new LinkedHashMap<>();
        settings.put("idle_in_transaction_session_timeout", Long.toString(timeout.toMillis()));
        settings.put("tcp_keepalives_idle", Long.toString(Math.max(1, seconds / 2)));
        settings.put("tcp_keepalives_interval", Long.toString(Math.max(1, seconds / 6)));
        settings.put("tcp_keepalives_count", "3");
        // PostgreSQL 11 has no tcp_user_timeout: naming it would fail every connection
        if (serverMajorVersion >= 12) settings.put("tcp_user_timeout", Long.toString(timeout.toMillis()));
    }

    /** The settings as SET statements, run first on each pooled connection. */
    String sessionSql() {
        return settings.entrySet().stream().map(s -> "set " + s.getKey() + " = " + s.getValue()).collect(Collectors.joining("; "));
    }

    /** The settings as the driver's {@code options} property (the startup packet's). */
    String startupOptions() {
        return settings.entrySet().stream().map(s -> "-c " + s.getKey() + "=" + s.getValue()).collect(Collectors.joining(" "));
    }

    /**
     * Whether the server takes the startup options: one connection is tried with them. A server or pooler refusing them
     * (PgBouncer does, unless told to ignore them) leaves the SET statements alone.
     */
    boolean takenAtStartup(Database.JdbcUrl jdbc, Properties properties) {
        var withOptions = new Properties();
        withOptions.putAll(properties);
        withOptions.setProperty("options", startupOptions());
        try (var ignored = java.sql.DriverManager.getConnection(jdbc.url(), withOptions)) {
            return true;
        } catch (java.sql.SQLException e) {
            log.info("the database refused settings in a connection's startup packet ({}, SQL state {}): each session sets "
                    + "them as its first statement, and one opened as its node's host vanishes is probed only after the "
                    + "system's keepalive time", jdbc.redact(e.getMessage()), e.getSQLState());
            return false;
        }
    }
}
