package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * A pool's source of new connections: the driver, each attempt reported to {@link DatabaseReach}, and no attempt made
 * while the database is out of reach (the probe's attempts stand for them).
 */
final class DriverConnector extends ConnectOnlyDataSource {
    private static final Driver DRIVER = new Driver();

    private final String url;
    private final Properties properties;
    private final DatabaseReach reach;

    /** {@code properties}: the driver's, the user and password among them. */
    DriverConnector(String url, Properties properties, DatabaseReach reach) {
        this.url = url;
        this.properties = properties;
        this.reach = reach;
    }

    @Override
    public Connection getConnection() throws SQLException {
        reach.awaitReachable();
        return attempt();
    }

    /** One attempt, whatever the database's reach, which it then reports. */
    Connection attempt() throws SQLException {
        var attemptProperties = new Properties();
        attemptProperties.putAll(properties);
        if (getLoginTimeout() > 0) attemptProperties.setProperty("loginTimeout", Integer.toString(getLoginTimeout()));
        Connection connection;
        try {
            connection = DRIVER.connect(url, attemptProperties);
        } catch (SQLException e) {
            reach.attemptFailed(e);
            throw e;
        }
        if (connection == null) throw new SQLException("not a PostgreSQL URL", "08001"); // parsed before the pools: not seen
        reach.reached();
        return connection;
    }
}
