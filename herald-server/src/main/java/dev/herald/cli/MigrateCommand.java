package dev.herald.cli;

import dev.herald.config.HeraldConfig;
import dev.herald.store.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Bring the database's schema up to date and exit, for a deployment step"
                + " of its own; every node also does it as it starts.")
public final class MigrateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return run(System.getenv(), System.out);
    }

    /** Migrates HERALD_DATABASE_URL's database (or the embedded one); returns the process exit code. */
    public static int run(java.util.Map<String, String> env, java.io.PrintStream out) {
        var config = HeraldConfig.fromEnvironment(env);
        try (var database = CommandDatabase.open(config, false)) {
            Database.Migration migration;
            try {
                migration = Database.migrateOnly(database.url(), config.databaseTimeout());
            } catch (RuntimeException e) {
                // a URL that cannot be read, unreachable, missing, refused: one line naming the variable, as serve says it
                throw dev.herald.app.StartupErrors.connecting(e, config.embedded());
            }
            out.println("schema at version " + migration.version() + " (" + migration.applied() + " migrations applied now)");
            return 0;
        }
    }
}
