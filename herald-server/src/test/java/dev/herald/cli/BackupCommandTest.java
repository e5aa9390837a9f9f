package dev.herald.cli;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.app.Herald;
import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald backup}: a copy of the embedded database taken while a node publishes starts as it is and holds every
 * message accepted before the copy began (PostgreSQL replays the WAL written meanwhile, as its log says); one taken
 * with no node running holds them all; an external database is refused.
 */
class BackupCommandTest {
    @TempDir
    Path dir;

    private static Map<String, String> envFor(Path dataDir) {
        return TestHerald.embeddedEnv(dataDir);
    }

    private static Herald start(Path dataDir) {
        return new Herald(HeraldConfig.fromEnvironment(envFor(dataDir)), Clock.systemUTC()).start(new PrintStream(new ByteArrayOutputStream()));
    }

    private static ApiClient api(Herald herald) {
        return new ApiClient("http://127.0.0.1:" + herald.port(), TestHerald.ADMIN_TOKEN);
    }

    private static Set<String> messageIds(ApiClient api, String app) {
        var ids = new HashSet<String>();
        String iterator = null;
        while (true) {
            var page = api.get("/api/v1/app/" + app + "/msg?limit=250" + (iterator == null ? "" : "&iterator=" + iterator));
            page.body().path("data").forEach(m -> ids.add(m.path("id").asText()));
            if (page.body().path("done").asBoolean()) return ids;
            iterator = page.text("iterator");
        }
    }

    private static String serverLog(Path pg) throws Exception {
        var text = new StringBuilder();
        try (Stream<Path> files = Files.list(pg.resolve("log"))) {
            for (Path f : files.toList()) text.append(Files.readString(f));
        }
        return text.toString();
    }

    @Test
    void a_copy_taken_while_a_node_publishes_starts_and_holds_every_message_accepted_before_it() throws Exception {
        Path original = dir.resolve("node");
        Path copy = dir.resolve("copy");
        Set<String> acceptedBefore = new HashSet<>();
        Set<String> acceptedAll = ConcurrentHashMap.newKeySet();
        AtomicInteger acceptedDuring = new AtomicInteger();
        String app;
        try (var node = start(original)) {
            var api = api(node);
            app = api.post("/api/v1/app", json("name", "backed up", "uid", "backed-up")).text("id");
            for (int i = 0; i < 100; i++) acceptedAll.add(api.post("/api/v1/app/" + app + "/msg", json("eventType", "t", "payload", Map.of("i", i))).text("id"));

            AtomicBoolean copying = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            var publisher = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    var r = api.post("/api/v1/app/" + app + "/msg", json("eventType", "t", "payload", Map.of("during", i)));
                    if (r.status() == 202) {
                        acceptedAll.add(r.text("id"));
                        if (copying.get()) acceptedDuring.incrementAndGet();
                    }
                }
            });
            // the publisher under way before the copy begins
            dev.herald.testing.Receiver.await(java.time.Duration.ofSeconds(10), () -> acceptedAll.size() > 110, "publishing under way");
            acceptedBefore.addAll(acceptedAll); // accepted (answered 202) before the copy begins
            copying.set(true);
            var out = new ByteArrayOutputStream();
            assertThat(BackupCommand.run(envFor(original), copy, new PrintStream(out))).isZero();
            copying.set(false);
            stop.set(true);
            publisher.join();
            assertThat(out.toString()).contains("while the server ran").contains("WAL segments").contains("it holds the encryption key")
                    .contains("herald serve --data-dir " + copy.toAbsolutePath());
        }
        System.out.printf("BackupCommandTest: %d accepted before the copy, %d while it was taken, %d in all%n",
                acceptedBefore.size(), acceptedDuring.get(), acceptedAll.size());
        assertThat(acceptedBefore).hasSizeGreaterThan(100);
        // the point: a copy of a database being written to (a copy taken while nothing was published proves less)
        assertThat(acceptedDuring.get()).as("messages accepted while the copy was taken").isPositive();
        assertThat(copy.resolve("pg/backup_label")).exists();
        assertThat(copy.resolve("encryption.key")).hasSameBinaryContentAs(original.resolve("encryption.key"));

        try (var receiver = new Receiver(); var restored = start(copy)) {
            var api = api(restored);
            Set<String> ids = messageIds(api, app);
            assertThat(ids).containsAll(acceptedBefore);
            assertThat(acceptedAll).containsAll(ids); // nothing that was not accepted
            assertThat(serverLog(copy.resolve("pg"))).contains("starting backup recovery").contains("completed backup recovery");
            // the copy works as a node: its endpoint secrets open with the copied key, and it delivers
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/restored")));
            String sent = api.post("/api/v1/app/" + app + "/msg", json("eventType", "t", "payload", Map.of("after", "restore"))).text("id");
            Receiver.await(Duration.ofSeconds(20), () -> receiver.messageIds("/restored").contains(sent), "a message published on the copy delivered");
        }
    }

    @Test
    void a_copy_taken_with_no_node_running_holds_everything() throws Exception {
        Path original = dir.resolve("node");
        Path copy = dir.resolve("copy");
        Set<String> accepted = new HashSet<>();
        String app;
        try (var node = start(original)) {
            var api = api(node);
            app = api.post("/api/v1/app", json("name", "cold", "uid", "cold")).text("id");
            for (int i = 0; i < 50; i++) accepted.add(api.post("/api/v1/app/" + app + "/msg", json("eventType", "t", "payload", Map.of("i", i))).text("id"));
        }
        var out = new ByteArrayOutputStream();
        assertThat(BackupCommand.run(envFor(original), copy, new PrintStream(out))).isZero();
        assertThat(out.toString()).contains("the server stopped");
        assertThat(copy.resolve("pg/postmaster.pid")).doesNotExist();
        try (var restored = start(copy)) {
            assertThat(messageIds(api(restored), app)).isEqualTo(accepted);
        }
        // a copy is not made over anything
        assertThatThrownBy(() -> BackupCommand.run(envFor(original), copy, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not empty");
    }

    @Test
    void an_external_database_is_refused_in_one_line() {
        var env = TestHerald.defaultEnv(); // HERALD_DATABASE_URL set
        assertThatThrownBy(() -> BackupCommand.run(env, dir.resolve("copy"), new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL: ")
                .hasMessageContaining("pg_basebackup");
        assertThat(dir.resolve("copy")).doesNotExist();
    }

    @Test
    void the_command_it_prints_to_start_the_copy_reads_back_as_the_copy_path_in_a_shell() throws Exception {
        for (String path : new String[] {"/backups/herald-2026-12-06", "/tmp/dir with space/bäck up", "/tmp/it's $HOME `x` \\ \"q\""}) {
            String word = BackupCommand.shellWord(path);
            var bash = new ProcessBuilder("bash", "-c", "printf %s " + word).redirectErrorStream(true).start();
            String read = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(bash.waitFor()).isZero();
            assertThat(read).as("bash reading %s", word).isEqualTo(path);
        }
        assertThat(BackupCommand.shellWord("/backups/herald-2026-12-06")).isEqualTo("/backups/herald-2026-12-06");
    }
}
