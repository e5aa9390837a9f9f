package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's embedded PostgreSQL is killed outright under load (SIGKILL to the postmaster, as the kernel's out-of-memory
 * killer does): Herald answers 503 meanwhile, starts it again by itself, PostgreSQL recovers from its log of changes, and
 * every message answered 2xx is delivered.
 */
@Tag("kill")
class EmbeddedPostgresCrashTest {
    @TempDir
    Path dataDir;

    @Test
    void the_embedded_postgresql_killed_under_load_is_started_again_and_nothing_accepted_is_lost() throws Exception {
        var env = TestHerald.embeddedEnv(dataDir); // the embedded PostgreSQL, durable, in the data directory
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "crash")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/c")));

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            List<String> unexpected = new CopyOnWriteArrayList<>();
            var refused = new java.util.concurrent.atomic.AtomicInteger();
            var publishing = new AtomicBoolean(true);
            var publishers = new Thread[4];
            for (int t = 0; t < publishers.length; t++) {
                publishers[t] = Thread.ofPlatform().start(() -> {
                    while (publishing.get()) {
                        var r = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
                        if (r.status() == 202) accepted.add(r.text("id"));
                        else if (r.status() == 503) refused.incrementAndGet();
                        else unexpected.add(r.toString());
                    }
                });
            }
            try {
                Receiver.await(Duration.ofSeconds(20), () -> accepted.size() >= 500, "publishing under way");
                long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).trim());
                ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();
                int acceptedAtKill = accepted.size();
                Receiver.await(Duration.ofSeconds(60), () -> refused.get() > 0 && accepted.size() >= acceptedAtKill + 500,
                        "publishing accepted again after the restart");
            } finally {
                publishing.set(false);
                for (Thread t : publishers) t.join();
            }
            System.out.printf("EmbeddedPostgresCrashTest: %d accepted, %d refused with 503 around the kill%n", accepted.size(), refused.get());
            assertThat(unexpected).as("every answer a 202 or a 503").isEmpty();
            Receiver.await(Duration.ofSeconds(60), () -> receiver.messageIds("/c").containsAll(accepted), "every accepted message delivered");
        }
    }
}
