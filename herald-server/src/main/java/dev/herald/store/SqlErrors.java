package dev.herald.store;

import java.sql.SQLException;

/** Reads PostgreSQL's SQLSTATE out of whatever JDBI wrapped it in. */
public final class SqlErrors {
    private SqlErrors() {}

    public static boolean isUniqueViolation(Throwable e) {
        return "23505".equals(sqlState(e));
    }

    /** A row refers to one deleted meanwhile (23503): what the request names was there when it was read, and is no more. */
    public static boolean isForeignKeyViolation(Throwable e) {
        return "23503".equals(sqlState(e));
    }

    public static String constraint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage().getConstraint();
            }
        }
        return null;
    }

    /**
     * The database cannot serve now, whatever the request: its connections failed (class 08), it is shutting down
     * (57P0x), out of disk, memory or connection slots (class 53), read-only (25006: a standby, or a primary during a
     * failover), or it cancelled the statement or gave up a lock or a transaction it could not order (57014, 55P03,
     * 40001, 40P01). The same work may succeed if tried again shortly: an API request is answered 503 with Retry-After,
     * a background write is retried as a whole.
     */
    public static boolean isUnavailable(Throwable e) {
        if (isConnectionLost(e)) return true;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("53") || TRY_AGAIN_STATES.contains(state)) return true;
            }
        }
        return false;
    }

    /** The connection itself failed or the server is going away (class 08, 57P0x): nothing more goes on this session. */
    public static boolean isConnectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.ConnectException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) return true;
        }
        return false;
    }

    /**
     * A transaction ended for what it met in others' (a deadlock, 40P01; a serialization failure, 40001): the same
     * writes in smaller transactions may not meet it.
     */
    public static boolean isTransactionConflict(Throwable e) {
        String state = sqlState(e);
        return "40P01".equals(state) || "40001".equals(state);
    }

    /** A lock not had within {@code lock_timeout} (55P03), or a deadlock this statement was chosen to end (40P01). */
    public static boolean isLockConflict(Throwable e) {
        String state = sqlState(e);
        return "55P03".equals(state) || "40P01".equals(state);
    }

    private static final java.util.Set<String> TRY_AGAIN_STATES = java.util.Set.of("25006", "57014", "55P03", "40001", "40P01");

    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) return s.getSQLState();
        }
        return null;
    }
}
