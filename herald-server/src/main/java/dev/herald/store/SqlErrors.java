package dev.herald.store;

import java.sql.SQLException;

/** Reads PostgreSQL's SQLSTATE out of whatever JDBI wrapped it in. */
public final class SqlErrors {
    private SqlErrors() {}

    public static boolean isUniqueViolation(Throwable e) {
        return "23505".equals(sqlState(e));
    }

    public static String constraint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
                return p.getServerErrorMessage().getConstraint();
            }
        }
        return null;
    }

    /** Connection-level failures (class 08, 57P0x admin shutdown) mean the database is unavailable. */
    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException) return true;
            if (t instanceof java.net.ConnectException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P")) return true;
            }
        }
        return false;
    }

    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) return s.getSQLState();
        }
        return null;
    }
}
