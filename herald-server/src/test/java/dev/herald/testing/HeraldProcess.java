package dev.herald.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
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

    private static HeraldProcess start(Map<String, String> env, Path log, String heap, String host,
                                       java.util.function.UnaryOperator<List<String>> wrap) {
        int port = freePort();
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
            Receiver.await(Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) throw new AssertionError("Herald process exited; see " + log);
                try {
                    return api.get("/api/v1/health").status() == 204;
                } catch (RuntimeException e) {
                    return false;
                }
            }, "Herald process to answer /api/v1/health");
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

    static int freePort() {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
