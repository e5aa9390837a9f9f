package dev.herald.app;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: data survives restarts, and a crash (SIGKILL) does not block the next start. */
class EmbeddedRestartTest {
    @TempDir
    Path dataDir;

    Map<String, String> env() {
        return TestHerald.embeddedEnv(dataDir);
    }

    @Test
    void data_written_before_a_restart_is_there_after_it() {
        String appId;
        String secret;
        try (var herald = new Herald(HeraldConfig.fromEnvironment(env()), Clock.systemUTC()).start(new PrintStream(new ByteArrayOutputStream()))) {
            var api = new ApiClient("http://127.0.0.1:" + herald.port(), TestHerald.ADMIN_TOKEN);
            appId = api.post("/api/v1/app", json("name", "persisted", "uid", "persisted")).text("id");
            String ep = api.post("/api/v1/app/" + appId + "/endpoint", json("url", "http://127.0.0.1:9/x", "uid", "ep1")).text("id");
            secret = api.get("/api/v1/app/" + appId + "/endpoint/" + ep + "/secret").text("key");
            assertThat(secret).startsWith("whsec_");
        }
        assertThat(dataDir.resolve("encryption.key")).exists();
        try (var herald = new Herald(HeraldConfig.fromEnvironment(env()), Clock.systemUTC()).start(new PrintStream(new ByteArrayOutputStream()))) {
            var api = new ApiClient("http://127.0.0.1:" + herald.port(), TestHerald.ADMIN_TOKEN);
            assertThat(api.get("/api/v1/app/persisted").text("id")).isEqualTo(appId);
            // the secret is still decryptable with the key file kept in the data dir
            assertThat(api.get("/api/v1/app/persisted/endpoint/ep1/secret").text("key")).isEqualTo(secret);
        }
    }

    @Test
    void generates_an_admin_token_once_and_keeps_only_its_hash() {
        var env = env();
        env.remove("HERALD_ADMIN_TOKEN");
        var out = new ByteArrayOutputStream();
        String token;
        try (var herald = new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC()).start(new PrintStream(out, true))) {
            String printed = out.toString();
            assertThat(printed).contains("admin token");
            token = printed.substring(printed.indexOf("sk_")).trim();
            var api = new ApiClient("http://127.0.0.1:" + herald.port(), token);
            assertThat(api.get("/api/v1/app").status()).isEqualTo(200);
            assertThat(api.withToken(token + "x").get("/api/v1/app").status()).isEqualTo(401);
        }
        var second = new ByteArrayOutputStream();
        try (var herald = new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC()).start(new PrintStream(second, true))) {
            assertThat(second.toString()).doesNotContain("admin token");
            assertThat(new ApiClient("http://127.0.0.1:" + herald.port(), token).get("/api/v1/app").status()).isEqualTo(200);
        }
    }

    @Test
    void restarts_at_first_try_after_sigkill_left_the_embedded_postgres_running() throws Exception {
        var log = HeraldProcess.tempLog("embedded").toPath();
        var env = env();
        env.remove("HERALD_HTTP_ADDR");
        String appId;
        long orphan;
        var first = HeraldProcess.start(env, log);
        try {
            appId = new ApiClient(first.baseUrl(), TestHerald.ADMIN_TOKEN).post("/api/v1/app", json("name", "crash")).text("id");
        } finally {
            first.kill();
        }
        Path pidFile = dataDir.resolve("pg/postmaster.pid");
        assertThat(pidFile).exists();
        orphan = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("postgres outlives a SIGKILLed JVM").contains(true);

        var second = HeraldProcess.start(env, log);
        long current = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        assertThat(current).isNotEqualTo(orphan);
        try {
            assertThat(new ApiClient(second.baseUrl(), TestHerald.ADMIN_TOKEN).get("/api/v1/app/" + appId).status()).isEqualTo(200);
        } finally {
            second.terminate(Duration.ofSeconds(30));
        }
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        // SIGTERM stops the embedded postgres with Herald
        dev.herald.testing.Receiver.await(Duration.ofSeconds(10),
                () -> !ProcessHandle.of(current).map(ProcessHandle::isAlive).orElse(false), "embedded postgres to stop");
    }

    @Test
    void a_second_herald_on_the_same_data_directory_is_refused_and_the_first_keeps_its_database() throws Exception {
        try (var first = new Herald(HeraldConfig.fromEnvironment(env()), Clock.systemUTC()).start(new PrintStream(new ByteArrayOutputStream()))) {
            var api = new ApiClient("http://127.0.0.1:" + first.port(), TestHerald.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/app", json("name", "first", "uid", "first")).status()).isEqualTo(201);
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());

            var log = HeraldProcess.tempLog("second").toPath();
            var env = env();
            env.remove("HERALD_HTTP_ADDR"); // a port of its own: only the directory is shared
            assertThatThrownBy(() -> HeraldProcess.start(env, log).close()).hasMessageContaining("Herald process exited");
            assertThat(Files.readString(log)).contains("herald: HERALD_DATA_DIR: " + dataDir.resolve("pg").toAbsolutePath()
                    + " is in use by another running Herald");

            // so is re-encryption, which starts the embedded database too (and stopped the live one the same way)
            assertThatThrownBy(() -> dev.herald.cli.ReencryptCommand.run(env(), new PrintStream(new ByteArrayOutputStream())))
                    .isInstanceOf(dev.herald.config.ConfigException.class)
                    .hasMessageStartingWith("HERALD_DATA_DIR: " + dataDir.resolve("pg").toAbsolutePath() + " is in use");

            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("the first one's postmaster").contains(true);
            assertThat(api.get("/api/v1/app/first").status()).isEqualTo(200);
        }
        // once the first has stopped, the directory is free again
        try (var again = new Herald(HeraldConfig.fromEnvironment(env()), Clock.systemUTC()).start(new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(new ApiClient("http://127.0.0.1:" + again.port(), TestHerald.ADMIN_TOKEN).get("/api/v1/app/first").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void first_start_works_whatever_locale_the_environment_names() throws Exception {
        var log = HeraldProcess.tempLog("locale").toPath();
        var env = env();
        env.remove("HERALD_HTTP_ADDR");
        env.put("LANG", "zz_ZZ.UTF-8"); // a locale no machine has: initdb failed on it and the first start died
        env.put("LC_ALL", "zz_ZZ.UTF-8");
        var herald = HeraldProcess.start(env, log);
        try {
            var api = new ApiClient(herald.baseUrl(), TestHerald.ADMIN_TOKEN);
            String app = api.post("/api/v1/app", json("name", "anywhere")).text("id");
            assertThat(api.post("/api/v1/app/" + app + "/msg", json("eventType", "a.b", "payload", Map.of("k", "é"))).status())
                    .isEqualTo(202);
            assertThat(api.get("/api/v1/app/" + app + "/msg").body().path("data").get(0).path("payload").path("k").asText())
                    .isEqualTo("é");
        } finally {
            herald.terminate(Duration.ofSeconds(30));
        }
    }

    @Test
    void sigterm_stops_herald_before_its_embedded_postgres_with_nothing_broken_in_the_log() throws Exception {
        var log = HeraldProcess.tempLog("sigterm").toPath();
        var env = env();
        env.remove("HERALD_HTTP_ADDR");
        var herald = HeraldProcess.start(env, log);
        long postmaster;
        try {
            assertThat(new ApiClient(herald.baseUrl(), TestHerald.ADMIN_TOKEN).post("/api/v1/app", json("name", "term")).status())
                    .isEqualTo(201);
            postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
        } finally {
            assertThat(herald.terminate(Duration.ofSeconds(30))).as("stopped within 30 s of SIGTERM").isNotEqualTo(-1);
        }
        String written = Files.readString(log);
        assertThat(written).as(written).doesNotContain(" WARN ").doesNotContain(" ERROR ").doesNotContain("\tat ");
        dev.herald.testing.Receiver.await(Duration.ofSeconds(10),
                () -> !ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "embedded postgres to stop");
    }
}
