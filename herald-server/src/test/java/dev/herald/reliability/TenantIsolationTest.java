package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An application-scoped token sees its own application and nothing else: other ids are simply not found. */
@ExtendWith(TestDatabase.class)
class TenantIsolationTest {
    static TestHerald herald;
    String appA;
    String appB;
    String endpointA;
    String endpointB;
    String msgA;
    String msgB;
    ApiClient tenantA;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void twoTenants() {
        appA = herald.api.post("/api/v1/app", json("name", "A", "uid", "tenant-a")).text("id");
        appB = herald.api.post("/api/v1/app", json("name", "B", "uid", "tenant-b")).text("id");
        endpointA = herald.api.post("/api/v1/app/" + appA + "/endpoint", json("url", "http://127.0.0.1:9/a")).text("id");
        endpointB = herald.api.post("/api/v1/app/" + appB + "/endpoint", json("url", "http://127.0.0.1:9/b")).text("id");
        msgA = herald.api.post("/api/v1/app/" + appA + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").text("id");
        msgB = herald.api.post("/api/v1/app/" + appB + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").text("id");
        var access = herald.api.post("/api/v1/auth/app-portal-access/" + appA, "{}");
        assertThat(access.status()).isEqualTo(200);
        assertThat(access.text("url")).contains(appA);
        tenantA = herald.api.withToken(access.text("token"));
    }

    @Test
    void reaches_its_own_application() {
        assertThat(tenantA.get("/api/v1/app/" + appA).status()).isEqualTo(200);
        assertThat(tenantA.get("/api/v1/app/tenant-a/endpoint").body().path("data")).hasSize(1);
        assertThat(tenantA.get("/api/v1/app/" + appA + "/endpoint/" + endpointA + "/secret").status()).isEqualTo(200);
        assertThat(tenantA.get("/api/v1/app/" + appA + "/msg/" + msgA).status()).isEqualTo(200);
        assertThat(tenantA.post("/api/v1/app/" + appA + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(202);
    }

    @Test
    void every_route_of_another_application_is_not_found() {
        var paths = List.of(
                "/api/v1/app/" + appB,
                "/api/v1/app/tenant-b",
                "/api/v1/app/" + appB + "/endpoint",
                "/api/v1/app/" + appB + "/endpoint/" + endpointB,
                "/api/v1/app/" + appB + "/endpoint/" + endpointB + "/secret",
                "/api/v1/app/" + appB + "/endpoint/" + endpointB + "/headers",
                "/api/v1/app/" + appB + "/endpoint/" + endpointB + "/stats",
                "/api/v1/app/" + appB + "/endpoint/" + endpointB + "/msg",
                "/api/v1/app/" + appB + "/msg",
                "/api/v1/app/" + appB + "/msg/" + msgB,
                "/api/v1/app/" + appB + "/msg/" + msgB + "/endpoint",
                "/api/v1/app/" + appB + "/attempt/msg/" + msgB,
                "/api/v1/app/" + appB + "/attempt/endpoint/" + endpointB,
                // B's ids under A's path
                "/api/v1/app/" + appA + "/endpoint/" + endpointB,
                "/api/v1/app/" + appA + "/msg/" + msgB,
                "/api/v1/app/" + appA + "/attempt/msg/" + msgB);
        for (String path : paths) {
            var response = tenantA.get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.raw()).as(path).doesNotContain(appB).doesNotContain(endpointB).doesNotContain(msgB);
        }
        assertThat(tenantA.post("/api/v1/app/" + appB + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(404);
        assertThat(tenantA.delete("/api/v1/app/" + appB + "/endpoint/" + endpointB).status()).isEqualTo(404);
        assertThat(tenantA.patch("/api/v1/app/" + appB, "{\"name\":\"x\"}").status()).as("an organization's route").isEqualTo(403);
        assertThat(tenantA.post("/api/v1/app/" + appB + "/endpoint/" + endpointB + "/secret/rotate", "{}").status()).isEqualTo(404);
        assertThat(tenantA.post("/api/v1/app/" + appB + "/msg/" + msgB + "/endpoint/" + endpointB + "/resend", "").status()).isEqualTo(404);
        // B is untouched
        assertThat(herald.api.get("/api/v1/app/" + appB + "/endpoint/" + endpointB).status()).isEqualTo(200);
    }

    @Test
    void cannot_reach_admin_routes() {
        assertThat(tenantA.get("/api/v1/app").status()).isEqualTo(403);
        assertThat(tenantA.post("/api/v1/app", "{\"name\":\"new\"}").status()).isEqualTo(403);
        assertThat(tenantA.post("/api/v1/event-type", "{\"name\":\"x\",\"description\":\"d\"}").status()).isEqualTo(403);
        assertThat(tenantA.post("/api/v1/auth/app-portal-access/" + appA, "{}").status()).isEqualTo(403);
        assertThat(tenantA.post("/api/v1/auth/dashboard-access/" + appA, null).status()).isEqualTo(403);
    }

    @Test
    void may_not_replace_rename_delete_or_expunge_its_own_application() {
        // svix-server takes these as the organization's (permissions::Organization / OrganizationWithApplication): a
        // portal token in a customer's browser must not delete the application or blank its payloads
        var refused = new java.util.LinkedHashMap<String, ApiClient.Response>();
        refused.put("PUT app", tenantA.put("/api/v1/app/" + appA, json("name", "hijacked")));
        refused.put("PATCH app", tenantA.patch("/api/v1/app/" + appA, json("uid", "hijacked")));
        refused.put("DELETE app", tenantA.delete("/api/v1/app/" + appA));
        refused.put("expunge", tenantA.delete("/api/v1/app/" + appA + "/msg/" + msgA + "/content"));
        refused.put("bulk expunge", tenantA.post("/api/v1/app/" + appA + "/msg/bulk-expunge", "{\"ids\":[\"" + msgA + "\"]}"));
        refused.put("expunge all", tenantA.post("/api/v1/app/" + appA + "/msg/expunge-all-contents", "{}"));
        refused.put("expunge attempt", tenantA.delete("/api/v1/app/" + appA + "/msg/" + msgA + "/attempt/atmpt_none/content"));
        refused.forEach((what, response) -> {
            assertThat(response.status()).as(what + ": " + response).isEqualTo(403);
            assertThat(response.text("code")).as(what).isEqualTo("insufficient access");
        });
        var app = herald.api.get("/api/v1/app/" + appA);
        assertThat(app.text("name")).isEqualTo("A");
        assertThat(app.text("uid")).isEqualTo("tenant-a");
        var message = herald.api.get("/api/v1/app/" + appA + "/msg/" + msgA);
        assertThat(message.status()).isEqualTo(200);
        assertThat(message.body().path("payload").isObject()).isTrue();
        assertThat(message.body().path("payload").has("expired")).as("the payload not expunged").isFalse();
        // the organization may
        assertThat(herald.api.delete("/api/v1/app/" + appA + "/msg/" + msgA + "/content").status()).isEqualTo(204);
        assertThat(herald.api.patch("/api/v1/app/" + appA, json("name", "renamed")).status()).isEqualTo(200);
    }

    @Test
    void dashboard_access_is_the_older_name_of_app_portal_access() {
        // Svix's deprecated route, still the SDKs' dashboardAccess(): a POST without a body
        var access = herald.api.post("/api/v1/auth/dashboard-access/tenant-a", null);
        assertThat(access.status()).as(access.toString()).isEqualTo(200);
        assertThat(access.text("url")).contains(appA);
        var tenant = herald.api.withToken(access.text("token"));
        assertThat(tenant.get("/api/v1/app/" + appA + "/msg/" + msgA).status()).isEqualTo(200);
        assertThat(tenant.get("/api/v1/app/" + appB + "/msg/" + msgB).status()).isEqualTo(404);
    }

    @Test
    void an_expired_portal_token_is_refused() {
        var access = herald.api.post("/api/v1/auth/app-portal-access/" + appA, "{\"expiry\":1}");
        var token = access.text("token");
        assertThat(herald.api.withToken(token).get("/api/v1/app/" + appA).status()).isEqualTo(200);
        // a cached lookup lasts no longer than the token
        dev.herald.testing.Receiver.await(java.time.Duration.ofSeconds(5),
                () -> herald.api.withToken(token).get("/api/v1/app/" + appA).status() == 401, "token to expire");
    }
}
