package dev.herald.cli;

import dev.herald.app.Herald;
import dev.herald.config.HeraldConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the Herald server (API and delivery workers). Settings come from HERALD_* variables; flags override them.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--http-addr", description = "Listen address (HERALD_HTTP_ADDR), default 127.0.0.1:8071")
    String httpAddr;

    @Option(names = "--database-url", description = "External PostgreSQL (HERALD_DATABASE_URL); unset = embedded")
    String databaseUrl;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL and key files (HERALD_DATA_DIR)")
    String dataDir;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (httpAddr != null) env.put("HERALD_HTTP_ADDR", httpAddr);
        if (databaseUrl != null) env.put("HERALD_DATABASE_URL", databaseUrl);
        if (dataDir != null) env.put("HERALD_DATA_DIR", dataDir);
        var config = HeraldConfig.fromEnvironment(env);
        var herald = new Herald(config, Clock.systemUTC()).start(System.out);
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            herald.close();
            stopped.countDown();
        }, "herald-shutdown"));
        String host = config.httpAddress().getHostString();
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + herald.port(); // an IPv6 address in brackets
        // a worker-only node serves health and metrics alone: no dashboard to point at
        System.out.println("Herald listening on " + base + (config.apiEnabled() ? " (dashboard: " + base + "/dashboard)" : ""));
        stopped.await();
        return 0;
    }
}
