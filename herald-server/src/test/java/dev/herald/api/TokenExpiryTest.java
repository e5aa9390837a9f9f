package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.ApplicationTokenExpireIn;
import dev.herald.testing.ApiClient;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Application tokens end when asked: logout (the token itself) and expire-all (every token of one application). */
@ExtendWith(TestDatabase.class)
class TokenExpiryTest {
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    static TestHerald herald;
    static Svix svix;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), CLOCK);
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static String app(String name) {
        return herald.api.post("/api/v1/app", json("name", name)).text("id");
    }

    private static ApiClient tenant(String app, String session) throws Exception {
        var in = new AppPortalAccessIn().sessionId(session);
        return herald.api.withToken(svix.getAuthentication().appPortalAccess(app, in).getToken()); // the official SDK's call
    }

    @Test
    void expire_all_with_session_ids_ends_only_the_tokens_made_with_those_sessions() throws Exception {
        String app = app("sessions");
        var s1 = tenant(app, "s1");
        var s1again = tenant(app, "s1");
        var s2 = tenant(app, "s2");
        var none = tenant(app);
        for (var t : List.of(s1, s1again, s2, none)) assertThat(t.get("/api/v1/app/" + app).status()).isEqualTo(200);

        svix.getAuthentication().expireAll(app, new ApplicationTokenExpireIn().sessionIds(List.of("s1", "s-unknown")));
        assertThat(s1.get("/api/v1/app/" + app).status()).isEqualTo(401);
        assertThat(s1again.get("/api/v1/app/" + app).status()).isEqualTo(401);
        assertThat(s2.get("/api/v1/app/" + app).status()).as("another session").isEqualTo(200);
        assertThat(none.get("/api/v1/app/" + app).status()).as("a token made without a session").isEqualTo(200);

        // an empty list is no list (as Svix reads it): every token
        svix.getAuthentication().expireAll(app, new ApplicationTokenExpireIn().sessionIds(List.of()));
        assertThat(s2.get("/api/v1/app/" + app).status()).isEqualTo(401);
        assertThat(none.get("/api/v1/app/" + app).status()).isEqualTo(401);

        for (String bad : List.of("{\"sessionIds\":\"s1\"}", "{\"sessionIds\":[1]}", "{\"sessionIds\":[\"\"]}")) {
            var refused = herald.api.post("/api/v1/auth/app/" + app + "/expire-all", bad);
            assertThat(refused.status()).as(bad).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"sessionIds\"]");
        }
        var tooLong = herald.api.post("/api/v1/auth/app-portal-access/" + app, json("sessionId", "s".repeat(257)));
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"sessionId\"]");
    }

    private static ApiClient tenant(String app) {
        return herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token"));
    }

    @Test
    void a_logged_out_token_is_refused_at_once_and_an_admin_token_cannot_log_out() {
        String app = app("logout");
        var token = tenant(app);
        var other = tenant(app);
        assertThat(token.get("/api/v1/app/" + app).status()).isEqualTo(200); // now in the lookup cache
        assertThat(token.post("/api/v1/auth/logout", null).status()).isEqualTo(204);
        var refused = token.get("/api/v1/app/" + app);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("code")).isEqualTo("authentication_failed");
        assertThat(other.get("/api/v1/app/" + app).status()).as("another token of the app").isEqualTo(200);

        var admin = herald.api.post("/api/v1/auth/logout", null);
        assertThat(admin.status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app").status()).isEqualTo(200);
    }

    @Test
    void expire_all_ends_one_applications_tokens_now_or_after_the_given_seconds() throws Exception {
        String a = app("expire-a");
        String b = app("expire-b");
        var a1 = tenant(a);
        var a2 = tenant(a);
        var b1 = tenant(b);
        for (var t : List.of(a1, a2)) assertThat(t.get("/api/v1/app/" + a).status()).isEqualTo(200);

        svix.getAuthentication().expireAll(a, new ApplicationTokenExpireIn()); // the official SDK's call
        assertThat(a1.get("/api/v1/app/" + a).status()).isEqualTo(401);
        assertThat(a2.get("/api/v1/app/" + a).status()).isEqualTo(401);
        assertThat(b1.get("/api/v1/app/" + b).status()).as("another application's token").isEqualTo(200);

        var later = tenant(a);
        assertThat(later.get("/api/v1/app/" + a).status()).as("a token made after").isEqualTo(200);
        assertThat(herald.api.post("/api/v1/auth/app/" + a + "/expire-all", "{\"expiry\":3600}").status()).isEqualTo(204);
        CLOCK.advance(Duration.ofMinutes(59));
        assertThat(later.get("/api/v1/app/" + a).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofMinutes(2));
        assertThat(later.get("/api/v1/app/" + a).status()).isEqualTo(401);

        assertThat(tenant(b).post("/api/v1/auth/app/" + b + "/expire-all", "{}").status())
                .as("an application token cannot expire tokens").isEqualTo(403);
    }
}
