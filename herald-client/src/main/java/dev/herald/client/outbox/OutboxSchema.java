package dev.herald.client.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code herald_outbox} table. Either copy {@value #SCRIPT} into your Flyway/Liquibase migrations, or call
 * {@link #create} at startup: the script is idempotent.
 */
public final class OutboxSchema {
    /** Classpath location of the DDL, usable as a Flyway location ({@code classpath:db/herald-outbox}). */
    public static final String SCRIPT = "db/herald-outbox/V1__create_herald_outbox.sql";

    private OutboxSchema() {}

    /** The DDL text, as shipped. */
    public static String ddl() {
        try (InputStream in = OutboxSchema.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) throw new IllegalStateException(SCRIPT + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the table and its indexes if they are not there yet. */
    public static void create(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(ddl());
        }
        if (!connection.getAutoCommit()) connection.commit();
    }
}
