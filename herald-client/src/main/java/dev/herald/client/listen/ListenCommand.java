package dev.herald.client.listen;

import com.sun.net.httpserver.HttpServer;
import dev.herald.client.HeraldClient;
import dev.herald.client.HeraldException;
import dev.herald.client.HeraldValidationException;
import dev.herald.client.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * {@code herald listen}: a local receiver for trying webhooks out, like {@code stripe listen}. It verifies each
 * request's signature, prints the event type, id and payload, and answers the chosen status. With an
 * application and a token it first creates a temporary endpoint pointing at itself, deleted on exit.
 *
 * <p>The CLI calls {@link #run}; tests and tools that manage the lifetime themselves call {@link #start}.
 */
public final class ListenCommand {
    private final PrintStream out;
    /** Why it stopped or could not start: apart from the events, whose stream may be a file. */
    private final PrintStream err;

    public ListenCommand(PrintStream out) {
        this(out, System.err);
    }

    public ListenCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Listens until the JVM is asked to stop (Ctrl-C), then removes the temporary endpoint.
     *
     * @return the process exit code: 0 after a normal stop, 1 if the listener could not start
     */
    public int run(ListenOptions options) {
        Listener listener;
        try {
            listener = start(options);
        } catch (dev.herald.client.HeraldConnectionException e) {
            err.println("herald listen: cannot reach Herald at " + options.serverUrl() + " (give its URL with --server): "
                    + e.getMessage());
            return 1;
        } catch (HeraldException | UncheckedIOException | IllegalArgumentException e) {
            err.println("herald listen: " + e.getMessage()); // not stdout, which may be the events' file
            return 1;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                listener.close();
                out.println("herald listen: stopped" + (listener.endpointId() == null ? "" : "; endpoint "
                        + listener.endpointId() + " deleted"));
            } catch (HeraldException e) {
                // Herald stopped first, or the token was revoked: one line saying what is left, not a stack trace
                err.println("herald listen: stopped; endpoint " + listener.endpointId() + " was not deleted ("
                        + e.getMessage() + "): delete it yourself");
            } finally {
                stopped.countDown();
            }
        }, "herald-listen-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            listener.close();
        }
        return 0;
    }

    /** Starts listening and returns at once; close the result to stop (and delete the temporary endpoint). */
    public Listener start(ListenOptions options) {
        var printer = new EventPrinter(out);
        HttpServer server = bind(options);
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        String url = options.publicUrl() != null ? options.publicUrl()
                : "http://" + urlHost(options.host()) + ":" + server.getAddress().getPort() + "/";

        HeraldClient herald = null;
        TemporaryEndpoint endpoint = null;
        try {
            if (options.app() != null) {
                herald = HeraldClient.builder(options.serverUrl(), options.token()).build();
                endpoint = createEndpoint(herald, options, url);
            }
            String secret = endpoint != null ? endpoint.secret() : options.secret();
            var handler = new VerifyingHandler(WebhookVerifier.of(secret), options.status(),
                    new EventTypeResolver(herald, options.app()), printer);
            server.createContext("/", handler);
            server.start();
        } catch (RuntimeException e) {
            if (endpoint != null) endpoint.close();
            server.stop(0);
            executor.shutdownNow();
            throw e;
        }
        printer.info("herald listen: receiving on " + url + ", answering " + options.status()
                + (endpoint == null ? "" : " (temporary endpoint " + endpoint.id() + " in " + options.app() + ")")
                + ". Ctrl-C to stop.");
        return new Listener(server, executor, endpoint, url);
    }

    private static HttpServer bind(ListenOptions options) {
        try {
            return HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
    }

    private static TemporaryEndpoint createEndpoint(HeraldClient herald, ListenOptions options, String url) {
        try {
            return TemporaryEndpoint.create(herald, options.app(), url, options.secret(), options.eventTypes());
        } catch (HeraldValidationException e) {
            boolean urlRefused = e.errors().stream().anyMatch(error -> error.loc().contains("url"));
            if (!urlRefused) throw e;
            // Herald's address guard refuses loopback targets unless the operator allows them
            throw new IllegalArgumentException("Herald refused the endpoint URL " + url + " (" + e.detail() + "). "
                    + "Start Herald with HERALD_WHITELIST_SUBNETS=127.0.0.0/8 to let it call local receivers, "
                    + "or pass --public-url with an address Herald may call.", e);
        }
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) return "127.0.0.1";
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
