package dev.herald.api;

import static dev.herald.api.Problems.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HERALD_MAX_PAYLOAD_BYTES is the largest request body accepted, to the byte (it was 64 KiB more until session 27). */
class RequestBodyLimitTest {
    private static final int LIMIT = 4096;
    private static TestHerald herald;

    @BeforeAll
    static void start() {
        TestDatabase.clean();
        var env = TestHerald.defaultEnv();
        env.put("HERALD_MAX_PAYLOAD_BYTES", Integer.toString(LIMIT));
        herald = TestHerald.start(env, Clock.systemUTC());
        assertThat(herald.api.post("/api/v1/app", "{\"name\":\"Acme\",\"uid\":\"acme\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** A message whose request body is exactly {@code bytes} long. */
    private static byte[] messageOf(int bytes) {
        String head = "{\"eventType\":\"a.b\",\"payload\":{\"x\":\"";
        String tail = "\"}}";
        byte[] body = (head + "y".repeat(bytes - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
        assertThat(body).hasSize(bytes);
        return body;
    }

    @Test
    void a_body_of_the_limit_is_accepted_and_one_byte_more_is_a_413_that_stores_nothing() {
        var atLimit = herald.api.sendBytes("POST", "/api/v1/app/acme/msg", messageOf(LIMIT));
        assertThat(atLimit.status()).as("%s", atLimit).isEqualTo(202);

        var over = herald.api.sendBytes("POST", "/api/v1/app/acme/msg", messageOf(LIMIT + 1));
        assertError(over, 413, "payload_too_large");
        assertThat(herald.api.get("/api/v1/app/acme/msg").body().path("data")).hasSize(1);
    }
}
