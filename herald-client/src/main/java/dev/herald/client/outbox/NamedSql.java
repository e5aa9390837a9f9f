package dev.herald.client.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQL with {@code :name} parameters over plain JDBC, so statements read like the SQL they run instead of
 * {@code setX(i++)} chains. {@code ::} casts and quoted text are left alone.
 */
final class NamedSql {
    private final String jdbcSql;
    private final List<String> names;

    private NamedSql(String jdbcSql, List<String> names) {
        this.jdbcSql = jdbcSql;
        this.names = names;
    }

    static NamedSql of(String sql) {
        var out = new StringBuilder();
        var names = new ArrayList<String>();
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') quoted = !quoted;
            if (!quoted && c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
                out.append("::");
                i++;
            } else if (!quoted && c == ':' && i + 1 < sql.length() && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < sql.length() && Character.isJavaIdentifierPart(sql.charAt(end))) end++;
                names.add(sql.substring(i + 1, end));
                out.append('?');
                i = end - 1;
            } else {
                out.append(c);
            }
        }
        return new NamedSql(out.toString(), List.copyOf(names));
    }

    Bound on(Connection connection) {
        return new Bound(connection);
    }

    /** One execution: set every named parameter, then run it. */
    final class Bound {
        private final Connection connection;
        private final Map<String, Object> values = new HashMap<>();

        private Bound(Connection connection) {
            this.connection = connection;
        }

        Bound set(String name, Object value) {
            if (!names.contains(name)) throw new IllegalArgumentException("no parameter :" + name + " in " + jdbcSql);
            values.put(name, value);
            return this;
        }

        int update() throws SQLException {
            try (var statement = prepare()) {
                return statement.executeUpdate();
            }
        }

        <T> List<T> query(RowMapper<T> mapper) throws SQLException {
            try (var statement = prepare(); var rows = statement.executeQuery()) {
                var result = new ArrayList<T>();
                while (rows.next()) result.add(mapper.map(rows));
                return result;
            }
        }

        private PreparedStatement prepare() throws SQLException {
            var statement = connection.prepareStatement(jdbcSql);
            try {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get(i);
                    if (!values.containsKey(name)) throw new IllegalArgumentException("parameter :" + name + " is not set");
                    statement.setObject(i + 1, jdbcValue(values.get(name)));
                }
                return statement;
            } catch (SQLException | RuntimeException e) {
                statement.close();
                throw e;
            }
        }

        private Object jdbcValue(Object value) throws SQLException {
            if (value instanceof Instant instant) return Timestamp.from(instant);
            if (value instanceof Collection<?> items) return connection.createArrayOf("text", items.toArray());
            return value;
        }
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }
}
