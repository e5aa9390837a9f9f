package dev.herald.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Herald in its own JVM (the real Main), so a test can SIGKILL it like an operator's crash would. */
public final class HeraldProcess implements AutoCloseable {
    private final Process process;
    private final String host;
    public final int port;
    public final Path log;

    private HeraldProcess(Process process, String host, int port, Path log) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.log = log;
    }

    /** The test database, with a short request timeout and lease so work held by a killed process returns soon. */
    public static Map<String, String> crashTestEnv() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.remove("HERALD_HTTP_ADDR");
        env.put("HERALD_REQUEST_TIMEOUT", "5s");
        env.put("HERALD_DELIVERY_LEASE", "10s");
        return env;
    }

    public static HeraldProcess start(Map<String, String> env, Path log) {
        return start(env, log, "-Xmx512m");
    }

    public static HeraldProcess start(Map<String, String> env, Path log, String heap) {
        return start(env, log, heap, "127.0.0.1", command -> command);
    }

    /** Herald on a host of its own ({@link NetworkNamespace}), answering at the namespace's address. */
    public static HeraldProcess startIn(NetworkNamespace namespace, Map<String, String> env, Path log) {
        return start(env, log, "-Xmx512m", namespace.address(), namespace::command);
    }

    /**
     * A port found free is bound by the child seconds later, when its JVM has started. It is chosen outside the range
     * outgoing connections and other tests' listeners take theirs from ({@link StablePort}); should another process
     * take it meanwhile all the same, the child exits saying so, and is started again on another port.
     */
    private static HeraldProcess start(Map<String, String> env, Path log, String heap, String host,
                                       java.util.function.UnaryOperator<List<String>> wrap) {
        for (int attempt = 1; ; attempt++) {
            int port = StablePort.pick();
            long logStart = log.toFile().length();
            try {
                return start(env, log, heap, host, port, wrap);
            } catch (AssertionError exited) {
                if (attempt == 3 || !saysPortTaken(log, logStart, host, port)) throw exited;
            }
        }
    }

    private static boolean saysPortTaken(Path log, long from, String host, int port) {
        try (var file = new java.io.RandomAccessFile(log.toFile(), "r")) {
            file.seek(from);
            var tail = new byte[(int) Math.max(0, Math.min(1 << 20, file.length() - from))];
            file.readFully(tail);
            return new String(tail, java.nio.charset.StandardCharsets.UTF_8)
                    .contains("HERALD_HTTP_ADDR: cannot listen on " + host + ":" + port);
        } catch (IOException e) {
            return false;
        }
    }

    private static HeraldProcess start(Map<String, String> env, Path log, String heap, String host, int port,
                                       java.util.function.UnaryOperator<List<String>> wrap) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, heap, "-cp", System.getProperty("java.class.path"),
                "dev.herald.app.Main", "serve"));
        var builder = withoutInheritedSettings(new ProcessBuilder(wrap.apply(command)));
        builder.environment().putAll(env);
        builder.environment().put("HERALD_HTTP_ADDR", host + ":" + port);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            var process = builder.start();
            var started = new HeraldProcess(process, host, port, log);
            var api = new ApiClient(started.baseUrl(), null);
            try {
                Receiver.await(Duration.ofSeconds(60), () -> {
                    if (!process.isAlive()) throw new AssertionError("Herald process exited; see " + log);
                    try {
                        return api.get("/api/v1/health").status() == 204;
                    } catch (RuntimeException e) {
                        return false;
                    }
                }, "Herald process to answer /api/v1/health");
            } catch (AssertionError notStarted) {
                started.kill(); // one that never answered is not left running
                throw notStarted;
            }
            return started;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://" + host + ":" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no cleanup, exactly like a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM: the graceful path. */
    public int terminate(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }

    public static File tempLog(String name) {
        try {
            return File.createTempFile("herald-" + name, ".log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A child starts with a copy of this JVM's environment: a shell that ran {@code ./herald serve} would hand it its
     * HERALD_DATABASE_URL, operational webhook or proxy, and a test would write to, or send through, the real ones.
     */
    public static ProcessBuilder withoutInheritedSettings(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(name -> name.startsWith("HERALD_"));
        return builder;
    }
}
