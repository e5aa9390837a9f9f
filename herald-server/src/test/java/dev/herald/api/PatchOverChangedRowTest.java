package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.outbound.AddressGuard;
import dev.herald.outbound.UrlPolicy;
import dev.herald.store.ApplicationStore;
import dev.herald.store.EndpointHealthStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import dev.herald.security.SecretBox;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PATCH works out every column from the row it read. Written over a change made between its read and its write (the
 * recorder disabling the endpoint, another PATCH of its headers), it undid that change: a disabled endpoint came back on.
 * Here the change lands between the read and the write by construction: the PATCH is handed the row as it was.
 */
@ExtendWith(TestDatabase.class)
class PatchOverChangedRowTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private final EndpointStore endpoints = new EndpointStore(TestDatabase.jdbi(),
            new SecretBox(Base64.getDecoder().decode(TestHerald.ENCRYPTION_KEY), List.of()));
    private final EndpointRoutes routes = new EndpointRoutes(endpoints, new EventTypeStore(TestDatabase.jdbi()),
            new AppResolver(new ApplicationStore(TestDatabase.jdbi())), Clock.systemUTC(), 100,
            new UrlPolicy(new AddressGuard(List.of()), false), EndpointListener.NONE, () -> "whsec_" + "A".repeat(32));

    private static Body body(String json) {
        return Body.of(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_patch_does_not_undo_a_disable_made_after_its_read() {
        String app = herald.api.post("/api/v1/app", json("name", "race")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/h")).text("id");
        var application = new ApplicationStore(TestDatabase.jdbi()).find(app).orElseThrow();
        var read = endpoints.find(app, ep).orElseThrow();

        TestDatabase.jdbi().useHandle(h -> new EndpointHealthStore().disableNow(h, Set.of(ep), Instant.now()));
        var patched = routes.patch(application, read, body("{\"description\":\"renamed\"}"));

        assertThat(patched.description()).isEqualTo("renamed");
        assertThat(patched.disabled()).as("disabled meanwhile, and still").isTrue();
        assertThat(endpoints.find(app, ep).orElseThrow().disabled()).isTrue();
    }

    @Test
    void two_header_patches_keep_each_other_s_headers() {
        String app = herald.api.post("/api/v1/app", json("name", "race")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/h")).text("id");
        var read = endpoints.find(app, ep).orElseThrow();

        assertThat(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/headers", json("headers", Map.of("X-A", "a"))).status())
                .isEqualTo(204);
        routes.patchHeaders(read, body("{\"headers\":{\"X-B\":\"b\"}}"));

        // sealed at rest: opened as the headers route reads them
        assertThat(endpoints.headersOf(endpoints.find(app, ep).orElseThrow()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("X-A", "a", "X-B", "b"));
    }
}
