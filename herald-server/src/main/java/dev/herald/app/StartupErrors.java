package dev.herald.app;

import dev.herald.config.ConfigException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The failures a first start meets most (the port taken; the database not there, refusing the login, or not letting
 * Herald's user create its tables) as one line naming the setting, like a bad value, instead of a pool's or a web
 * server's stack trace.
 */
public final class StartupErrors {
    private StartupErrors() {}

    /**
     * Fails when another process listens on {@code address}, before anything is started (Javalin would log its own
     * stack trace first). Port 0 picks a free one: nothing to check.
     */
    static void requireFreeAddress(InetSocketAddress address) {
        if (address.getPort() == 0) return;
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free
            socket.bind(address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address);
        } catch (IOException e) { // in use, or an address this machine does not have
            boolean inUse = e instanceof BindException && String.valueOf(e.getMessage()).contains("in use");
            throw new ConfigException("HERALD_HTTP_ADDR: cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + ": " + e.getMessage() + (inUse ? " (another process, or another Herald, is using it)" : ""));
        }
    }

    /**
     * The database's own answer when {@code failure} (from connecting and migrating) is that it could not be reached,
     * the login was refused, the database does not exist or its server is starting or stopping (SQL states 08, 28, 3D000
     * and 57P), or Herald's user may not
     * create its tables (42501: since PostgreSQL 15 a new user may not create tables in schema public unless granted).
     */
    public static Optional<ConfigException> unusableDatabase(RuntimeException failure, boolean embedded) {
        SQLException cause = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && refuses(s.getSQLState())) cause = s;
        }
        if (cause == null) return Optional.empty();
        String setting = embedded ? "the embedded PostgreSQL (HERALD_DATA_DIR)" : "HERALD_DATABASE_URL";
        String message = cause.getMessage().strip().lines().findFirst().orElse(""); // not the statement's "Position: 14"
        return Optional.of(new ConfigException(cause.getSQLState().equals(INSUFFICIENT_PRIVILEGE)
                ? setting + ": Herald's database user may not create or use its tables: " + message
                        + " (grant it the schema, e.g. `grant all on schema public to <user>`, or make it the database's owner)"
                : setting + ": cannot connect: " + message));
    }

    /**
     * A migration that could not run, as one line: the schema is newer than this Herald knows, a migration failed
     * (Flyway's message is a dozen lines: its name and the database's own message are kept), or another node's
     * migration held the lock for longer than Herald waits. Empty for anything else.
     */
    public static Optional<ConfigException> failedMigration(RuntimeException failure, boolean embedded) {
        String setting = embedded ? "the embedded PostgreSQL (HERALD_DATA_DIR)" : "HERALD_DATABASE_URL";
        if (failure instanceof dev.herald.store.Database.NewerSchemaException newer) {
            return Optional.of(new ConfigException(setting + ": " + newer.getMessage()));
        }
        if (!(failure instanceof org.flywaydb.core.api.FlywayException flyway)) return Optional.empty();
        var lines = String.valueOf(flyway.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("---")).toList();
        String first = lines.isEmpty() ? flyway.getClass().getSimpleName() : lines.getFirst();
        // the database's message of a failed migration, or what a validation found (its first line says only that it
        // failed: "Migration checksum mismatch for migration version 28", "Detected applied migration not resolved …")
        String because = lines.stream().skip(1).filter(l -> l.startsWith("Message") || l.startsWith("Migration")
                        || l.startsWith("Detected")).findFirst()
                .map(l -> ": " + (l.startsWith("Message") ? l.substring(l.indexOf(':') + 1).strip() : l)).orElse("");
        if (first.contains("Number of retries exceeded")) {
            first = "another node held the migration lock for more than " + dev.herald.store.Database.MIGRATION_LOCK_WAIT_SECONDS
                    + " s (a migration still running there, or one whose node vanished: its session keeps the lock until"
                    + " the database notices)";
        }
        return Optional.of(new ConfigException(setting + ": the schema could not be brought up to date: " + first + because));
    }

    /**
     * What to throw for a failure connecting to the database and migrating it ({@code serve}, {@code migrate},
     * {@code reencrypt-secrets} alike): one line naming the setting for a URL that cannot be read and for the kinds
     * above, the failure as it is otherwise.
     */
    public static RuntimeException connecting(RuntimeException failure, boolean embedded) {
        if (failure instanceof IllegalArgumentException) return new ConfigException("HERALD_DATABASE_URL: " + failure.getMessage());
        Optional<ConfigException> known = unusableDatabase(failure, embedded).or(() -> failedMigration(failure, embedded));
        return known.isPresent() ? known.get() : failure;
    }

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static boolean refuses(String sqlState) {
        // 57P: the server is starting up or shutting down (57P03 "the database system is starting up", as when Herald
        // and PostgreSQL start together)
        return sqlState.startsWith("08") || sqlState.startsWith("28") || sqlState.equals("3D000")
                || sqlState.startsWith("57P") || sqlState.equals(INSUFFICIENT_PRIVILEGE);
    }
}
