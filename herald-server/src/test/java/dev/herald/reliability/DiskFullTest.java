package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.testing.ApiClient;
import dev.herald.testing.Commands;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The disk under the embedded PostgreSQL fills up (payloads and attempts grow until it does): Herald's data directory is
 * a small file system of the test's own (tmpfs), and a ballast file takes its room. PostgreSQL refuses what it cannot
 * store, then stops itself when its log of changes cannot be written. Herald answers 503 throughout, loses nothing it
 * accepted, and once there is room again starts PostgreSQL again by itself and carries on.
 */
@Tag("kill")
class DiskFullTest {
    /** What the ballast leaves free: room for a few thousand more messages, so the log of changes runs out too. */
    static final long ROOM = 20L << 20;

    @Test
    void a_full_disk_refuses_new_messages_with_503_loses_none_accepted_and_delivery_resumes_once_there_is_room() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a file system needs root");
        Path mount = Files.createTempDirectory("herald-diskfull");
        // the data directory's file system holds the PostgreSQL binaries too (pg.bin, about 60 MB); root without the
        // capability to mount (a container's default) skips, as a user would
        var mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=240m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String mountOutput = new String(mounted.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assumeTrue(mounted.waitFor() == 0, "cannot mount a tmpfs here: " + mountOutput.trim());
        try {
            var env = TestHerald.embeddedEnv(mount.resolve("herald")); // the embedded PostgreSQL, in the data directory
            try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
                ApiClient api = herald.api;
                String app = api.post("/api/v1/app", json("name", "disk full")).text("id");
                api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/d")));
                Set<String> accepted = ConcurrentHashMap.newKeySet();
                String payload = "{\"eventType\":\"t\",\"payload\":{\"pad\":\"" + "x".repeat(2_000) + "\"}}";

                Path ballast = mount.resolve("ballast");
                long filled = fill(ballast);
                try (var file = FileChannel.open(ballast, StandardOpenOption.WRITE)) {
                    file.truncate(filled - ROOM);
                }
                // publish until refused three times in a row: the room fills, PostgreSQL refuses, then stops
                var statuses = new TreeMap<Integer, Integer>();
                List<String> unexpected = new ArrayList<>();
                for (int i = 0, refusedInARow = 0; i < 50_000 && refusedInARow < 3; i++) {
                    var r = api.post("/api/v1/app/" + app + "/msg", payload);
                    statuses.merge(r.status(), 1, Integer::sum);
                    if (r.status() == 202) {
                        accepted.add(r.text("id"));
                        refusedInARow = 0;
                    } else {
                        refusedInARow++;
                        if (r.status() != 503) unexpected.add(r.toString());
                    }
                }
                System.out.println("DiskFullTest: publishing into a filling disk: " + statuses);
                assertThat(unexpected).as("every refusal a 503").isEmpty();
                assertThat(statuses.get(202)).as("accepted until the disk was full").isGreaterThan(100);
                // 204 while PostgreSQL is up and refusing what it cannot store, 503 once it has stopped itself
                assertThat(api.withToken(null).get("/api/v1/health").status()).as("health while the disk is full").isIn(204, 503);

                // PostgreSQL stops itself when its log of changes cannot be written (it did in most runs; where a recycled
                // log file had room, it went on refusing): stopped here in any case, as it would be, with the disk full
                Path pid = mount.resolve("herald/pg/postmaster.pid");
                boolean stoppedItself = !Files.exists(pid) || ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim()))
                        .map(p -> !p.destroyForcibly()).orElse(true);
                System.out.println("DiskFullTest: PostgreSQL had stopped itself: " + stoppedItself);
                Receiver.await(Duration.ofSeconds(30), () -> api.withToken(null).get("/api/v1/health").status() == 503,
                        "health 503 while PostgreSQL is stopped");

                Files.delete(ballast);
                long freedAt = System.nanoTime();
                // started again within seconds of the room made: not after a start on the full disk waited out 60 s
                Receiver.await(Duration.ofSeconds(15), () -> {
                    var r = api.post("/api/v1/app/" + app + "/msg", payload);
                    if (r.status() == 202) accepted.add(r.text("id"));
                    return r.status() == 202;
                }, "publishing accepted again once the disk has room");
                System.out.printf("DiskFullTest: accepted again %d ms after the room was made%n",
                        Duration.ofNanos(System.nanoTime() - freedAt).toMillis());
                Receiver.await(Duration.ofSeconds(120), () -> receiver.messageIds("/d").containsAll(accepted), "all " + accepted.size() + " accepted messages delivered");
            }
        } finally {
            unmount(mount);
        }
    }

    /** Writes {@code file} until the file system has no room left; answers its size. */
    private static long fill(Path file) throws IOException {
        byte[] block = new byte[1 << 20];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) throw full;
        }
        // the last partial block: a byte at a time would take long; 4 KiB pages are what tmpfs hands out
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
            byte[] page = new byte[4096];
            while (true) {
                out.write(page);
                written += page.length;
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) throw full;
        }
        return written;
    }

    /** A file the JVM has just closed may keep the file system busy for a moment: then it goes when no longer used. */
    private static void unmount(Path mount) throws Exception {
        try {
            Commands.run(List.of("umount", mount.toString()), true);
        } catch (IllegalStateException busy) {
            Commands.run(List.of("umount", "--lazy", mount.toString()), true);
        }
        Files.deleteIfExists(mount);
    }
}
