package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.TokenStore;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's dashboard over real HTTP: its sign-in, the applications, the delivery switch, a portal opened. */
@ExtendWith(TestDatabase.class)
class DashboardTest {
    static TestHerald herald;
    PortalBrowser operator;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void signedIn() {
        operator = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        var signIn = operator.post("/dashboard/session", Map.of("token", TestHerald.ADMIN_TOKEN));
        assertThat(signIn.status()).isEqualTo(204);
        assertThat(signIn.header("HX-Redirect")).isEqualTo("/dashboard/apps");
    }

    @Test
    void the_admin_token_is_taken_once_for_a_session_of_its_own_that_ends() {
        var page = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE).get("/dashboard");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("type=\"password\" name=\"token\"");
        assertThat(page.header("Content-Security-Policy")).contains("frame-ancestors 'none'");

        var fresh = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        var signIn = fresh.post("/dashboard/session", Map.of("token", TestHerald.ADMIN_TOKEN));
        assertThat(signIn.header("Set-Cookie"))
                .startsWith(DashboardRoutes.COOKIE + "=sk_")
                .contains("; Path=/dashboard;").contains("HttpOnly").contains("SameSite=Strict").contains("Max-Age=43200")
                .doesNotContain(TestHerald.ADMIN_TOKEN);
        assertThat(fresh.get("/dashboard/apps").status()).isEqualTo(200);
        // the session is an admin token that ends: it is not the lasting admin token a first start looks for
        assertThat(new TokenStore(herald.herald.database().jdbi()).anyAdminToken()).isFalse();
    }

    @Test
    void only_an_admin_token_signs_in() {
        String app = herald.api.post("/api/v1/app", json("name", "A")).text("id");
        String appToken = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token");
        var stranger = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        for (String token : new String[] {appToken, "sk_wrong", ""}) {
            var refused = stranger.post("/dashboard/session", Map.of("token", token));
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("That is not an admin token");
            assertThat(refused.header("Set-Cookie")).isNull();
            assertThat(refused.header("HX-Refresh")).isNull(); // the sign-in form stays, with the refusal beside it
        }
        var none = stranger.get("/dashboard/apps");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body()).contains("Your dashboard session has ended").contains("Sign in again at /dashboard");
        stranger.setCookie(appToken, "/dashboard");
        assertThat(stranger.get("/dashboard/apps").status()).isEqualTo(401);
    }

    @Test
    void the_operator_adds_an_application_through_the_apis_checks() {
        assertThat(operator.get("/dashboard/apps").body()).contains("Add an application");
        var made = operator.post("/dashboard/apps", Map.of("name", "Acme Corp", "uid", "acme"));
        assertThat(made.status()).isEqualTo(201);
        assertThat(made.header("HX-Redirect")).isEqualTo("/dashboard/apps");
        assertThat(herald.api.get("/api/v1/app/acme").text("name")).isEqualTo("Acme Corp");
        assertThat(operator.get("/dashboard/apps").body()).contains("Acme Corp");

        var twice = operator.post("/dashboard/apps", Map.of("name", "Other", "uid", "acme"));
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.body()).contains("id=\"new-application\"").contains("value=\"Other\"");
        var badUid = operator.post("/dashboard/apps", Map.of("name", "Bad", "uid", "no spaces"));
        assertThat(badUid.status()).isEqualTo(422);
        assertThat(badUid.body()).contains("notice error");
        assertThat(operator.post("/dashboard/apps", Map.of("name", "", "uid", "")).status()).isEqualTo(422);
        assertThat(operator.post("/dashboard/apps", Map.of("name", "Forged", "uid", "forged"), false).status())
                .as("a form another site posts").isEqualTo(403);
        assertThat(new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE).post("/dashboard/apps", Map.of("name", "x", "uid", ""))
                .status()).isEqualTo(401);
        assertThat(herald.api.get("/api/v1/app?limit=250").body().path("data").findValuesAsText("name")).containsExactly("Acme Corp");
    }

    @Test
    void the_applications_are_listed_as_text_a_page_at_a_time() {
        herald.api.post("/api/v1/app", json("name", "<script>alert(1)</script>", "uid", "scripted"));
        for (int i = 0; i < 51; i++) herald.api.post("/api/v1/app", json("name", "App " + i));
        var first = operator.get("/dashboard/apps").body();
        assertThat(first).contains("App 50").doesNotContain("<script>alert").doesNotContain("scripted");
        var older = java.util.regex.Pattern.compile("href=\"([^\"]+)\">Older").matcher(first);
        assertThat(older.find()).isTrue();
        var second = operator.get(older.group(1)).body();
        assertThat(second).contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("scripted").contains("Newer");
    }

    @Test
    void an_application_is_found_by_its_id_or_uid() {
        String app = herald.api.post("/api/v1/app", json("name", "Findable", "uid", "findable-co")).text("id");
        herald.api.post("/api/v1/app", json("name", "Other"));
        for (String key : new String[] {app, "findable-co"}) {
            var found = operator.get("/dashboard/apps?find=" + key).body();
            assertThat(found).contains("Findable").doesNotContain("Other").contains("/dashboard/apps/" + app + "/portal");
        }
        assertThat(operator.get("/dashboard/apps?find=no-such-app").body()).contains("No application has the id or uid no-such-app");
        // Herald's own application (the operational webhook endpoints') is not one of them
        assertThat(operator.get("/dashboard/apps?find=herald:operational").body()).contains("No application has the id or uid");
    }

    @Test
    void the_switch_holds_and_resumes_all_delivery_and_only_from_the_page() {
        assertThat(operator.get("/dashboard/apps").body()).contains("Delivery is running.");
        assertThat(operator.post("/dashboard/pause", Map.of(), false).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean()).isFalse();

        var held = operator.post("/dashboard/pause", Map.of());
        assertThat(held.status()).isEqualTo(204);
        assertThat(held.header("HX-Refresh")).isEqualTo("true");
        assertThat(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean()).isTrue();
        assertThat(operator.get("/dashboard/apps").body()).contains("All delivery is held");

        operator.post("/dashboard/resume", Map.of());
        assertThat(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean()).isFalse();
    }

    @Test
    void an_applications_portal_opens_from_the_dashboard_with_a_token_of_its_own() {
        String app = herald.api.post("/api/v1/app", json("name", "Acme")).text("id");
        herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/acme"));
        var open = operator.post("/dashboard/apps/" + app + "/portal", Map.of());
        assertThat(open.status()).isEqualTo(204);
        String link = open.header("HX-Redirect");
        assertThat(link).startsWith("/portal/" + app + "#token=appsk_");
        var customer = new PortalBrowser(herald.baseUrl());
        assertThat(customer.open(herald.baseUrl() + link).status()).isEqualTo(204);
        assertThat(customer.get("/portal/" + app + "/endpoints").body()).contains("http://127.0.0.1:9/acme");
        assertThat(operator.post("/dashboard/apps/app_nosuchapplication000000000000/portal", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void signing_out_ends_the_session_token() {
        String session = operator.cookie();
        assertThat(herald.api.withToken(session).get("/api/v1/app").status()).isEqualTo(200);
        var out = operator.post("/dashboard/logout", Map.of());
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("HX-Redirect")).isEqualTo("/dashboard");
        assertThat(operator.cookie()).isNull();
        assertThat(herald.api.withToken(session).get("/api/v1/app").status()).isEqualTo(401);
        var stale = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        stale.setCookie(session, "/dashboard");
        assertThat(stale.get("/dashboard/apps").status()).isEqualTo(401);
        // the lasting admin token still works
        assertThat(herald.api.get("/api/v1/app").status()).isEqualTo(200);
    }
}
