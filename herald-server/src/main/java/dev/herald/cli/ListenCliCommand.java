package dev.herald.cli;

import dev.herald.client.listen.ListenCommand;
import dev.herald.client.listen.ListenOptions;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald listen}: a local receiver that verifies and prints webhooks (like {@code stripe listen}). */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = "Receive webhooks locally: verify, print, answer (like stripe listen).")
public final class ListenCliCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9000", description = "port to listen on (default 9000)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on")
    String host;

    @Option(names = "--secret", description = "whsec_… secret to verify signatures with")
    String secret;

    @Option(names = "--status", defaultValue = "200", description = "status to answer, e.g. 500 to watch retries")
    int status;

    @Option(names = "--app", description = "create a temporary endpoint in this application (removed on exit)")
    String app;

    @Option(names = "--token", defaultValue = "${env:HERALD_TOKEN}", description = "API token for --app (default $HERALD_TOKEN)")
    String token;

    @Option(names = "--server", description = "Herald's URL for --app (default: http://127.0.0.1 at the port of"
            + " $HERALD_HTTP_ADDR, else http://127.0.0.1:8071)")
    String server;

    @Option(names = "--public-url", description = "URL Herald should call, if not http://host:port/")
    String publicUrl;

    @Option(names = "--event-types", split = ",", description = "event types of the temporary endpoint")
    Set<String> eventTypes;

    @Override
    public Integer call() {
        ListenOptions options;
        try {
            String herald = server != null ? server : defaultServer(System.getenv("HERALD_HTTP_ADDR"));
            options = new ListenOptions(host, port, secret, status, app, token, herald, publicUrl, eventTypes);
        } catch (IllegalArgumentException e) {
            System.err.println("herald listen: " + e.getMessage());
            return 2;
        }
        return new ListenCommand(System.out).run(options);
    }

    /**
     * Herald on this machine, at the address {@code HERALD_HTTP_ADDR} (its own setting, {@code host:port}) has it listen
     * on, should the shell that runs this have it: a node moved off 8071 is found without --server. A host of all
     * addresses ({@code 0.0.0.0}, {@code [::]}) or none is reached at 127.0.0.1.
     */
    static String defaultServer(String httpAddr) {
        if (httpAddr == null || httpAddr.isBlank()) return ListenOptions.DEFAULT_SERVER_URL;
        String address = httpAddr.strip();
        int colon = address.lastIndexOf(':');
        String port = colon < 0 ? address : address.substring(colon + 1);
        String host = colon < 0 ? "" : address.substring(0, colon);
        if (!port.matches("\\d{1,5}")) return ListenOptions.DEFAULT_SERVER_URL; // Herald itself refuses such a setting
        boolean anyAddress = host.isEmpty() || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::");
        boolean bareIpv6 = host.contains(":") && !host.startsWith("[");
        return "http://" + (anyAddress ? "127.0.0.1" : bareIpv6 ? "[" + host + "]" : host) + ":" + port;
    }
}
