package dev.herald.bench;

import dev.herald.app.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.delivery.SignedRequestFactory;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.outbound.AddressGuard;
import dev.herald.outbound.HostResolver;
import dev.herald.outbound.OutboundRequest;
import dev.herald.outbound.WebhookClient;
import dev.herald.outbound.WebhookClientSettings;
import dev.herald.queue.ClaimedDelivery;
import dev.herald.queue.CompletedDelivery;
import dev.herald.queue.DeliveryQueue;
import dev.herald.security.WebhookSecrets;
import dev.herald.store.MessageStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Each scenario of the harness: set up on a clean database, measure, add rows to the report. */
final class Scenarios {
    /**
     * @param applications of scenario 1d, one endpoint each
     * @param concurrency publishes in flight in the closed-loop scenarios (to one endpoint each; see {@link #concurrency(int)})
     */
    record Settings(int messages, int fanoutMessages, int applications, Duration latencyPhase, int[] rates, Duration phase,
                    int backlogSmall, int backlogLarge, int backlogLeadIn, int peerMessages, boolean isolation, int concurrency) {}

    static final int SQL_LIMIT_BACKLOG = 20_000;
    /**
     * Messages per publishing transaction of the SQL limit: scenario 1's group-commit batches hold 80–100 (50 until
     * session 22, which made the limit 5–20% slower than what Herald's own batches cost).
     */
    static final int SQL_LIMIT_PUBLISH_BATCH = 100;
    /** How long a caught-up record loop of the SQL limit waits before it looks again. */
    static final long SQL_LIMIT_IDLE_WAIT_NANOS = 1_000_000;
    /**
     * Publishes in flight by default, to one endpoint each. Until session 19 it was 64, at which the one-endpoint
     * scenarios left batches small: alternating in one JVM, scenario 1 sustained 14–91% more at 256 (median 36%) with less
     * CPU per delivery, and less at 512 (BENCHMARKS.md, session 20). Scenario 1f keeps measuring 64.
     */
    static final int PUBLISH_CONCURRENCY = 256;
    /**
     * Publishes in flight at least, and the setting of sessions 1–19 (scenario 1f). Messages to several endpoints keep
     * {@code --concurrency} deliveries in flight, but not fewer publishes than this: isolation's healthy-only runs at 256
     * publishes (1,024 deliveries) in flight had 57–63% of their deliveries left to claims and a p99 of 6 s.
     */
    static final int EARLIER_CONCURRENCY = 64;
    static final String PAYLOAD = "{\"t\":0,\"pad\":\"" + "x".repeat(380) + "\"}";

    private final BenchEnvironment env;
    private final BenchReceiver receiver;
    private final ApiPublisher publisher;
    private final AdminApi admin;
    private final Report report;
    private final Settings settings;

    Scenarios(BenchEnvironment env, BenchReceiver receiver, ApiPublisher publisher, AdminApi admin, Report report, Settings settings) {
        this.env = env;
        this.receiver = receiver;
        this.publisher = publisher;
        this.admin = admin;
        this.report = report;
        this.settings = settings;
    }

    private void reset() {
        env.stopNodes();
        printStatements();
        checkSigned();
        env.clean();
        receiver.reset();
        publisher.resetCounts();
    }

    /** Every request the last scenario counted was a signed delivery: one that was not fails the run. */
    void checkSigned() {
        long unsigned = receiver.takeUnsigned();
        if (unsigned > 0) throw new IllegalStateException(unsigned + " requests to /ok were unsigned or unreadable");
    }

    /** With {@code --pg-stats}: where the database's time went since the previous scenario began. */
    void printStatements() {
        var top = env.topStatements(12);
        if (top.isEmpty()) return;
        System.out.println("    database time since the previous scenario began:");
        top.forEach(line -> System.out.println("      " + line));
        env.resetStatements();
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("scenario did not finish within " + timeout);
            Thread.sleep(20);
        }
    }

    private static String base(Herald node) {
        return "http://127.0.0.1:" + node.port();
    }

    /** A throughput run's figure, and the CPU its JIT compilers took per delivery (how warm the JVM was). */
    record Throughput(double rate, double jitMicrosPerDelivery) {}

    /** 1. Sustained end-to-end throughput: publish over the API → signed request received → attempt recorded. */
    Throughput throughput(int endpoints, int messages) throws Exception {
        return throughput(endpoints, messages, "1. throughput, " + endpoints + " endpoint(s)/msg", concurrency(endpoints));
    }

    Throughput throughput(int endpoints, int messages, String label) throws Exception {
        return throughput(endpoints, messages, label, concurrency(endpoints));
    }

    /** 1f. Scenario 1 with 64 publishes in flight, the load generator's setting until session 19. */
    Throughput throughputAtEarlierConcurrency(int messages) throws Exception {
        return throughput(1, messages, "1f. throughput, 1 endpoint, " + EARLIER_CONCURRENCY + " in flight (sessions 1-19)",
                EARLIER_CONCURRENCY);
    }

    /**
     * 1e. Scenario 1 as the Svix SDKs publish: every POST they send carries an idempotency-key of its own ("auto_" + a
     * UUID), which Herald must claim and answer (BENCHMARKS.md, session 19).
     */
    Throughput throughputWithIdempotencyKeys(int messages) throws Exception {
        boolean before = publisher.sendsIdempotencyKeys();
        publisher.sendIdempotencyKeys(true);
        try {
            return throughput(1, messages, "1e. throughput, 1 endpoint, an idempotency-key per publish (as the Svix SDKs send)",
                    settings.concurrency());
        } finally {
            publisher.sendIdempotencyKeys(before);
        }
    }

    private Throughput throughput(int endpoints, int messages, String label, int concurrency) throws Exception {
        reset();
        Herald node = env.startNode(Map.of());
        String app = admin.createApp(node, "tp");
        for (int k = 0; k < endpoints; k++) admin.createEndpoint(node, app, receiver.url("/ok/" + k));
        var maintenance = env.maintenanceCounts();
        var answers = new LatencyRecorder();
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        publisher.closedLoop(base(node), BenchEnvironment.TOKEN, i -> app, messages, concurrency, answers);
        double publishSeconds = (System.nanoTime() - start) / 1e9;
        long expected = (long) messages * endpoints;
        await(Duration.ofMinutes(10), () -> receiver.count("/ok") >= expected && env.pendingDeliveries() == 0);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = expected / seconds;
        var used = cpu.used();
        report.add(label, "deliveries/s, publish→recorded", Report.rate(rate),
                String.format("%,d msgs, %,d deliveries in %.1f s; publishes %,.0f/s, %d in flight, %s; %d refused; %d sent twice; %s; %s; %s",
                        messages, expected, seconds, messages / publishSeconds, concurrency, answerTimes(answers),
                        publisher.refused(), receiver.duplicates(), leasedShare(node, expected),
                        used.perUnit(expected, "delivery"), env.maintenanceCounts().since(maintenance)));
        return new Throughput(rate, used.jitSeconds() * 1e6 / expected);
    }

    /** Publishes in flight for messages to {@code endpoints} endpoints each: {@code --concurrency} deliveries, at least 64 publishes. */
    private int concurrency(int endpoints) {
        return Math.max(EARLIER_CONCURRENCY, settings.concurrency() / endpoints);
    }

    /** The API's answer times of a closed loop: with more in flight than Herald batches at once, requests queue. */
    private static String answerTimes(LatencyRecorder answers) {
        var a = answers.summary();
        return String.format("API answer p50 / p99 %.1f / %.1f ms", a.p50(), a.p99());
    }

    /**
     * 1d. Many tenants: scenario 1 with the messages spread round robin over {@code applications} applications of one
     * endpoint each, so the node sends to that many endpoints (each with its own lane, secret and health) instead of one.
     */
    double manyApplications(int applications, int messages) throws Exception {
        reset();
        Herald node = env.startNode(Map.of());
        String[] apps = createTenants(node, applications);
        var maintenance = env.maintenanceCounts();
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        publisher.closedLoop(base(node), BenchEnvironment.TOKEN, i -> apps[i % apps.length], messages, settings.concurrency());
        await(Duration.ofMinutes(10), () -> receiver.count("/ok") >= messages && env.pendingDeliveries() == 0);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = messages / seconds;
        report.add(String.format("1d. throughput, %,d applications", applications), "deliveries/s, publish→recorded", Report.rate(rate),
                String.format("one endpoint each, %,d msgs round robin in %.1f s; %d refused; %s; %s; %s", messages, seconds,
                        publisher.refused(), leasedShare(node, messages), cpu.used().perUnit(messages, "delivery"),
                        env.maintenanceCounts().since(maintenance)));
        return rate;
    }

    /** The share of a scenario's deliveries its (fresh) node sent without claiming them: leased as they were published. */
    private static String leasedShare(Herald node, long deliveries) {
        return String.format("%.0f%% leased at publish", 100.0 * node.metrics().leasedAtPublishCount() / deliveries);
    }

    /** {@code count} applications with one endpoint each (on the receiver), created over the API 32 at a time. */
    private String[] createTenants(Herald node, int count) throws Exception {
        var apps = new String[count];
        var failure = new AtomicReference<Throwable>();
        try (var creators = Executors.newVirtualThreadPerTaskExecutor()) {
            var slots = new Semaphore(32);
            for (int k = 0; k < count && failure.get() == null; k++) {
                int index = k;
                slots.acquire();
                creators.submit(() -> {
                    try {
                        apps[index] = admin.createApp(node, "tenant-" + index);
                        admin.createEndpoint(node, apps[index], receiver.url("/ok/" + index));
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        if (failure.get() != null) throw new IllegalStateException("could not create the applications", failure.get());
        return apps;
    }

    /**
     * 1c. The API alone: publishes per second with nothing delivered (what the publish path can take): an API-only node,
     * which takes no leases and makes no claims. Until session 45 the node was started with HERALD_DELIVERY_PAUSED,
     * then a switch of the node's own with the same effect; it now holds every node through the database, and the
     * node would make an empty claim per publish batch.
     */
    double publishOnly(int messages) throws Exception {
        reset();
        Herald node = env.startNode(Map.of("HERALD_WORKER_ENABLED", "false"));
        String app = admin.createApp(node, "pub");
        admin.createEndpoint(node, app, receiver.url("/ok/pub"));
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        publisher.closedLoop(base(node), BenchEnvironment.TOKEN, i -> app, messages, settings.concurrency());
        double rate = messages / ((System.nanoTime() - start) / 1e9);
        report.add("1c. publish only (an API-only node)", "publishes/s over the API", Report.rate(rate),
                String.format("%,d msgs, %d in flight over %s; %d refused; %s", messages, settings.concurrency(), publisher.protocol(), publisher.refused(),
                        cpu.used().perUnit(messages, "publish")));
        return rate;
    }

    /**
     * 1g. Scenario 1c with a polling endpoint on the application: each message also writes the poller's entry, in the
     * same statement. Then 1h: the whole poller read back through Svix's poller route, 250 a page, as a consumer would;
     * and 1i: read again by a leased consumer (Svix's second poller), committing each page.
     */
    void polling(int messages) throws Exception {
        reset();
        Herald node = env.startNode(Map.of("HERALD_WORKER_ENABLED", "false")); // nothing delivered, as 1c
        String app = admin.createApp(node, "poll");
        admin.createEndpoint(node, app, receiver.url("/ok/poll"));
        String poller = admin.createPoller(node, app);
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        publisher.closedLoop(base(node), BenchEnvironment.TOKEN, i -> app, messages, settings.concurrency());
        double rate = messages / ((System.nanoTime() - start) / 1e9);
        report.add("1g. publish only, with a polling endpoint", "publishes/s over the API", Report.rate(rate),
                String.format("%,d msgs, %d in flight; %d refused; %s; compare 1c", messages, settings.concurrency(),
                        publisher.refused(), cpu.used().perUnit(messages, "publish")));
        long readStart = System.nanoTime();
        var readCpu = CpuMeter.start();
        long read = 0;
        int pages = 0;
        String iterator = null;
        while (read < publisher.accepted()) {
            var page = admin.poll(node, app, poller, iterator);
            read += page.path("data").size();
            iterator = page.path("iterator").asText();
            pages++;
            if (page.path("data").isEmpty()) break;
        }
        double seconds = (System.nanoTime() - readStart) / 1e9;
        report.add("1h. polling endpoint read back", "messages/s read", Report.rate(read / seconds),
                String.format("%,d of %,d messages in %,d pages of up to 250 over HTTP/1.1, one reader; %s", read,
                        publisher.accepted(), pages, readCpu.used().perUnit(Math.max(1, read), "message")));
        if (read < publisher.accepted()) throw new IllegalStateException("the poller gave " + read + " of " + publisher.accepted());

        // 1i: the same entries read by a leased consumer, which commits each page before leasing the next
        long leaseStart = System.nanoTime();
        var leaseCpu = CpuMeter.start();
        long leased = 0;
        int leasedPages = 0;
        while (leased < publisher.accepted()) {
            var page = admin.lease(node, app, poller, "bench");
            var data = page.path("data");
            if (data.isEmpty()) break;
            leased += data.size();
            leasedPages++;
            admin.commit(node, app, poller, "bench", data.get(data.size() - 1).path("offset").asLong());
        }
        double leaseSeconds = (System.nanoTime() - leaseStart) / 1e9;
        report.add("1i. polling endpoint read by a leased consumer", "messages/s read and committed",
                Report.rate(leased / leaseSeconds),
                String.format("%,d of %,d messages in %,d leased pages of up to 250, each committed; %s; compare 1h", leased,
                        publisher.accepted(), leasedPages, leaseCpu.used().perUnit(Math.max(1, leased), "message")));
        if (leased < publisher.accepted()) throw new IllegalStateException("the lease gave " + leased + " of " + publisher.accepted());
    }

    /**
     * Offered first, unmeasured, to a node just started: in its first few hundred milliseconds under load deliveries
     * stall by 150-500 ms (cause not found; BENCHMARKS.md run G), which is not the steady state.
     */
    static final Duration LATENCY_LEAD_IN = Duration.ofSeconds(3);

    /** 2. Publish-to-receipt latency at a fixed offered rate, after a lead-in at that rate (reported apart). */
    LatencyRecorder.Summary latency(int rate) throws Exception {
        reset();
        Herald node = env.startNode(Map.of());
        String app = admin.createApp(node, "lat");
        admin.createEndpoint(node, app, receiver.url("/ok/lat"));
        var coldStart = new LatencyRecorder();
        receiver.recordLatencies(coldStart);
        var coldAnswers = new LatencyRecorder();
        publisher.openLoop(base(node), BenchEnvironment.TOKEN, app, rate, LATENCY_LEAD_IN, coldAnswers);
        await(Duration.ofMinutes(2), () -> receiver.count("/ok") >= publisher.accepted());
        receiver.reset();
        publisher.resetCounts();

        var recorder = new LatencyRecorder();
        var answers = new LatencyRecorder();
        receiver.recordLatencies(recorder);
        var pauses = GcPauses.start();
        var maintenance = env.maintenanceCounts();
        var stalls = StallMeter.start();
        publisher.openLoop(base(node), BenchEnvironment.TOKEN, app, rate, settings.latencyPhase(), answers);
        long offered = settings.latencyPhase().toSeconds() * rate;
        await(Duration.ofMinutes(2), () -> receiver.count("/ok") >= publisher.accepted());
        stalls.close();
        String gc = pauses.since();
        pauses.close();
        var s = recorder.summary();
        var a = answers.summary();
        var c = coldStart.summary();
        var ca = coldAnswers.summary();
        var maintenanceAfter = env.maintenanceCounts();
        report.add("2. latency at " + rate + "/s offered", "publish→receipt p50 / p99 / max",
                Report.ms(s.p50()) + " / " + Report.ms(s.p99()), String.format("max %.1f ms; API answer p50 / p99 %.1f / %.1f ms; "
                        + "%s; %s; %s; %s; %,d of %,d offered received; "
                        + "%,d not sent (512 already waiting); the %d s before (node just started, not counted): p99 %.1f ms, max %.1f ms, API answer p99 %.1f ms",
                        s.max(), a.p50(), a.p99(), recorder.tailConcentration(3), stalls.summary(), gc,
                        maintenanceAfter.since(maintenance),
                        s.count(), offered, publisher.skipped(), LATENCY_LEAD_IN.toSeconds(), c.p99(), c.max(), ca.p99()));
        return s;
    }

    /**
     * Rounds of the isolation scenario. With one (four runs) the figure kept moved between 76% and 103% in one hour of
     * session 17, for the same code: single runs of 20,000 messages moved ±15% with the host.
     */
    static final int ISOLATION_ROUNDS = 2;

    /**
     * 3. Isolation: healthy endpoints beside one 5-second endpoint and one always-500 endpoint. Runs without and with
     * the bad ones alternate (without, with, with, without; {@link #ISOLATION_ROUNDS} times), so that the host's drift
     * over a minute, often ±15% here, falls on both alike; each figure is its runs together. Healthy deliveries' CPU
     * is printed beside: on a saturated machine the throughput kept is about the inverse of its ratio, and it moves
     * less than rates do.
     * {@code messages} per run; {@code deadBacklog} deliveries already due for the failing endpoint when a run with the
     * bad ones starts (0 in the standard run: a dead endpoint that has piled up work).
     */
    void isolation(int messages, int deadBacklog) throws Exception {
        var baseline = new ArrayList<IsolationRun>();
        var withBad = new ArrayList<IsolationRun>();
        for (int round = 0; round < ISOLATION_ROUNDS; round++) {
            baseline.add(isolationRun(messages, false, 0));
            withBad.add(isolationRun(messages, true, deadBacklog));
            withBad.add(isolationRun(messages, true, deadBacklog));
            baseline.add(isolationRun(messages, false, 0));
        }
        var base = IsolationRun.pooled(baseline);
        var bad = IsolationRun.pooled(withBad);
        report.add("3. isolation: healthy only", "healthy deliveries/s, p99", Report.rate(base.rate()) + ", " + Report.ms(base.p99()),
                String.format("4 healthy endpoints; %d runs of %,d msgs, healthy deliveries/s (share leased at publish; JIT per healthy delivery): %s; CPU per healthy delivery %s%s",
                        baseline.size(), messages, IsolationRun.rates(baseline), base.cpuNote(), base.failedNote()));
        String badLabel = deadBacklog == 0 ? "3. isolation: + slow + failing"
                : String.format("3. isolation: + slow + failing (%,d due)", deadBacklog);
        report.add(badLabel, "healthy deliveries/s, p99", Report.rate(bad.rate()) + ", " + Report.ms(bad.p99()),
                String.format("healthy throughput %.0f%% of baseline (runs: %s); CPU per healthy delivery %s "
                                + "(%.0f%% of it without the bad ones); requests meanwhile: %,d to the failing endpoint, %,d to the slow one%s",
                        100 * bad.rate() / base.rate(), IsolationRun.rates(withBad), bad.cpuNote(),
                        100 * base.cpuMicrosPerDelivery() / bad.cpuMicrosPerDelivery(), bad.failing(), bad.slow(), bad.failedNote()));
    }

    /**
     * One isolation run: healthy deliveries and their time, their p99, CPU used, requests to the bad endpoints, and the
     * healthy endpoints' failed attempts with one of their reasons (a healthy delivery late by a request timeout shows
     * here, one late for another cause does not).
     */
    private record IsolationRun(long healthy, double seconds, double p99, double cpuSeconds, double jvmSeconds, double jitSeconds,
                                long failing, long slow, long healthyFailed, String failedReason, long unpaced, long leased) {
        String failedNote() {
            String failed = healthyFailed == 0 ? "; no healthy attempt failed"
                    : String.format("; %,d healthy attempts failed (e.g. %s)", healthyFailed, failedReason);
            // a lane found slow for a moment (e.g. no answer in its first second) and fast again
            return failed + (unpaced == 0 ? "" : String.format("; %,d paced deliveries made due again", unpaced));
        }

        double rate() {
            return healthy / seconds;
        }

        double cpuMicrosPerDelivery() {
            return cpuSeconds * 1e6 / healthy;
        }

        /**
         * "229 µs (JVM 130 µs, JIT 3 µs)": the machine's CPU per healthy delivery, the benchmark JVM's share of it, and
         * of that the JIT compilers'.
         */
        String cpuNote() {
            return String.format("%.0f µs (JVM %.0f µs, JIT %.0f µs)", cpuMicrosPerDelivery(), jvmSeconds * 1e6 / healthy,
                    jitSeconds * 1e6 / healthy);
        }

        /** Runs as one: their deliveries over their time together (the p99 is the largest). */
        static IsolationRun pooled(List<IsolationRun> runs) {
            var all = new IsolationRun(0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, 0);
            for (var r : runs) {
                all = new IsolationRun(all.healthy + r.healthy, all.seconds + r.seconds, Math.max(all.p99, r.p99),
                        all.cpuSeconds + r.cpuSeconds, all.jvmSeconds + r.jvmSeconds, all.jitSeconds + r.jitSeconds,
                        all.failing + r.failing, all.slow + r.slow,
                        all.healthyFailed + r.healthyFailed, all.failedReason != null ? all.failedReason : r.failedReason,
                        all.unpaced + r.unpaced, all.leased + r.leased);
            }
            return all;
        }

        /**
         * "8,650 (97%; JIT 2 µs), 8,722 (88%; JIT 1 µs), …": each run's healthy rate, in the order run, its share of
         * deliveries leased at publish (a healthy delivery not leased waits for a claim, which costs more), and the JIT
         * compilers' CPU per healthy delivery (code first run in it is compiled while it is measured).
         */
        static String rates(List<IsolationRun> runs) {
            return runs.stream().map(r -> String.format("%,.0f (%.0f%%; JIT %.0f µs)", r.rate(), 100.0 * r.leased / r.healthy,
                            r.jitSeconds * 1e6 / r.healthy))
                    .collect(Collectors.joining(", "));
        }
    }

    /**
     * A run with the bad endpoints and one without, not measured. Unwarmed, the first run with them compiled the paths
     * only they take (failed results, retries, the breaker, pacing and parking, claims that leave endpoints out) while
     * it was measured: session 25 profiled one, where the C2 compiler took 1,989 of 16,235 samples (386 of 14,226 in a
     * healthy-only run). The healthy-only run after it recompiled the healthy path (16 µs of compiler CPU per healthy
     * delivery against 2-5 in the others), so it is warmed again last.
     */
    void isolationWarmUp(int messages, int deadBacklog) throws Exception {
        isolationRun(messages, true, deadBacklog);
        isolationRun(messages, false, 0);
    }

    private IsolationRun isolationRun(int messages, boolean bad, int deadBacklog) throws Exception {
        reset();
        Herald node = env.startNode(Map.of());
        String app = admin.createApp(node, "iso");
        for (int k = 0; k < 4; k++) admin.createEndpoint(node, app, receiver.url("/ok/" + k));
        if (bad) {
            admin.createEndpoint(node, app, receiver.url("/slow"));
            String failing = admin.createEndpoint(node, app, receiver.url("/fail"));
            if (deadBacklog > 0) queueDue(app, failing, "msg_dead", deadBacklog);
        }
        var recorder = new LatencyRecorder();
        receiver.recordLatencies(recorder);
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        publisher.closedLoop(base(node), BenchEnvironment.TOKEN, i -> app, messages, concurrency(4));
        await(Duration.ofMinutes(5), () -> receiver.count("/ok") >= 4L * messages);
        double seconds = (System.nanoTime() - start) / 1e9;
        var used = cpu.used();
        var failed = env.jdbi().withHandle(h -> h.createQuery("""
                        select count(*) as n, min(coalesce(error_message, 'HTTP ' || response_status_code)) as reason
                        from attempt where url like '%/ok/%' and status <> :success""")
                .bind("success", DeliveryStatus.SUCCESS)
                .map((rs, ctx) -> Map.entry(rs.getLong("n"), String.valueOf(rs.getString("reason")))).one());
        return new IsolationRun(4L * messages, seconds, recorder.summary().p99(), used.machineSeconds(), used.jvmSeconds(),
                used.jitSeconds(), receiver.count("/fail"), receiver.count("/slow"),
                failed.getKey(), failed.getKey() == 0 ? null : failed.getValue(), (long) node.metrics().unpacedCount(),
                (long) node.metrics().leasedAtPublishCount());
    }

    /** Rounds of the backlog scenario: small and large alternate, so the host's drift over minutes falls on both. */
    static final int BACKLOG_ROUNDS = 2;

    /** 4. Draining a backlog of due deliveries: claim latency, delivery rate and memory, small vs large. */
    void backlog() throws Exception {
        var small = new BacklogDrain();
        var large = new BacklogDrain();
        for (int round = 0; round < BACKLOG_ROUNDS; round++) {
            backlogRun(settings.backlogSmall(), small);
            backlogRun(settings.backlogLarge(), large);
        }
        var smallClaims = small.claims.summary();
        var largeClaims = large.claims.summary();
        String rounds = String.format("%d rounds alternating, each after a lead-in of %,d", BACKLOG_ROUNDS, settings.backlogLeadIn());
        report.add(String.format("4. backlog %,d due", settings.backlogSmall()), "drain rate; claim p50 / p99",
                Report.rate(small.rate()) + "; " + Report.ms(smallClaims.p50()) + " / " + Report.ms(smallClaims.p99()),
                String.format("%s %,.0f MB; %,d claims in %s", small.peakReset ? "peak RSS of the JVM while draining" : "RSS at the drain's end",
                        small.maxRssKb / 1024, smallClaims.count(), rounds));
        report.add(String.format("4. backlog %,d due", settings.backlogLarge()), "drain rate; claim p50 / p99",
                Report.rate(large.rate()) + "; " + Report.ms(largeClaims.p50()) + " / " + Report.ms(largeClaims.p99()),
                String.format("%s %,.0f MB; %,d claims; claim p50 ratio large/small %.2f",
                        large.peakReset ? "peak RSS of the JVM while draining" : "RSS at the drain's end", large.maxRssKb / 1024,
                        largeClaims.count(), largeClaims.p50() / smallClaims.p50()));
    }

    /** One backlog size's drains, summed over the rounds. */
    private static final class BacklogDrain {
        final LatencyRecorder claims = new LatencyRecorder();
        long delivered;
        double seconds;
        double maxRssKb;
        boolean peakReset = true;

        double rate() {
            return delivered / seconds;
        }
    }

    /**
     * Drains {@code size} due deliveries into {@code drain}. The node first drains a lead-in
     * ({@link Settings#backlogLeadIn}): a fresh node's claims are slower for its first seconds (session 24 timed them by
     * the second of the node's life at 1M due: a p50 of 13-22 ms in the first, 9-10 in the second, 6.7-8.2 in the third,
     * 5-6.4 from the fifth on), and a small backlog drains within them, so without it the comparison measured a node's
     * start against its steady state, not a backlog's size. Until session 24 the lead-in was as large as the small
     * backlog (10,000: about one second), which left the small drain in the node's second and third seconds.
     */
    private void backlogRun(int size, BacklogDrain drain) throws Exception {
        reset();
        int leadIn = settings.backlogLeadIn();
        Herald setup = env.startNode(Map.of());
        String app = admin.createApp(setup, "backlog");
        String endpoint = admin.createEndpoint(setup, app, receiver.url("/ok/backlog"));
        env.stopNodes();
        queueDue(app, endpoint, "msg_backlog", leadIn + size);
        receiver.reset();
        Herald node = env.startNode(Map.of("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "256"));
        await(Duration.ofMinutes(2), () -> receiver.count("/ok") >= leadIn);
        node.metrics().observeClaims(nanos -> drain.claims.record(0, nanos));
        drain.peakReset &= BenchEnvironment.resetPeakRss();
        long deliveredBefore = receiver.count("/ok");
        long start = System.nanoTime();
        long end = start + settings.phase().toNanos();
        // a small backlog drains before the phase ends: time it to the last delivery, not the phase's end
        while (System.nanoTime() < end && receiver.count("/ok") < leadIn + size) Thread.sleep(10);
        node.metrics().observeClaims(null);
        drain.seconds += (System.nanoTime() - start) / 1e9;
        drain.delivered += receiver.count("/ok") - deliveredBefore;
        // the peak during the drain (VmHWM, reset as it began), not one sample at its end
        drain.maxRssKb = Math.max(drain.maxRssKb, drain.peakReset ? BenchEnvironment.peakRssKb() : BenchEnvironment.rssKb());
        env.stopNodes();
    }

    /** {@code n} messages of the app, each with a delivery to the endpoint due a minute ago, inserted straight into the tables. */
    private void queueDue(String app, String endpoint, String idPrefix, int n) {
        env.jdbi().useHandle(h -> {
            h.createUpdate("""
                    insert into message (id, app_id, event_type, payload, created_at)
                    select :prefix || lpad(g::text, 10, '0'), :app, 'bench.event', :payload, now()
                    from generate_series(1, :n) g
                    """).bind("prefix", idPrefix).bind("app", app).bind("payload", PAYLOAD).bind("n", n).execute();
            h.createUpdate("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, next_attempt_at, created_at, updated_at)
                    select :prefix || lpad(g::text, 10, '0'), :ep, :app, 1, 0, now() - interval '1 minute', now(), now()
                    from generate_series(1, :n) g
                    """).bind("prefix", idPrefix).bind("app", app).bind("ep", endpoint).bind("n", n).execute();
            h.createUpdate("""
                    insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, msg_id, app_id)
                    select id, endpoint_id, next_attempt_at, 0, msg_id, app_id from delivery where endpoint_id = :ep and status = 1
                    """).bind("ep", endpoint).execute();
            h.execute("vacuum analyze");
        });
    }

    /** 5. Horizontal: the throughput scenario with publishing spread over two nodes on one database. */
    double twoNodes(int messages) throws Exception {
        reset();
        Herald a = env.startNode(Map.of());
        Herald b = env.startNode(Map.of());
        String app = admin.createApp(a, "two");
        admin.createEndpoint(a, app, receiver.url("/ok/0"));
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                publisher.closedLoop(base(b), BenchEnvironment.TOKEN, i -> app, messages / 2, settings.concurrency() / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        publisher.closedLoop(base(a), BenchEnvironment.TOKEN, i -> app, messages - messages / 2, settings.concurrency() / 2);
        other.join();
        await(Duration.ofMinutes(10), () -> receiver.count("/ok") >= messages && env.pendingDeliveries() == 0);
        double rate = messages / ((System.nanoTime() - start) / 1e9);
        report.add("5. two nodes, one database", "deliveries/s, publish→recorded", Report.rate(rate),
                String.format("%,d msgs; %d sent twice; %s", messages, receiver.duplicates(), cpu.used().perUnit(messages, "delivery")));
        return rate;
    }

    /** A limit's rate, and the machine's busy CPU seconds per unit it cost. */
    record Limit(double rate, double cpuPerUnit) {}

    /** "; the machine 82% busy": how much of the machine a limit kept busy (a bound from its rate assumes all of it). */
    private static String busyShare(CpuMeter.Used used, double seconds) {
        if (Double.isNaN(used.machineSeconds())) return "";
        return String.format("; the machine %.0f%% busy", 100 * used.machineSeconds() / (seconds * Runtime.getRuntime().availableProcessors()));
    }

    /** 6a. The network/CPU ceiling: Herald's HTTP client posting the same signed requests, no database. */
    Limit httpLimit() throws Exception {
        reset();
        var requests = new SignedRequestFactory(HeraldConfig.SignatureHeaders.WEBHOOK);
        String secret = WebhookSecrets.generate();
        try (var client = new WebhookClient(WebhookClientSettings.defaults("bench").withMaxConnectionsPerDestination(256),
                new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system())) {
            URI url = URI.create(receiver.url("/ok/limit"));
            var permits = new Semaphore(256);
            var done = new AtomicLong();
            var failed = new AtomicLong();
            var cpu = CpuMeter.start();
            long end = System.nanoTime() + settings.phase().toNanos();
            long start = System.nanoTime();
            int i = 0;
            while (System.nanoTime() < end) {
                permits.acquire();
                String id = Ids.next(Ids.MESSAGE);
                OutboundRequest request = requests.build(url, id, Instant.now().getEpochSecond(),
                        SignedRequestFactory.bytes(PAYLOAD.replace("\"t\":0", "\"t\":" + i++)), List.of(secret), Map.of());
                client.send(request).whenComplete((r, e) -> {
                    // only a delivery counts: a refusal or timeout is quick and would raise the ceiling
                    if (e == null && r.isSuccess()) done.incrementAndGet();
                    else failed.incrementAndGet();
                    permits.release();
                });
            }
            permits.acquire(256);
            if (failed.get() > 0) throw new IllegalStateException("the HTTP limit's requests failed: " + failed.get());
            double rate = done.get() / ((System.nanoTime() - start) / 1e9);
            var used = cpu.used();
            double seconds = (System.nanoTime() - start) / 1e9;
            report.add("6a. limit: HTTP only (no DB)", "signed requests/s", Report.rate(rate),
                    "same client, receiver, payload; 256 in flight; " + used.perUnit(done.get(), "request") + busyShare(used, seconds));
            return new Limit(rate, used.machineSeconds() / done.get());
        }
    }

    /**
     * 6b. The database ceiling: the same SQL cycle with no HTTP. Since session 16 that is Herald's: the publish
     * transaction writes the deliveries leased to the publisher, which records them without a claim (a claim runs only
     * when none are waiting, as Herald claims what was not leased).
     */
    Limit sqlLimit() throws Exception {
        reset();
        Herald setup = env.startNode(Map.of());
        String app = admin.createApp(setup, "sql");
        admin.createEndpoint(setup, app, receiver.url("/ok/sql"));
        env.stopNodes();
        var messages = new MessageStore(env.jdbi(), env.hotPathJdbi());
        var queue = new DeliveryQueue(env.hotPathJdbi(), env.jdbi());
        var stop = new AtomicBoolean();
        var published = new AtomicLong();
        var completed = new AtomicLong();
        var leased = new java.util.concurrent.ConcurrentLinkedQueue<ClaimedDelivery>();
        var threads = new ArrayList<Thread>();
        // the same statements Herald runs, batched as Herald batches them: publishes group-committed (SQL_LIMIT_PUBLISH_BATCH
        // per transaction) and leased, results of up to 200 written in one transaction. Publishers wait while
        // SQL_LIMIT_BACKLOG deliveries are outstanding, so the figure is the rate the whole cycle sustains
        // (unchecked, inserts outran the claims and the figure measured the inserts' cost to the claims).
        // a worker that dies stops the others and fails the scenario (a rate of 0 would make the ratio infinite)
        var failure = new AtomicReference<Throwable>();
        // room for outstanding deliveries: a publisher blocks on it, a record loop gives it back (until session 45 the
        // publishers polled every 200 µs while the backlog was full, its normal state: wake-ups charged to this limit)
        var room = new Semaphore(SQL_LIMIT_BACKLOG);
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(stoppingOnFailure(stop, failure, () -> {
                while (!stop.get()) {
                    try {
                        if (!room.tryAcquire(SQL_LIMIT_PUBLISH_BATCH, 100, TimeUnit.MILLISECONDS)) continue;
                    } catch (InterruptedException e) {
                        return;
                    }
                    Instant now = Instant.now();
                    var batch = new ArrayList<Message>(SQL_LIMIT_PUBLISH_BATCH);
                    var dues = new ArrayList<Instant>(SQL_LIMIT_PUBLISH_BATCH);
                    for (int i = 0; i < SQL_LIMIT_PUBLISH_BATCH; i++) {
                        batch.add(new Message(Ids.next(Ids.MESSAGE), app, "bench.event", null, PAYLOAD, null, null, now, null, null));
                        dues.add(now);
                    }
                    var written = messages.publishBatch(batch, dues, new MessageStore.Lease(now, now.plus(Duration.ofSeconds(60))));
                    written.leased().forEach(d -> leased.add(ClaimedDelivery.leasedAtPublish(d)));
                    published.addAndGet(SQL_LIMIT_PUBLISH_BATCH);
                }
            })));
        }
        for (int t = 0; t < 2; t++) {
            threads.add(Thread.ofPlatform().start(stoppingOnFailure(stop, failure, () -> {
                while (!stop.get()) {
                    Instant now = Instant.now();
                    var claimed = new ArrayList<ClaimedDelivery>(200);
                    for (ClaimedDelivery d; claimed.size() < 200 && (d = leased.poll()) != null; ) claimed.add(d);
                    if (claimed.isEmpty()) claimed.addAll(queue.claim(200, now, Duration.ofSeconds(60), List.of()));
                    if (claimed.isEmpty()) {
                        // caught up: wait, as Herald's dispatcher does. Asking the database again at once (until session 22)
                        // made the limit spend its CPU on empty claims, so it understated the ceiling (BENCHMARKS.md)
                        LockSupport.parkNanos(SQL_LIMIT_IDLE_WAIT_NANOS);
                        continue;
                    }
                    var results = new ArrayList<CompletedDelivery>();
                    for (var d : claimed) {
                        var attempt = new dev.herald.domain.Attempt(Ids.next(Ids.ATTEMPT), d.msgId(), d.endpointId(), d.appId(), d.id(),
                                d.url(), d.attemptNumber(), 0, 200, "ok", 1, null, 0, null, now);
                        results.add(new CompletedDelivery(d.id(), d.attemptNumber(), attempt, DeliveryStatus.SUCCESS, null));
                    }
                    // as Herald's recorder writes an all-success batch: one statement, autocommit
                    var succeeded = claimed.stream().map(ClaimedDelivery::endpointId).distinct().toList();
                    queue.hotPath().useHandle(h -> queue.complete(h, results, List.of(), succeeded, List.of(app), now, false));
                    completed.addAndGet(results.size());
                    room.release(results.size());
                }
            })));
        }
        Thread.sleep(2_000); // past the first batches' cold caches
        long from = completed.get();
        var maintenance = env.maintenanceCounts();
        var cpu = CpuMeter.start();
        long start = System.nanoTime();
        Thread.sleep(settings.phase().toMillis());
        long cycled = completed.get() - from;
        var used = cpu.used();
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = cycled / seconds;
        stop.set(true);
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new IllegalStateException("a worker of the SQL limit failed", failure.get());
        report.add("6b. limit: SQL only (no HTTP)", "deliveries/s, publish (leased)+record", Report.rate(rate),
                String.format("2 publishing threads, %d per tx, at most %,d outstanding; 2 record loops, 200 per batch; %s%s; %s",
                        SQL_LIMIT_PUBLISH_BATCH, SQL_LIMIT_BACKLOG, used.perUnit(cycled, "delivery"), busyShare(used, seconds),
                        env.maintenanceCounts().since(maintenance)));
        return new Limit(rate, used.machineSeconds() / cycled);
    }

    /** {@code work}, which on any failure records it (the first one) and sets {@code stop}. */
    private static Runnable stoppingOnFailure(AtomicBoolean stop, AtomicReference<Throwable> failure, Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                stop.set(true);
            }
        };
    }

    /** 7. The peer: db-scheduler, one task per delivery, same client, receiver and database. */
    double peer(int messages) throws Exception {
        reset();
        var requests = new SignedRequestFactory(HeraldConfig.SignatureHeaders.WEBHOOK);
        try (var client = new WebhookClient(WebhookClientSettings.defaults("peer").withMaxConnectionsPerDestination(256),
                new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system());
             var peer = new DbSchedulerPeer(env.jdbcUrl(), client, requests, receiver.url("/ok/peer"),
                     WebhookSecrets.generate(), 64, 16)) {
            var cpu = CpuMeter.start();
            long start = System.nanoTime();
            var publishers = new ArrayList<Thread>();
            int threads = 16;
            for (int t = 0; t < threads; t++) {
                int first = t;
                publishers.add(Thread.ofPlatform().start(() -> {
                    for (int i = first; i < messages; i += threads) {
                        peer.publish(Ids.next(Ids.MESSAGE), PAYLOAD.replace("\"t\":0", "\"t\":" + System.nanoTime()));
                    }
                }));
            }
            for (Thread t : publishers) t.join();
            // received and its attempt recorded, as scenario 1 counts Herald's
            await(Duration.ofMinutes(10), () -> receiver.count("/ok") >= messages && peer.attemptsRecorded() >= messages);
            double rate = messages / ((System.nanoTime() - start) / 1e9);
            report.add("7. peer: db-scheduler", "deliveries/s, schedule→executed", Report.rate(rate),
                    String.format("%,d msgs, 64 scheduler threads, a pool of its own, lock-and-fetch polling (1.0, 4.0); %d sent twice; %s",
                            messages, receiver.duplicates(),
                            cpu.used().perUnit(messages, "delivery")));
            return rate;
        } finally {
            env.jdbi().useHandle(h -> h.execute("drop table if exists scheduled_tasks, peer_attempt"));
        }
    }
}
