package dev.herald.app;

import dev.herald.api.ApiServer;
import dev.herald.api.AppResolver;
import dev.herald.api.ApplicationRoutes;
import dev.herald.api.Auth;
import dev.herald.api.EndpointListener;
import dev.herald.api.EndpointRoutes;
import dev.herald.api.EventTypeRoutes;
import dev.herald.api.HealthRoutes;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.domain.Ids;
import dev.herald.security.EncryptionKeyFile;
import dev.herald.security.SecretBox;
import dev.herald.security.Tokens;
import dev.herald.store.ApplicationStore;
import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.TokenStore;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Wiring only: builds every part from the configuration, starts them in order, stops them in reverse. */
public final class Herald implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final HeraldConfig config;
    private final Clock clock;
    private Database database;
    private ApiServer api;
    private EndpointStore endpointStore;

    public Herald(HeraldConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public Herald start(PrintStream out) {
        try {
            String url;
            byte[] encryptionKey;
            if (config.embedded()) {
                var postgres = EmbeddedPostgresServer.start(config.dataDir().resolve("pg"), config.embeddedDurable());
                started.add(postgres);
                url = postgres.jdbcUrl();
                encryptionKey = config.encryptionKey().orElseGet(() -> EncryptionKeyFile.loadOrCreate(config.dataDir()));
            } else {
                url = config.databaseUrl().get();
                encryptionKey = config.encryptionKey().orElseThrow(() -> new ConfigException(
                        "HERALD_ENCRYPTION_KEY: required with HERALD_DATABASE_URL (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)"));
            }
            try {
                database = Database.connect(url, 32);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("HERALD_DATABASE_URL: " + e.getMessage());
            }
            started.add(database);
            var jdbi = database.jdbi();
            var secretBox = new SecretBox(encryptionKey, config.oldEncryptionKeys());
            var apps = new ApplicationStore(jdbi);
            var eventTypes = new EventTypeStore(jdbi);
            endpointStore = new EndpointStore(jdbi, secretBox);
            var tokens = new TokenStore(jdbi);
            bootstrapAdminToken(tokens, out);

            var resolver = new AppResolver(apps);
            var auth = new Auth(tokens, config.adminToken(), clock);
            var applicationRoutes = new ApplicationRoutes(apps, resolver, clock);
            var eventTypeRoutes = new EventTypeRoutes(eventTypes, clock);
            var endpointRoutes = new EndpointRoutes(endpointStore, eventTypes, resolver, clock,
                    config.maxEndpointsPerApp(), host -> Optional.empty(), EndpointListener.NONE);
            var health = new HealthRoutes(jdbi);
            api = new ApiServer(config.httpAddress(), config.maxPayloadBytes() + 64L * 1024, auth, List.of(
                    health::register, applicationRoutes::register, eventTypeRoutes::register, endpointRoutes::register));
            api.start();
            started.add(api);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** With no HERALD_ADMIN_TOKEN and no admin token stored, one is made and shown once; only its hash is kept. */
    private void bootstrapAdminToken(TokenStore tokens, PrintStream out) {
        if (config.adminToken().isPresent() || tokens.anyAdminToken()) return;
        String token = Tokens.generate("sk_");
        if (tokens.insertFirstAdmin(Ids.next(Ids.TOKEN), Tokens.hash(token), clock.instant())) {
            out.println("Herald admin token (shown once, stored only as a hash): " + token);
        }
    }

    public int port() {
        return api.port();
    }

    public Database database() {
        return database;
    }

    public EndpointStore endpointStore() {
        return endpointStore;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Herald.class).warn("error while stopping: {}", e.toString());
            }
        }
        started.clear();
    }
}
