package dev.herald.cli;

import dev.herald.client.HeraldClient;
import dev.herald.client.HeraldConflictException;
import dev.herald.client.HeraldException;
import dev.herald.client.Pollers;
import dev.herald.client.model.LeasedPage;
import dev.herald.client.model.PollingPage;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald poll URL --key pollsk_…}: reads a polling endpoint and prints each message as a line of JSON, for a
 * developer who cannot take webhooks on their machine. Stops once caught up, or with {@code --follow} keeps reading.
 */
@Command(name = "poll", mixinStandardHelpOptions = true,
        description = "Read a polling endpoint: print each message as a line of JSON.")
public final class PollCliCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "the polling endpoint's URL (…/api/v1/app/{app}/poller/{id})")
    String url;

    @Option(names = "--key", defaultValue = "${env:HERALD_POLL_KEY}",
            description = "the polling endpoint's key, or any token of its application (default $HERALD_POLL_KEY)")
    String key;

    @Option(names = "--consumer", description = "read as this named consumer: Herald keeps its place between runs")
    String consumer;

    @Option(names = "--commit", description = "with --consumer: lease each page and commit it once printed, so a run"
            + " that dies before printing a page gets it again (Svix's leased consumer)")
    boolean commit;

    @Option(names = "--lease", defaultValue = "30", description = "seconds a leased page is kept for this run (--commit)")
    int leaseSeconds;

    @Option(names = "--iterator", description = "read on from this iterator (printed to stderr when the command ends)")
    String iterator;

    @Option(names = "--follow", description = "keep reading new messages as they come")
    boolean follow;

    @Option(names = "--interval", defaultValue = "2", description = "seconds between reads once caught up (--follow)")
    int interval;

    private final PrintStream out;

    public PollCliCommand() {
        this(System.out);
    }

    PollCliCommand(PrintStream out) {
        this.out = out;
    }

    /** The URL split into Herald's address, the application and the poller. */
    record Target(String server, String app, String poller) {
        /**
         * The URL the portal and the API show: {@code …/api/v1/app/{app}/poller/{id}}, under whatever path prefix
         * HERALD_PUBLIC_URL gives (a reverse proxy's {@code /herald}), which is kept as part of the server's address.
         */
        static Target of(String url) {
            URI uri = URI.create(url);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            int api = path.lastIndexOf("/api/v1/app/");
            String[] parts = api < 0 ? new String[0] : path.substring(api).split("/");
            // ["", "api", "v1", "app", {app}, "poller", {poller}]
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (!http || uri.getHost() == null || parts.length != 7 || !"poller".equals(parts[5])
                    || parts[4].isEmpty() || parts[6].isEmpty()) {
                throw new IllegalArgumentException("not a polling endpoint's URL (…/api/v1/app/{app}/poller/{id}): " + url);
            }
            return new Target(uri.getScheme() + "://" + uri.getRawAuthority() + path.substring(0, api), parts[4], parts[6]);
        }
    }

    @Override
    public Integer call() throws Exception {
        Target target;
        try {
            target = Target.of(url);
        } catch (IllegalArgumentException e) {
            System.err.println("herald poll: " + e.getMessage());
            return 2;
        }
        if (key == null || key.isBlank()) {
            System.err.println("herald poll: give the polling endpoint's key with --key or $HERALD_POLL_KEY");
            return 2;
        }
        if (commit && (consumer == null || iterator != null)) {
            System.err.println("herald poll: --commit reads as a --consumer, from its committed place (no --iterator)");
            return 2;
        }
        var pollers = HeraldClient.builder(target.server(), key).build().pollers();
        if (commit) return leased(pollers, target);
        reached = iterator;
        // --follow ends with Ctrl-C or a SIGTERM, which run no finally: the place reached is printed on the way out
        var onExit = new Thread(this::printIterator, "herald-poll-iterator");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            while (true) {
                PollingPage page = read(pollers, target, reached);
                page.data().forEach(m -> out.println(dev.herald.client.HeraldJson.write(m)));
                out.flush();
                reached = page.iterator(); // only once its page is printed: a stop in between reads that page again
                if (!page.done()) continue;
                if (!follow) break;
                Thread.sleep(Duration.ofSeconds(Math.max(1, interval)));
            }
        } catch (HeraldException e) {
            System.err.println("herald poll: " + e.getMessage());
            return 1;
        } finally {
            printIterator();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException stopping) {
                // the JVM is already stopping: the hook runs, and prints nothing twice
            }
        }
        return 0;
    }

    /** The iterator after the last page printed, for --iterator; its page only once printed whole. */
    private volatile String reached;
    private final java.util.concurrent.atomic.AtomicBoolean iteratorPrinted = new java.util.concurrent.atomic.AtomicBoolean();

    private void printIterator() {
        String at = reached;
        // no flush here: each page is flushed before its iterator is taken, and a flush could wait on a full pipe
        if (at == null || !iteratorPrinted.compareAndSet(false, true)) return;
        System.err.println("iterator: " + at);
    }

    /** Lease, print, commit, page after page: the consumer's place moves only past what was printed. */
    private int leased(Pollers pollers, Target target) throws InterruptedException {
        Duration lease = Duration.ofSeconds(Math.max(1, Math.min(3600, leaseSeconds)));
        try {
            while (true) {
                LeasedPage page = pollers.lease(target.app(), target.poller(), consumer, Pollers.MAX_PAGE, lease);
                page.data().forEach(m -> out.println(dev.herald.client.HeraldJson.write(m)));
                out.flush();
                if (!page.data().isEmpty()) pollers.commit(target.app(), target.poller(), consumer, page.data().getLast().offset());
                if (!page.done()) continue;
                if (!follow) return 0;
                Thread.sleep(Duration.ofSeconds(Math.max(1, interval)));
            }
        } catch (HeraldConflictException e) {
            System.err.println("herald poll: " + e.getMessage() + " (another reader of consumer '" + consumer
                    + "' holds a lease, or a run that stopped held one: try again once it ends)");
            return 1;
        } catch (HeraldException e) {
            System.err.println("herald poll: " + e.getMessage());
            return 1;
        }
    }

    private PollingPage read(Pollers pollers, Target target, String at) {
        return consumer == null ? pollers.poll(target.app(), target.poller(), at, Pollers.MAX_PAGE)
                : pollers.consumerPoll(target.app(), target.poller(), consumer, at, Pollers.MAX_PAGE);
    }
}
