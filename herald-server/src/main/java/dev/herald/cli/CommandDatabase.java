package dev.herald.cli;

import dev.herald.config.HeraldConfig;
import dev.herald.store.EmbeddedPostgresServer;

/** The database a one-off command works on: HERALD_DATABASE_URL's, or the embedded one, started for the command. */
final class CommandDatabase implements AutoCloseable {
    private final String url;
    private final EmbeddedPostgresServer postgres;

    /** Stops the embedded server if the command is stopped by a signal: its postmaster outlives the JVM otherwise. */
    private final Thread onExit;

    private CommandDatabase(String url, EmbeddedPostgresServer postgres) {
        this.url = url;
        this.postgres = postgres;
        this.onExit = postgres == null ? null : new Thread(postgres::close, "herald-command-database");
        if (onExit != null) Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * {@code existing}: the embedded one only where it exists (reencrypt-secrets: a mistyped HERALD_DATA_DIR made a new
     * empty database, and a new key, and it reported "re-encrypted 0 secrets"). `herald migrate` may make one, as the
     * first step of a new host's deployment.
     */
    static CommandDatabase open(HeraldConfig config, boolean existing) {
        if (!config.embedded()) return new CommandDatabase(config.databaseUrl().get(), null);
        java.nio.file.Path pg = config.dataDir().resolve("pg");
        if (existing && !java.nio.file.Files.exists(pg.resolve("PG_VERSION"))) {
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
        if (postgres == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException stopping) {
            return; // the JVM is stopping: the hook closes it
        }
        postgres.close();
    }
}
