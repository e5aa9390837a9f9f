package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dashboard's health page and the same figures as gauges on /metrics: the queue's backlog and lag, failing endpoints. */
@ExtendWith(TestDatabase.class)
class DashboardHealthTest {
    static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    static TestHerald herald;
    PortalBrowser operator;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), CLOCK);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void signedIn() {
        operator = PortalBrowser.dashboardSignedIn(herald);
    }

    private static String metrics() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(herald.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static double gauge(String metrics, String name) {
        var m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(2));
    }

    @Test
    void held_deliveries_show_as_due_and_their_wait_as_lag() throws Exception {
        assertThat(herald.api.post("/api/v1/admin/pause", "").status()).isIn(200, 204);
        try (var receiver = new dev.herald.testing.Receiver()) {
            String app = herald.api.post("/api/v1/app", json("name", "Backlog")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/held")));
            for (int i = 0; i < 3; i++) {
                assertThat(herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(202);
            }
            CLOCK.advance(Duration.ofSeconds(90));
            var page = operator.get("/dashboard/health");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("<dd id=\"due\">3</dd>").contains("<dd id=\"later\">0 ")
                    .contains("All delivery is held").containsPattern("<dd id=\"lag\">9[0-9]\\.[0-9] s")
                    .containsPattern("<dd id=\"deletes\">[0-9]+ ");
            String metrics = metrics();
            assertThat(gauge(metrics, "herald_queue_due")).isEqualTo(3.0);
            assertThat(gauge(metrics, "herald_queue_lag_seconds")).isBetween(90.0, 99.9);
            assertThat(gauge(metrics, "herald_queue_later")).isEqualTo(0.0);

            assertThat(herald.api.post("/api/v1/admin/resume", "").status()).isIn(200, 204);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (receiver.requests("/held").size() < 3) {
                assertThat(System.nanoTime()).as("the three delivered once resumed").isLessThan(deadline);
                sleep();
            }
            double due;
            do {
                CLOCK.advance(Duration.ofSeconds(6)); // past the figures' freshness
                due = gauge(metrics(), "herald_queue_due") + gauge(metrics(), "herald_queue_later");
            } while (due > 0 && System.nanoTime() < deadline && sleep());
            assertThat(due).as("nothing due or waiting once delivered").isZero();
            assertThat(operator.get("/dashboard/health").body()).contains("nothing is due");
        } finally {
            herald.api.post("/api/v1/admin/resume", "");
        }
    }

    @Test
    void a_failing_endpoint_is_listed_with_its_application_until_it_succeeds() throws Exception {
        String app = herald.api.post("/api/v1/app", json("name", "Flaky & Co")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/refused")).text("id");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (herald.herald.database().jdbi().withHandle(h -> h.createQuery(
                "select failing_since is null from endpoint where id = :id").bind("id", ep).mapTo(Boolean.class).one())) {
            assertThat(System.nanoTime()).as("the endpoint failing").isLessThan(deadline);
            sleep();
        }
        CLOCK.advance(Duration.ofSeconds(6));
        var page = operator.get("/dashboard/health").body();
        assertThat(page).contains("Flaky &amp; Co").contains("http://127.0.0.1:9/refused")
                .contains("hx-post=\"/dashboard/apps/" + app + "/portal\"").contains("<dd id=\"failing\">1</dd>");
        assertThat(gauge(metrics(), "herald_endpoints_failing")).isEqualTo(1.0);

        herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, "{\"disabled\":true}");
        CLOCK.advance(Duration.ofSeconds(6));
        page = operator.get("/dashboard/health").body();
        assertThat(page).contains("No endpoint is failing").contains("<dd id=\"disabled\">1</dd>");
        // under the dashboard's policy: no inline script, style or handlers
        assertThat(page).doesNotContainPattern("<script(?![^>]*\\ssrc=\"/portal/assets/)").doesNotContainPattern("\\sstyle=")
                .doesNotContainPattern("\\son[a-z]+=");
        assertThat(gauge(metrics(), "herald_endpoints_disabled")).isEqualTo(1.0);
    }

    @Test
    void the_page_says_how_far_this_node_clock_is_from_the_database_clock() {
        // the test's clock stands months before the database's (measured as the node started)
        var page = operator.get("/dashboard/health").body();
        assertThat(page).containsPattern("<dd id=\"clock\">[0-9]+\\.[0-9] s behind the database's")
                .contains("keep every node's clock in sync (NTP)");
    }

    @Test
    void the_health_page_needs_a_dashboard_session() {
        assertThat(new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE).get("/dashboard/health").status()).isEqualTo(401);
    }

    private static boolean sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
