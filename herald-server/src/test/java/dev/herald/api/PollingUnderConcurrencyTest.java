package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The polling promise under real concurrency: two nodes on one database publish at once, in many concurrent batches,
 * while a reader polls all along, each page from the last one's iterator. It must end with every accepted message
 * exactly once: a message committed after the reader passed its place would be missing. A leased consumer reading
 * through the other node, committing each page, must end the same way.
 */
@ExtendWith(TestDatabase.class)
class PollingUnderConcurrencyTest {
    @Test
    void a_reader_polling_while_two_nodes_publish_gets_every_message_once() throws Exception {
        try (var a = TestHerald.start(); var b = TestHerald.start(); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            String app = a.api.post("/api/v1/app", json("name", "Busy")).text("id");
            String sink = a.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
            var accepted = ConcurrentHashMap.<String>newKeySet();
            var publishing = new AtomicBoolean(true);
            var publishers = new ArrayList<Future<?>>();
            for (int t = 0; t < 16; t++) {
                ApiClient node = t % 2 == 0 ? a.api : b.api;
                publishers.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        var sent = node.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
                        assertThat(sent.status()).isEqualTo(202);
                        accepted.add(sent.text("id"));
                    }
                    return null;
                }));
            }
            var read = new ArrayList<String>();
            var reader = pool.submit(() -> {
                String iterator = null;
                long deadline = Long.MAX_VALUE;
                while (true) {
                    // once every publish is answered, read on until as many have come as were accepted (a skipped
                    // message never comes, and the deadline ends the wait); other transactions may hold the fence a moment
                    if (!publishing.get() && deadline == Long.MAX_VALUE) deadline = System.nanoTime() + 20_000_000_000L;
                    if (!publishing.get() && (read.size() >= accepted.size() || System.nanoTime() > deadline)) return null;
                    var page = a.api.get("/api/v1/app/" + app + "/poller/" + sink + "?limit=7"
                            + (iterator == null ? "" : "&iterator=" + iterator)).body();
                    page.path("data").forEach(m -> read.add(m.path("id").asText()));
                    iterator = page.path("iterator").asText();
                }
            });
            // and a leased consumer through the other node, committing each page as it goes
            var leasedRead = new ArrayList<String>();
            var leasedReader = pool.submit(() -> {
                String consumer = "/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/worker";
                long deadline = Long.MAX_VALUE;
                while (true) {
                    if (!publishing.get() && deadline == Long.MAX_VALUE) deadline = System.nanoTime() + 20_000_000_000L;
                    if (!publishing.get() && (leasedRead.size() >= accepted.size() || System.nanoTime() > deadline)) return null;
                    var page = b.api.get(consumer + "?limit=7&lease_duration_ms=600000");
                    assertThat(page.status()).as(page.raw()).isEqualTo(200);
                    var data = page.body().path("data");
                    if (data.isEmpty()) continue;
                    data.forEach(m -> leasedRead.add(m.path("id").asText()));
                    long last = data.get(data.size() - 1).path("offset").asLong();
                    assertThat(b.api.post(consumer + "/commit", "{\"offset\":" + last + "}").status()).isEqualTo(204);
                }
            });
            for (var p : publishers) p.get();
            publishing.set(false);
            reader.get();
            leasedReader.get();
            assertThat(accepted).hasSize(16 * 60);
            for (var got : List.of(read, leasedRead)) {
                Set<String> distinct = new HashSet<>(got);
                assertThat(distinct).as("no message twice").hasSize(got.size());
                assertThat(distinct).as("every accepted message, none missing").isEqualTo(accepted);
            }
        }
    }
}
