package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API answers a browser on any origin, as Svix's server does (its CORS layer: any origin, any method, the asked
 * headers, a preflight kept 600 s): the SDKs run in browsers too, with an application's token. Bearer tokens are never
 * sent by a browser on its own, so this opens nothing a page could use without one; the cookie-signed pages
 * (the dashboard and the app portal) stay same-origin.
 */
@ExtendWith(TestDatabase.class)
class CorsTest {
    private static final String ORIGIN = "https://customer.example";
    static TestHerald herald;

    @BeforeAll
    static void start() {
        TestDatabase.clean();
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static Optional<String> header(Response response, String name) {
        return response.headers().firstValue(name);
    }

    @Test
    void a_preflight_is_answered_without_a_token() {
        var preflight = herald.api.withToken(null).send("OPTIONS", "/api/v1/app/some-app/msg", null,
                "Origin", ORIGIN,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type,idempotency-key,svix-req-id");

        assertThat(preflight.status()).as(preflight.raw()).isBetween(200, 204);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).contains("*");
        assertThat(header(preflight, "Access-Control-Allow-Methods")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
        assertThat(header(preflight, "Access-Control-Allow-Headers")).hasValueSatisfying(v -> assertThat(v.toLowerCase())
                .contains("authorization", "content-type", "idempotency-key", "svix-req-id"));
        assertThat(header(preflight, "Access-Control-Max-Age")).contains("600");
        assertThat(header(preflight, "Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void answers_and_errors_carry_the_origin_header_so_a_page_can_read_them() {
        var created = herald.api.send("POST", "/api/v1/app", json("name", "Browser"), "Origin", ORIGIN);
        assertThat(created.status()).isEqualTo(201);
        assertThat(header(created, "Access-Control-Allow-Origin")).contains("*");

        var invalid = herald.api.send("POST", "/api/v1/app", "{}", "Origin", ORIGIN);
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(header(invalid, "Access-Control-Allow-Origin")).contains("*");

        var unauthenticated = herald.api.withToken(null).send("GET", "/api/v1/app", null, "Origin", ORIGIN);
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(header(unauthenticated, "Access-Control-Allow-Origin")).contains("*");

        var missing = herald.api.send("GET", "/api/v1/app/nothing-here", null, "Origin", ORIGIN);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(header(missing, "Access-Control-Allow-Origin")).contains("*");
    }

    @Test
    void the_cookie_signed_pages_stay_same_origin() {
        var dashboard = herald.api.withToken(null).send("GET", "/dashboard", null, "Origin", ORIGIN);
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(header(dashboard, "Access-Control-Allow-Origin")).isEmpty();

        var preflight = herald.api.withToken(null).send("OPTIONS", "/dashboard", null,
                "Origin", ORIGIN, "Access-Control-Request-Method", "POST");
        assertThat(header(preflight, "Access-Control-Allow-Origin")).isEmpty();
    }
}
