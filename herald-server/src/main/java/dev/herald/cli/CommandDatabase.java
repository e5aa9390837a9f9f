package dev.herald.cli;

import dev.herald.config.HeraldConfig;
import dev.herald.store.EmbeddedPostgresServer;

/** The database a one-off command works on: HERALD_DATABASE_URL's, or the embedded one, started for the command. */
final class CommandDatabase implements AutoCloseable {
    private final String url;
    private final EmbeddedPostgresServer postgres;

    private CommandDatabase(String url, EmbeddedPostgresServer postgres) {
        this.url = url;
        this.postgres = postgres;
    }

    static CommandDatabase open(HeraldConfig config) {
        if (!config.embedded()) return new CommandDatabase(config.databaseUrl().get(), null);
        var postgres = dev.herald.app.Herald.startEmbedded(config, true);
        return new CommandDatabase(postgres.jdbcUrl(), postgres);
    }

    String url() {
        return url;
    }

    boolean embedded() {
        return postgres != null;
    }

    @Override
    public void close() {
        if (postgres != null) postgres.close();
    }
}
