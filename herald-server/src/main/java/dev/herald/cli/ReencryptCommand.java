package dev.herald.cli;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.security.EncryptionKeyFile;
import dev.herald.security.SecretBox;
import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.store.EndpointStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "reencrypt-secrets", mixinStandardHelpOptions = true,
        description = "Re-encrypt every endpoint secret under HERALD_ENCRYPTION_KEY (old keys from HERALD_ENCRYPTION_KEYS_OLD).")
public final class ReencryptCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return run(System.getenv(), System.out);
    }

    /** Re-seals every secret under the current key; returns the process exit code. */
    public static int run(java.util.Map<String, String> env, java.io.PrintStream out) {
        var config = HeraldConfig.fromEnvironment(env);
        EmbeddedPostgresServer postgres = null;
        try {
            String url;
            byte[] key;
            if (config.embedded()) {
                postgres = EmbeddedPostgresServer.start(config.dataDir().resolve("pg"), true);
                url = postgres.jdbcUrl();
                key = config.encryptionKey().orElseGet(() -> EncryptionKeyFile.loadOrCreate(config.dataDir()));
            } else {
                url = config.databaseUrl().get();
                key = config.encryptionKey().orElseThrow(() -> new ConfigException("HERALD_ENCRYPTION_KEY: required"));
            }
            try (var db = Database.connect(url, 2, 1)) {
                int changed = new EndpointStore(db.jdbi(), new SecretBox(key, config.oldEncryptionKeys())).reencryptAll();
                out.println("re-encrypted " + changed + " secrets");
            }
            return 0;
        } finally {
            if (postgres != null) postgres.close();
        }
    }
}
