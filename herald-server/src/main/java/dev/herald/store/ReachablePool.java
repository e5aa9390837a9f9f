package dev.herald.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A pool as its users borrow from it: at once, or failing at once while the database is out of reach ({@link DatabaseReach}). */
final class ReachablePool extends ConnectOnlyDataSource {
    private final DataSource pool;
    private final DatabaseReach reach;

    ReachablePool(DataSource pool, DatabaseReach reach) {
        this.pool = pool;
        this.reach = reach;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return reach.borrow(pool);
    }
}
