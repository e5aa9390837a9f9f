package dev.herald.cli;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.store.EmbeddedBackup;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Copy the embedded database (HERALD_DATA_DIR) into a new directory that `herald serve --data-dir`"
                + " starts as it is; while Herald runs, it goes on publishing and delivering.")
public final class BackupCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "the data directory to copy (HERALD_DATA_DIR), default ./data")
    String dataDir;

    @Option(names = "--to", required = true, description = "a new or empty directory for the copy")
    Path to;

    @Override
    public Integer call() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (dataDir != null) env.put("HERALD_DATA_DIR", dataDir);
        return run(env, to, System.out);
    }

    /** Copies the embedded database named by {@code env} into {@code to}; returns the process exit code. */
    public static int run(Map<String, String> env, Path to, java.io.PrintStream out) {
        var config = HeraldConfig.fromEnvironment(env);
        if (!config.embedded()) {
            throw new ConfigException("HERALD_DATABASE_URL: `herald backup` copies the embedded database; back up an"
                    + " external PostgreSQL with its own tools (pg_basebackup, pg_dump)");
        }
        EmbeddedBackup.Copied copied;
        try {
            copied = EmbeddedBackup.copy(config.dataDir(), to);
        } catch (dev.herald.store.DataDirectoryLock.InUseException e) {
            throw new ConfigException("HERALD_DATA_DIR: " + config.dataDir().toAbsolutePath() + " is in use by a Herald"
                    + " starting or stopping; try again");
        } catch (java.io.IOException | java.sql.SQLException | RuntimeException e) {
            throw new ConfigException("backup: " + e.getMessage()); // printed after "herald: "
        }
        // a node keyed by HERALD_ENCRYPTION_KEY has no key file to copy: the copy opens no secret without that key
        String key = config.encryptionKey().isEmpty() && java.nio.file.Files.exists(to.resolve("encryption.key"))
                ? "it holds the encryption key: keep it as safe as the data directory"
                : "it does not hold the encryption key (HERALD_ENCRYPTION_KEY): keep that key with it, and start it with it set";
        out.printf("%s copied to %s (%s, %d MB%s); %s. Start it with: herald serve --data-dir %s%n",
                config.dataDir().toAbsolutePath(), to.toAbsolutePath(), copied.online() ? "while the server ran" : "the server stopped",
                copied.bytes() >> 20, copied.online() ? ", " + copied.walSegments() + " WAL segments" : "", key,
                shellWord(to.toAbsolutePath().toString()));
        return 0;
    }

    /** {@code path} as a shell reads it back: quoted when it holds anything but plain path characters. */
    static String shellWord(String path) {
        if (path.matches("[A-Za-z0-9_./,:+@%=-]+")) return path;
        return "'" + path.replace("'", "'\\''") + "'";
    }
}
