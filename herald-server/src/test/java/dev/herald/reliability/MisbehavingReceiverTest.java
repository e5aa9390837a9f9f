package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Receivers that misbehave at the socket level, side by side with a healthy one: each misbehaviour is a
 * failed attempt with a clear errorMessage, none holds a worker past the request timeout, memory stays
 * bounded, and the healthy endpoint's deliveries go on meanwhile.
 */
@ExtendWith(TestDatabase.class)
class MisbehavingReceiverTest {
    /** A raw HTTP server whose behaviour is chosen by the request path. */
    static final class RudeServer implements AutoCloseable {
        final ServerSocket socket;
        final Thread acceptor;

        RudeServer() throws IOException {
            socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        static void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                String path = readRequest(in);
                switch (path) {
                    case "/hang" -> Thread.sleep(10_000);
                    case "/late-200" -> {
                        Thread.sleep(9_000); // far past the 5 s timeout, which a loaded host's timer may fire late
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    }
                    case "/dribble" -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        for (int i = 0; i < 100; i++) {
                            out.write('x');
                            out.flush();
                            Thread.sleep(100);
                        }
                    }
                    case "/endless" -> {
                        out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = ("10000\r\n" + "y".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        for (int i = 0; i < 10_000; i++) out.write(chunk);
                    }
                    case "/fifty-mb" -> {
                        out.write("HTTP/1.1 500 Server Error\r\nContent-Length: 52428800\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        byte[] block = new byte[1 << 20];
                        for (int i = 0; i < 50; i++) out.write(block);
                    }
                    case "/reset" -> {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.setSoLinger(true, 0);
                    }
                    case "/garbage" -> out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    case "/close" -> { /* close without a byte */ }
                    default -> out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException | InterruptedException e) {
                // the client went away: expected for most paths
            }
        }

        /** Reads the request head and its Content-Length body; returns the path. */
        static String readRequest(InputStream in) throws IOException {
            var head = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
            }
            String text = head.toString();
            int length = 0;
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            }
            in.readNBytes(length);
            String first = text.isEmpty() ? "" : text.substring(0, text.indexOf("\r\n"));
            String[] parts = first.split(" ");
            return parts.length > 1 ? parts[1] : "";
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void each_misbehaviour_is_a_clear_failed_attempt_and_healthy_delivery_goes_on() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        // 5 s: a healthy delivery that waited for a rude one's slot would come after it, past the 4 s allowed below
        env.put("HERALD_REQUEST_TIMEOUT", "5s");
        env.put("HERALD_RETRY_SCHEDULE", "0");
        try (var rude = new RudeServer(); var healthy = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "rude")).text("id");
            herald.api.post("/api/v1/event-type", json("name", "rude", "description", "to the rude server"));
            herald.api.post("/api/v1/event-type", json("name", "fine", "description", "to the healthy one"));
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String path : new String[] {"/hang", "/late-200", "/dribble", "/endless", "/fifty-mb", "/reset", "/garbage", "/close"}) {
                var r = herald.api.post("/api/v1/app/" + app + "/endpoint",
                        json("url", "http://127.0.0.1:" + rude.port() + path, "filterTypes", java.util.List.of("rude")));
                endpoints.put(r.text("id"), path);
            }
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", healthy.url("/ok"), "filterTypes", java.util.List.of("fine")));
            Runtime runtime = Runtime.getRuntime();
            for (int i = 0; i < 5; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"rude\",\"payload\":{\"i\":" + i + "}}");
            // the healthy endpoint is served while every rude one is still misbehaving
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"fine\",\"payload\":{\"i\":" + i + "}}");
            // within the request timeout: healthy deliveries never wait for a misbehaving endpoint's slot
            Receiver.await(Duration.ofSeconds(4), () -> healthy.requests("/ok").size() == 50, "healthy deliveries during the mess");
            long healthyMillis = (System.nanoTime() - start) / 1_000_000;

            for (var entry : endpoints.entrySet()) {
                Receiver.await(Duration.ofSeconds(15), () -> herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + entry.getKey())
                        .body().path("data").size() == 5, "5 attempts at " + entry.getValue());
            }
            long allMillis = (System.nanoTime() - start) / 1_000_000;
            var report = new StringBuilder();
            for (var entry : endpoints.entrySet()) {
                var attempts = herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + entry.getKey()).body().path("data");
                for (var attempt : attempts) {
                    if (entry.getValue().equals("/endless")) {
                        // the receiver did answer 200: Herald takes it, reads 20 KB + 1 MiB of the body and hangs up
                        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(200);
                        assertThat(attempt.path("response").asText().length()).isLessThanOrEqualTo(20_480);
                        continue;
                    }
                    if (entry.getValue().equals("/dribble") || entry.getValue().equals("/reset")) {
                        // a 200 head, then a body that drips past the timeout or breaks off: the receiver has the webhook
                        // (the status decides, as in Svix), and what went wrong after it is noted on the attempt
                        assertThat(attempt.path("status").asInt()).as(entry.getValue()).isZero();
                        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(200);
                        assertThat(attempt.path("errorMessage").asText("")).as(entry.getValue()).isNotBlank();
                        assertThat(attempt.path("responseDurationMs").asLong()).isLessThan(7_500);
                        continue;
                    }
                    assertThat(attempt.path("status").asInt()).as(entry.getValue()).isEqualTo(2);
                    assertThat(attempt.path("responseDurationMs").asLong()).as(entry.getValue() + " held no longer than the timeout")
                            .isLessThan(7_500);
                    boolean explained = !attempt.path("errorMessage").asText("").isBlank() || attempt.path("responseStatusCode").asInt() >= 400;
                    assertThat(explained).as(entry.getValue() + " has an error message or a failing status: " + attempt).isTrue();
                    assertThat(attempt.path("response").asText().length()).isLessThanOrEqualTo(20_480);
                }
                report.append(String.format("  %-10s status=%d error=%s%n", entry.getValue(), attempts.get(0).path("responseStatusCode").asInt(),
                        attempts.get(0).path("errorMessage").asText()));
            }
            System.gc();
            long usedMb = (runtime.totalMemory() - runtime.freeMemory()) >> 20;
            System.out.printf("misbehaving receivers (healthy served in %d ms, all recorded in %d ms, heap used after %d MB):%n%s",
                    healthyMillis, allMillis, usedMb, report);
            assertThat(usedMb).as("heap after 50 MB and endless bodies").isLessThan(400);
        }
    }
}
