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

    /**
     * The settings as the driver's {@code options} property (the startup packet's), after {@code ownOptions} (the
     * database URL's own, or null): later settings win, as the SET statements would.
     */
    String startupOptions(String ownOptions) {
        String ours = settings.entrySet().stream().map(s -> "-c " + s.getKey() + "=" + s.getValue()).collect(Collectors.joining(" "));
        return ownOptions == null || ownOptions.isBlank() ? ours : ownOptions.strip() + " " + ours;
    }

    /** SQL states meaning the server (or a pooler in front) refused a startup setting, not that it could not be reached. */
    private static final java.util.Set<String> REFUSALS = java.util.Set.of(
            "08P01", // protocol violation: PgBouncer's "unsupported startup parameter"
            "42704", // unrecognized configuration parameter
            "22023", // invalid parameter value
            "42501", // permission denied to set parameter
            "0A000"); // feature not supported
    private static final int TRIES = 3;

    /**
     * Whether the server takes the startup options (a connection is tried with them, {@code properties} holding the
     * URL's own options too): false when it refuses them (PgBouncer does, unless told to ignore them), and the SET
     * statements alone carry the settings. A try that fails otherwise (the database full or restarting) is made again,
     * twice, a second apart.
     */
    boolean takenAtStartup(String url, Properties properties, java.util.function.UnaryOperator<String> redact) {
        for (int attempt = 1; ; attempt++) {
            try (var ignored = java.sql.DriverManager.getConnection(url, properties)) {
                return true;
            } catch (java.sql.SQLException e) {
                String why = redact.apply(e.getMessage()) + ", SQL state " + e.getSQLState();
                if (REFUSALS.contains(e.getSQLState())) {
                    log.info("the database refused settings in a connection's startup packet ({}): each session sets them as"
                            + " its first statement, and one opened as its node's host vanishes is probed only after the"
                            + " system's keepalive time", why);
                    return false;
                }
                if (attempt == TRIES) {
                    log.warn("could not learn whether the database takes settings in a connection's startup packet ({}):"
                            + " each session sets them as its first statement only", why);
                    return false;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /** A database URL without its {@code options} parameter, and that parameter's value (decoded; null when absent). */
    record UrlOptions(String url, String options) {
        static UrlOptions of(String url) {
            int query = url.indexOf('?');
            if (query < 0) return new UrlOptions(url, null);
            var kept = new java.util.ArrayList<String>();
            String options = null;
            for (String pair : url.substring(query + 1).split("&")) {
                // the driver reads its URL's parameters as form-encoded, as here
                if (pair.startsWith("options=")) options = java.net.URLDecoder.decode(pair.substring("options=".length()),
                        java.nio.charset.StandardCharsets.UTF_8);
                else if (!pair.isEmpty()) kept.add(pair);
            }
            return new UrlOptions(kept.isEmpty() ? url.substring(0, query) : url.substring(0, query + 1) + String.join("&", kept), options);
        }
    }
}
