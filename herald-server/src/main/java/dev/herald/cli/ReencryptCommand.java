package dev.herald.cli;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.security.SecretBox;
import dev.herald.store.Database;
import dev.herald.store.EndpointStore;
import dev.herald.store.IntegrationStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "reencrypt-secrets", mixinStandardHelpOptions = true,
        description = "Re-encrypt every endpoint secret and custom headers, integration key, AutoConfig secret and kept answer"
                + " under HERALD_ENCRYPTION_KEY (old keys from HERALD_ENCRYPTION_KEYS_OLD). Brings the schema up to date first,"
                + " as a node's start does.")
public final class ReencryptCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return run(System.getenv(), System.out);
    }

    /** Re-seals every secret under the current key; returns the process exit code. */
    public static int run(java.util.Map<String, String> env, java.io.PrintStream out) {
        var config = HeraldConfig.fromEnvironment(env);
        try (var database = CommandDatabase.open(config, true)) {
            byte[] key = database.embedded()
                    ? config.encryptionKey().orElseGet(() -> dev.herald.app.Herald.dataDirectoryKey(config))
                    : config.encryptionKey().orElseThrow(() -> new ConfigException("HERALD_ENCRYPTION_KEY: required"));
            Database connected;
            try {
                connected = Database.connect(database.url(), 2, 1, config.databaseTimeout());
            } catch (RuntimeException e) {
                throw dev.herald.app.StartupErrors.connecting(e, config.embedded()); // one line, as serve says it
            }
            try (var db = connected) {
                var box = new SecretBox(key, config.oldEncryptionKeys());
                // a secret no key given opens: one line naming the setting, as serve says it, not a stack trace
                var unopened = dev.herald.store.SealingKeys.notOpenedBy(db.jdbi(), box);
                if (!unopened.isEmpty()) {
                    throw new ConfigException("HERALD_ENCRYPTION_KEYS_OLD: the database holds secrets sealed with key "
                            + String.join(", ", unopened) + ", which neither it nor HERALD_ENCRYPTION_KEY (key "
                            + box.currentKeyId() + ") holds: give the key that sealed them in HERALD_ENCRYPTION_KEYS_OLD");
                }
                var endpoints = new EndpointStore(db.jdbi(), box);
                int changed = endpoints.reencryptAll();
                int headers = endpoints.reencryptHeaders();
                int keys = new IntegrationStore(db.jdbi(), box).reencryptAll();
                int autoConfigs = new dev.herald.store.AutoConfigStore(db.jdbi(), box).reencryptAll();
                int answers = new dev.herald.store.IdempotencyStore(db.jdbi()).reencryptAnswers(box);
                out.println("re-encrypted " + changed + " secrets, " + headers + " endpoints' headers, " + keys + " integration keys, " + autoConfigs
                        + " AutoConfig secrets and " + answers + " answers kept under idempotency keys");
            }
            return 0;
        }
    }
}
