package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The app portal embedded in the operator's own dashboard (HERALD_PORTAL_FRAME_ANCESTORS), as Svix's is: only the
 * origins named may frame it, its cookie is one a frame receives, and changes still need the portal's own pages.
 */
@ExtendWith(TestDatabase.class)
class FramedPortalTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_PORTAL_FRAME_ANCESTORS", "https://dash.example.com, http://localhost:3000");
        herald = TestHerald.start(env, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void only_the_named_origins_may_frame_the_portal_and_its_cookie_reaches_their_frames() {
        String app = herald.api.post("/api/v1/app", json("name", "Framed")).text("id");
        String link = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("url");
        var browser = new PortalBrowser(herald.baseUrl());
        var signIn = browser.get("/portal/" + app);
        assertThat(signIn.header("Content-Security-Policy"))
                .endsWith("frame-ancestors https://dash.example.com http://localhost:3000");

        var session = browser.open(link);
        assertThat(session.status()).isEqualTo(204);
        assertThat(session.header("Set-Cookie"))
                .contains("HttpOnly").contains("; SameSite=None; Secure; Partitioned").doesNotContain("Strict");
        assertThat(browser.get("/portal/" + app + "/endpoints").status()).isEqualTo(200);
        // a cookie any site's request now carries: a change still needs the portal's own pages
        assertThat(browser.post("/portal/" + app + "/endpoints", Map.of("url", "https://example.com/x"), false).status())
                .isEqualTo(403);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();
    }

    @Test
    void the_dashboard_is_never_framed_and_keeps_its_strict_cookie() {
        var operator = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        assertThat(operator.get("/dashboard").header("Content-Security-Policy")).endsWith("frame-ancestors 'none'");
        var signIn = operator.post("/dashboard/session", Map.of("token", TestHerald.ADMIN_TOKEN));
        assertThat(signIn.header("Set-Cookie")).contains("SameSite=Strict").doesNotContain("SameSite=None");
    }
}
