package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.AtOnce;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_MAX_ENDPOINTS_PER_APP holds when many creates race: no count-then-insert window. */
@ExtendWith(TestDatabase.class)
class ConcurrentEndpointLimitTest {
    static final int LIMIT = 5;
    static final int ATTEMPTS = 30;
    static TestHerald herald;

    @BeforeAll
    static void start() {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_MAX_ENDPOINTS_PER_APP", Integer.toString(LIMIT));
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start(env, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @RepeatedTest(3)
    void exactly_the_limit_of_concurrent_creates_succeed() throws Exception {
        String app = herald.api.post("/api/v1/app", json("name", "Racy")).text("id");
        String path = "/api/v1/app/" + app + "/endpoint";
        var results = AtOnce.run(ATTEMPTS, i -> herald.api.post(path, json("url", "https://example.com/hook/" + i)));
        int created = 0;
        for (var result : results) {
            var response = result;
            if (response.status() == 201) {
                created++;
            } else {
                assertThat(response.status()).as("%s", response).isBetween(400, 499);
                assertThat(response.text("code")).isEqualTo("limit_reached");
            }
        }
        assertThat(created).isEqualTo(LIMIT);
        assertThat(herald.api.get(path).body().path("data")).hasSize(LIMIT);
        assertThat(TestDatabase.jdbi().<Integer, RuntimeException>withHandle(h -> h.createQuery("select count(*) from endpoint where app_id = :app")
                .bind("app", app).mapTo(Integer.class).one())).isEqualTo(LIMIT);
    }

    @Test
    void the_limit_is_per_application_and_frees_up_on_delete() {
        String first = herald.api.post("/api/v1/app", json("name", "First")).text("id");
        String second = herald.api.post("/api/v1/app", json("name", "Second")).text("id");
        var ids = new ArrayList<String>();
        for (int i = 0; i < LIMIT; i++) {
            ids.add(herald.api.post("/api/v1/app/" + first + "/endpoint", json("url", "https://example.com/" + i)).text("id"));
        }
        var over = herald.api.post("/api/v1/app/" + first + "/endpoint", json("url", "https://example.com/over"));
        Problems.assertError(over, 409, "limit_reached");
        var overByPut = herald.api.put("/api/v1/app/" + first + "/endpoint/by-put", json("url", "https://example.com/put"));
        Problems.assertError(overByPut, 409, "limit_reached");
        assertThat(herald.api.post("/api/v1/app/" + second + "/endpoint", json("url", "https://example.com/x")).status())
                .isEqualTo(201);
        assertThat(herald.api.delete("/api/v1/app/" + first + "/endpoint/" + ids.get(0)).status()).isEqualTo(204);
        assertThat(herald.api.post("/api/v1/app/" + first + "/endpoint", json("url", "https://example.com/again"))
                .status()).isEqualTo(201);
    }
}
