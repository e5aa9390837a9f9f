package dev.herald.app;

import dev.herald.api.ApiServer;
import dev.herald.api.AppResolver;
import dev.herald.api.ApplicationRoutes;
import dev.herald.api.AttemptRoutes;
import dev.herald.api.BackgroundTaskRoutes;
import dev.herald.api.Auth;
import dev.herald.api.EndpointListener;
import dev.herald.api.EndpointRoutes;
import dev.herald.api.EventTypeGate;
import dev.herald.api.EventTypeRoutes;
import dev.herald.api.HealthRoutes;
import dev.herald.api.Idempotency;
import dev.herald.api.MessageRoutes;
import dev.herald.api.TransformationRoutes;
import dev.herald.cli.HeraldCli;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.DeliveryRecorder;
import dev.herald.delivery.DeliveryRequests;
import dev.herald.delivery.Dispatcher;
import dev.herald.delivery.OperationalWebhooks;
import dev.herald.delivery.PublishBatcher;
import dev.herald.delivery.Publisher;
import dev.herald.delivery.RetryPolicy;
import dev.herald.delivery.SignedRequestFactory;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Ids;
import dev.herald.metrics.DeliveryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.herald.outbound.AddressGuard;
import dev.herald.routing.PayloadSchemaCache;
import dev.herald.outbound.HostResolver;
import dev.herald.outbound.WebhookClient;
import dev.herald.outbound.WebhookClientSettings;
import dev.herald.queue.DeliveryQueue;
import dev.herald.queue.QueueSignal;
import dev.herald.security.WebhookSecrets;
import dev.herald.security.EncryptionKeyFile;
import dev.herald.security.SecretBox;
import dev.herald.security.Tokens;
import dev.herald.store.ApplicationStore;
import dev.herald.store.AttemptStore;
import dev.herald.store.BackgroundTaskStore;
import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.store.EndpointHealthStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.IdempotencyStore;
import dev.herald.store.MessageStore;
import dev.herald.store.SealingKeys;
import dev.herald.store.TokenStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;

/** Wiring only: builds every part from the configuration, starts them in order, stops them in reverse. */
public final class Herald implements AutoCloseable {
    /** Below this a HERALD_ADMIN_TOKEN is warned about at start (a generated one is 46 characters). */
    static final int MIN_ADMIN_TOKEN_LENGTH = 24;

    private final List<AutoCloseable> started = new ArrayList<>();
    private final HeraldConfig config;
    /** Started whole: only such a node waits HERALD_SHUTDOWN_DELAY as it stops, not a start that failed. */
    private volatile boolean running;
    private final Clock clock;
    private final HostResolver hostResolver;
    private Database database;
    private ApiServer api;
    private Dispatcher dispatcher;
    private QueueSignal signal;
    private dev.herald.delivery.Janitor janitor;
    private HealthRoutes health;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DeliveryMetrics metrics = new DeliveryMetrics(registry);

    public Herald(HeraldConfig config, Clock clock) {
        this(config, clock, HostResolver.system());
    }

    /** {@code hostResolver} is the DNS seam: tests map names to addresses without real DNS. */
    public Herald(HeraldConfig config, Clock clock, HostResolver hostResolver) {
        this.config = config;
        // the system clock reads nanoseconds on Linux; what Herald answers and writes is to the microsecond
        this.clock = new MicrosecondClock(clock);
        this.hostResolver = hostResolver;
    }

    public Herald start(PrintStream out) {
        StartupErrors.requireFreeAddress(config.httpAddress());
        try {
            // settings read before the database is started: a mistake in one is told at once
            AddressGuard guard = setting("HERALD_WHITELIST_SUBNETS", () -> new AddressGuard(config.whitelistSubnets()));
            var svixTokens = setting("HERALD_JWT_SECRET",
                    () -> config.jwtSecret().map(secret -> new dev.herald.security.SvixJwt(secret, clock)).orElse(null));
            var bypass = setting("HERALD_NO_PROXY", () -> dev.herald.outbound.ProxyBypass.parse(config.noProxy()));
            var proxy = setting("HERALD_PROXY_URL",
                    () -> config.proxyUrl().map(proxyUrl -> dev.herald.outbound.OutboundProxy.parse(proxyUrl, bypass)).orElse(null));
            String url;
            byte[] encryptionKey;
            if (config.embedded()) {
                var postgres = startEmbedded(config, config.embeddedDurable());
                started.add(postgres);
                url = postgres.jdbcUrl();
                encryptionKey = config.encryptionKey().orElseGet(() -> dataDirectoryKey(config));
            } else {
                url = config.databaseUrl().get();
                encryptionKey = config.encryptionKey().orElseThrow(() -> new ConfigException(
                        "HERALD_ENCRYPTION_KEY: required with HERALD_DATABASE_URL (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)"));
            }
            if (proxy != null) org.slf4j.LoggerFactory.getLogger(Herald.class).info("webhook requests go through the proxy {}", proxy);
            try {
                database = Database.connect(url, config.databasePoolSize(), HeraldConfig.HOT_PATH_POOL_SIZE,
                        config.databaseTimeout(), registry);
            } catch (RuntimeException e) {
                throw StartupErrors.connecting(e, config.embedded());
            }
            started.add(database);
            var jdbi = database.jdbi();
            var secretBox = new SecretBox(encryptionKey, config.oldEncryptionKeys());
            requireKeysThatOpenTheSecrets(jdbi, secretBox);
            var apps = new ApplicationStore(jdbi);
            var eventTypes = new EventTypeStore(jdbi);
            var endpoints = new EndpointStore(jdbi, secretBox);
            int sealedNow = endpoints.sealPlaintextHeaders(); // rows written before V31; none after the first node's start
            if (sealedNow > 0) {
                org.slf4j.LoggerFactory.getLogger(Herald.class).info("sealed the custom headers of {} endpoints at rest", sealedNow);
            }
            var messages = new MessageStore(jdbi, database.hotPathJdbi(), clock);
            var attempts = new AttemptStore(jdbi);
            var tokens = new TokenStore(jdbi);
            bootstrapAdminToken(tokens, out);

            // outbound
            var client = new WebhookClient(WebhookClientSettings.defaults(HeraldCli.VERSION)
                    .withTotalTimeout(config.requestTimeout())
                    .withMaxConnectionsPerDestination(config.maxInFlight())
                    .withMaxRequestsQueued(config.maxInFlight() * 2)
                    .withHttpsOnly(config.endpointHttpsOnly())
                    .withTrustAnyCertificate(config.dangerousDisableTlsVerification())
                    .withProxy(proxy), guard, hostResolver);
            if (config.dangerousDisableTlsVerification()) {
                warn(out, "HERALD_DANGEROUS_DISABLE_TLS_VERIFICATION is true: https receivers' certificates are not"
                        + " checked, so whoever answers for an endpoint's name gets its signed payloads");
            }
            var urlPolicy = new dev.herald.outbound.UrlPolicy(guard, config.endpointHttpsOnly());
            started.add(client);
            var requests = new SignedRequestFactory(config.signatureHeaders());
            var operational = new OperationalWebhooks(config.operationalWebhookUrl(), config.operationalWebhookSecret(),
                    client, requests, clock);

            // queue and delivery
            signal = new QueueSignal(database.dataSource()).start();
            started.add(signal);
            var retryPolicy = new RetryPolicy(config.retrySchedule(), () -> ThreadLocalRandom.current().nextDouble());
            var queue = new DeliveryQueue(database.hotPathJdbi(), jdbi);
            // one group-commit writer: under load its batches grow (two writers halved them, and each batch costs
            // statements and round trips: 380 vs 473-504 µs of CPU per publish, BENCHMARKS.md run E)
            dispatcher = new Dispatcher(queue, endpoints, client, new DeliveryRequests(requests, urlPolicy),
                    onRecorded -> new DeliveryRecorder(queue, new EndpointHealthStore(), retryPolicy, clock,
                            config.disableAfter(), operational, metrics, onRecorded),
                    signal, clock, new Dispatcher.Settings(200, config.deliveryLease(), config.pollInterval(),
                    config.maxInFlight(), config.maxInFlightPerEndpoint(), config.shutdownTimeout(),
                    config.circuitBreakerFailures(), config.requestTimeout()), metrics,
                    new dev.herald.store.ThrottleStore(jdbi));
            if (config.deliveryPaused()) {
                // the switch every node obeys, which the API and the dashboard show and lift (a flag of this node's
                // own held it unseen: /resume did not reach it, and GET /api/v1/admin/pause said not paused)
                new dev.herald.store.PauseStore(jdbi).setDeliveryPaused(true, clock.instant());
                org.slf4j.LoggerFactory.getLogger(Herald.class).warn("delivery held on every node (HERALD_DELIVERY_PAUSED): POST /api/v1/admin/resume or the dashboard"
                        + " resumes it; every start of this node with the setting holds it again: unset it once delivery is to run");
            }
            io.micrometer.core.instrument.Gauge.builder("herald.endpoints.held", dispatcher, Dispatcher::heldLanes)
                    .description("endpoints whose circuit breaker is open on this node: their deliveries parked, one probe at a time")
                    .strongReference(true).register(registry);
            // deliveries due at once are written leased to this node and sent without a claim (BENCHMARKS.md, session 16)
            var batcher = new PublishBatcher(messages, 1, signal::published, dispatcher);
            started.add(batcher);
            var publisher = new Publisher(messages, batcher, signal, clock, retryPolicy.initialDelay());
            // operational events also go to the operational endpoints made through the API, as messages of Herald's own app
            var operationalApp = new dev.herald.delivery.OperationalApplication(apps, endpoints, clock,
                    Duration.ofDays(config.payloadRetentionDays())).start(publisher);
            started.add(operationalApp);
            operational.deliverThrough(operationalApp);

            // API
            var resolver = new AppResolver(apps);
            var auth = new Auth(tokens, config.adminToken(), clock, svixTokens);
            var idempotency = new Idempotency(new IdempotencyStore(jdbi), secretBox, clock);
            started.add(idempotency);
            var applicationRoutes = new ApplicationRoutes(apps, resolver, clock);
            var eventTypeGate = new EventTypeGate(eventTypes, new PayloadSchemaCache(), config.validatePayloads());
            var eventTypeRoutes = new EventTypeRoutes(eventTypes, eventTypeGate, clock);
            EndpointListener endpointEvents = (type, endpoint) -> operational.emit(type, endpointData(type, endpoint, apps));
            // the secret of an endpoint given none (HERALD_DEFAULT_SIGNATURE_TYPE); AutoConfig tokens always carry HMAC ones
            java.util.function.Supplier<String> newSecret = config.defaultSignatureType() == HeraldConfig.SignatureType.ED25519
                    ? WebhookSecrets::generateEd25519 : WebhookSecrets::generate;
            var endpointRoutes = new EndpointRoutes(endpoints, eventTypes, resolver, clock,
                    config.maxEndpointsPerApp(), urlPolicy, endpointEvents, newSecret);
            var operationalEndpointRoutes = EndpointRoutes.operational(endpoints, operationalApp::application,
                    OperationalWebhooks.TYPES, clock, config.maxEndpointsPerApp(), urlPolicy,
                    (type, endpoint) -> operationalApp.endpointsChanged(), newSecret);
            var taskRoutes = new BackgroundTaskRoutes(new BackgroundTaskStore(jdbi), clock, operational::emit);
            var pollers = new dev.herald.store.PollerStore(jdbi);
            var messageRoutes = new MessageRoutes(apps, resolver, applicationRoutes, messages, publisher, eventTypeGate,
                    idempotency, endpoints, pollers, taskRoutes, clock, config.payloadRetentionDays());
            var transformationRoutes = new TransformationRoutes(resolver, endpointRoutes, endpoints, clock, urlPolicy);
            var attemptRoutes = new AttemptRoutes(resolver, endpointRoutes, messageRoutes, endpoints, messages, attempts,
                    eventTypes, publisher, taskRoutes, clock, Duration.ofDays(config.payloadRetentionDays()));
            var statisticsRoutes = new dev.herald.api.StatisticsRoutes(apps, new dev.herald.store.UsageStatsStore(jdbi), taskRoutes);
            var connectors = new dev.herald.store.ConnectorStore(jdbi);
            var connectorRoutes = new dev.herald.api.ConnectorRoutes(connectors, clock, urlPolicy);
            var environmentRoutes = new dev.herald.api.EnvironmentRoutes(eventTypes, eventTypeRoutes, connectors, connectorRoutes, clock);
            var integrationRoutes = new dev.herald.api.IntegrationRoutes(resolver,
                    new dev.herald.store.IntegrationStore(jdbi, secretBox), auth, clock);

            var pollerRoutes = new dev.herald.api.PollerRoutes(resolver, pollers, tokens, auth, eventTypes::missing, clock);
            var publicUrl = new dev.herald.api.PublicUrl(config.publicUrl());
            var autoConfigRoutes = new dev.herald.api.AutoConfigRoutes(resolver,
                    new dev.herald.store.AutoConfigStore(jdbi, secretBox), endpointRoutes, endpoints, pollerRoutes, auth, clock,
                    config.maxEndpointsPerApp(), publicUrl);
            var health = new HealthRoutes(jdbi);
            this.health = health;
            var portalAccess = new dev.herald.api.PortalAccessRoutes(resolver, applicationRoutes, tokens, auth, clock, publicUrl);
            var portal = new dev.herald.portal.PortalRoutes(auth, resolver, endpointRoutes, messageRoutes, attemptRoutes,
                    portalAccess, taskRoutes, endpoints, messages, attempts, eventTypes, pollerRoutes, pollers,
                    autoConfigRoutes, transformationRoutes, connectors, clock,
                    config.disableAfter(), config.portalFrameAncestors());
            var pauseRoutes = new dev.herald.api.PauseRoutes(new dev.herald.store.PauseStore(jdbi), resolver, endpointRoutes, signal, clock);
            // Javalin tries a method's routes in the order registered, a regex each: publishing's comes first
            var healthStore = new dev.herald.store.HealthStore(jdbi);
            var healthGauges = new dev.herald.metrics.HealthGauges(healthStore, clock).register(registry);
            // leases and retries fall due by each node's own clock: one far from the others' is said out loud
            var clockOffset = new dev.herald.metrics.ClockOffset(jdbi, clock, config.deliveryLease()).register(registry).start();
            started.add(clockOffset);
            var dashboard = new dev.herald.portal.DashboardRoutes(auth, tokens, apps, resolver, portalAccess, pauseRoutes,
                    healthGauges, healthStore, connectorRoutes, connectors, eventTypeRoutes, eventTypes,
                    applicationRoutes, clockOffset, clock);
            var metricsRoute = (java.util.function.Consumer<io.javalin.config.RoutesConfig>) routes ->
                    routes.get("/metrics", new dev.herald.metrics.MetricsEndpoint(registry, config.metricsToken())::handle);
            // a worker-only node (HERALD_API_ENABLED=false) answers health and metrics alone, for its orchestrator
            api = new ApiServer(config.httpAddress(), config.maxPayloadBytes(), auth, idempotency, !config.apiEnabled()
                    ? List.of(health::register, metricsRoute) : List.of(
                    messageRoutes::register, health::register, applicationRoutes::register, eventTypeRoutes::register,
                    endpointRoutes::register, attemptRoutes::register, portalAccess::register, pauseRoutes::register,
                    transformationRoutes::register, taskRoutes::register, operationalEndpointRoutes::register, statisticsRoutes::register,
                    environmentRoutes::register, connectorRoutes::register, integrationRoutes::register, pollerRoutes::register, autoConfigRoutes::register,
                    new dev.herald.api.DestinationRoutes(resolver, pollerRoutes)::register,
                    portal::register,
                    dashboard::register,
                    metricsRoute));
            api.start();
            started.add(api);
            // an API-only node (HERALD_WORKER_ENABLED=false) sends nothing: not started, its dispatcher takes no leases,
            // so what it publishes is written due and the worker nodes, woken by the queue's NOTIFY, claim it
            if (config.workerEnabled()) {
                dispatcher.start();
                started.add(dispatcher);
            }
            janitor = new dev.herald.delivery.Janitor(new dev.herald.store.RetentionStore(jdbi),
                    new dev.herald.store.DeletePurge(jdbi), new dev.herald.store.PauseStore(jdbi), clock,
                    Duration.ofDays(config.retentionDays())).start(config.janitorInterval());
            started.add(janitor);
            running = true;
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Builds what a setting describes; a value it refuses stops startup in one line naming the variable. */
    private static <T> T setting(String variable, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable + ": " + e.getMessage());
        }
    }

    /**
     * The key in the data directory's {@code encryption.key}, made there the first time; a file that is damaged or
     * cannot be read stops the start in one line naming it (was a stack trace).
     */
    public static byte[] dataDirectoryKey(HeraldConfig config) {
        try {
            return EncryptionKeyFile.loadOrCreate(config.dataDir());
        } catch (IllegalStateException e) {
            throw new ConfigException("HERALD_DATA_DIR: " + e.getMessage());
        }
    }

    /** The embedded PostgreSQL in HERALD_DATA_DIR, which one process at a time may use (a second is refused in one line). */
    public static EmbeddedPostgresServer startEmbedded(HeraldConfig config, boolean durable) {
        try {
            return EmbeddedPostgresServer.start(config.dataDir().resolve("pg"), durable).superviseRestarts();
        } catch (dev.herald.store.DataDirectoryLock.InUseException | EmbeddedPostgresServer.NotStartedException e) {
            throw new ConfigException("HERALD_DATA_DIR: " + e.getMessage());
        }
    }

    /** Svix's Endpoint*EventData; a disabling through the API or the portal is the {@code manual} trigger. */
    private static java.util.Map<String, Object> endpointData(String type, Endpoint e, ApplicationStore apps) {
        var data = new LinkedHashMap<String, Object>();
        data.put("appId", e.appId());
        data.put("appUid", apps.find(e.appId()).map(dev.herald.domain.Application::uid).orElse(null));
        data.put("endpointId", e.id());
        data.put("endpointUid", e.uid());
        if (type.equals("endpoint.disabled")) {
            data.put("failSince", null);
            data.put("trigger", "manual");
        }
        return data;
    }

    /**
     * With no HERALD_ADMIN_TOKEN and no admin token stored, one is made and shown once; only its hash is kept. A short
     * HERALD_ADMIN_TOKEN is taken (a local trial may use one) but said out loud: it opens every application.
     */
    /** Refuses to start with keys that cannot open the secrets already in the database (named by key id, never by key). */
    private void requireKeysThatOpenTheSecrets(Jdbi jdbi, SecretBox secretBox) {
        var unopened = SealingKeys.notOpenedBy(jdbi, secretBox);
        if (unopened.isEmpty()) return;
        String given = config.encryptionKey().isPresent() ? "HERALD_ENCRYPTION_KEY" : "the data directory's encryption.key";
        throw new ConfigException("HERALD_ENCRYPTION_KEY: the database holds secrets sealed with key " + String.join(", ", unopened)
                + ", which this node does not have (its key, from " + given + ", is " + secretBox.currentKeyId()
                + "; HERALD_ENCRYPTION_KEYS_OLD adds old ones): start every node on this database with the key that sealed them");
    }

    /**
     * A warning about a setting, on the console of whoever started the node and in its log: a log shipper (stderr,
     * HERALD_LOG_FORMAT=json) never saw the ones printed only to stdout.
     */
    private static void warn(PrintStream out, String warning) {
        out.println("WARNING: " + warning);
        org.slf4j.LoggerFactory.getLogger(Herald.class).warn(warning);
    }

    private void bootstrapAdminToken(TokenStore tokens, PrintStream out) {
        config.adminToken().filter(t -> t.length() < MIN_ADMIN_TOKEN_LENGTH).ifPresent(t -> warn(out,
                "HERALD_ADMIN_TOKEN is " + t.length() + " characters long; it opens every application, so use at"
                        + " least " + MIN_ADMIN_TOKEN_LENGTH + " random ones (`openssl rand -hex 24`) anywhere but a local trial"));
        if (config.adminToken().isPresent() || tokens.anyAdminToken()) return;
        String token = Tokens.generate("sk_");
        if (tokens.insertFirstAdmin(Ids.next(Ids.TOKEN), Tokens.hash(token), clock.instant())) {
            out.println("Herald admin token (shown once, stored only as a hash): " + token);
        }
    }

    public int port() {
        return api.port();
    }

    public DeliveryMetrics metrics() {
        return metrics;
    }

    public Database database() {
        return database;
    }

    /** Runs one retention sweep now (tests call it after moving their clock). */
    public dev.herald.store.RetentionStore.Swept runRetention() {
        return janitor.runOnce();
    }

    /** Makes the dispatcher look for due work now (tests call it after moving their clock). */
    public void wakeDispatcher() {
        signal.wake();
    }

    /**
     * HERALD_SHUTDOWN_DELAY: the node goes on serving and sending, its readiness already a 503, so that a load balancer
     * takes it out of rotation before its listener closes (what a Kubernetes preStop sleep is for). Without it an
     * API-only node closed its listener at once, and requests still routed to it were refused.
     */
    private static void awaitShutdownDelay(Duration delay) {
        if (delay.isZero()) return;
        org.slf4j.LoggerFactory.getLogger(Herald.class).info(
                "stopping in {} ms (HERALD_SHUTDOWN_DELAY): readiness answers 503, requests are still served", delay.toMillis());
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop at once: stop now
        }
    }

    @Override
    public void close() {
        if (health != null) health.stopping(); // before anything stops: readiness says so while the node drains
        // a worker-only node serves no API a balancer routes to (its listener has health and metrics only)
        if (running && config.apiEnabled()) awaitShutdownDelay(config.shutdownDelay());
        running = false;
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
