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

    /**
     * The embedded one only where it exists: a mistyped HERALD_DATA_DIR made a new empty database (and a new key) and
     * the command reported success on it ("re-encrypted 0 secrets"). `herald serve` makes one.
     */
    static CommandDatabase open(HeraldConfig config) {
        if (!config.embedded()) return new CommandDatabase(config.databaseUrl().get(), null);
        java.nio.file.Path pg = config.dataDir().resolve("pg");
        if (!java.nio.file.Files.exists(pg.resolve("PG_VERSION"))) {
            throw new dev.herald.config.ConfigException("HERALD_DATA_DIR: " + pg.toAbsolutePath() + " holds no embedded database"
                    + " (a mistyped HERALD_DATA_DIR or --data-dir?); `herald serve` makes one there");
        }
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
