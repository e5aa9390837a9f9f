package dev.herald.client.testing;

import dev.herald.client.outbox.OutboxSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The application's own PostgreSQL, as the outbox sees it: one embedded server per test class, the outbox
 * table created from the shipped script, and an {@code orders} table standing in for business data.
 * Both are emptied before each test.
 */
public final class EmbeddedDatabase implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private EmbeddedPostgres postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, SQLException {
        postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
        try (Connection c = dataSource().getConnection(); var statement = c.createStatement()) {
            OutboxSchema.create(c);
            statement.execute("create table orders (id text primary key, total numeric not null)");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        try (Connection c = dataSource().getConnection(); var statement = c.createStatement()) {
            statement.execute("truncate herald_outbox, orders");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (postgres != null) postgres.close();
    }

    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** One value from a query, for asserting on what an operator would see in the table. */
    public Object scalar(String sql) {
        try (Connection c = dataSource().getConnection(); var statement = c.createStatement(); var rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getObject(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
