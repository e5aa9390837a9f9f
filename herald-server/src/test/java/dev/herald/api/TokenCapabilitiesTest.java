package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.AppPortalCapability;
import dev.herald.testing.ApiClient;
import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's AppPortalAccessIn.capabilities: a token given a list may read (ViewBase, always in the list) and make only the
 * changes its capabilities open; one made without a list may do everything. Tokens are made with the official SDK.
 */
@ExtendWith(TestDatabase.class)
class TokenCapabilitiesTest {
    static TestHerald herald;
    static Svix svix;
    String app;
    String endpoint;
    String message;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anApplication() {
        herald.api.put("/api/v1/event-type/t", json("description", "A test type")); // created once, then updated
        app = herald.api.post("/api/v1/app", json("name", "Capable")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/cap")).text("id");
        message = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"a\":1}}").text("id");
    }

    private ApiClient token(AppPortalCapability... capabilities) throws Exception {
        var in = new AppPortalAccessIn().capabilities(Set.of(capabilities));
        return herald.api.withToken(svix.getAuthentication().appPortalAccess(app, in).getToken());
    }

    /** Each kind of change an application token can ask for, by the capability Svix says it needs. */
    private Map<String, Function<ApiClient, Response>> changes() {
        String ep = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        var changes = new LinkedHashMap<String, Function<ApiClient, Response>>();
        changes.put("ViewEndpointSecret: read the secret", t -> t.get(ep + "/secret"));
        changes.put("ManageEndpointSecret: rotate the secret", t -> t.post(ep + "/secret/rotate", "{}"));
        changes.put("ManageTransformations: set the transformation", t -> t.patch(ep + "/transformation", "{\"enabled\":false}"));
        changes.put("CreateAttempts: resend", t -> t.post("/api/v1/app/" + app + "/msg/" + message + "/endpoint/" + endpoint + "/resend", ""));
        changes.put("CreateAttempts: recover", t -> t.post(ep + "/recover", json("since", "2026-01-01T00:00:00Z")));
        changes.put("CreateAttempts: replay missing", t -> t.post(ep + "/replay-missing", json("since", "2026-01-01T00:00:00Z")));
        changes.put("CreateAttempts: send an example", t -> t.post(ep + "/send-example", json("eventType", "t")));
        changes.put("ManageEndpoint: create", t -> t.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/more")));
        changes.put("ManageEndpoint: patch", t -> t.patch(ep, "{\"description\":\"changed\"}"));
        changes.put("ManageEndpoint: headers", t -> t.patch(ep + "/headers", json("headers", Map.of("X-A", "1"))));
        changes.put("ManageEndpoint: pause", t -> t.post(ep + "/pause", ""));
        changes.put("none: publish", t -> t.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}"));
        // the organization's, as svix-server has them: no application token may, whatever it was given (session 45)
        changes.put("organization: rename the application", t -> t.patch("/api/v1/app/" + app, json("name", "Renamed")));
        changes.put("organization: expunge a message's content", t -> t.delete("/api/v1/app/" + app + "/msg/" + message + "/content"));
        return changes;
    }

    /** The changes a token with these capabilities may make: the ones they name, and those they include. */
    private static boolean opens(Set<String> granted, String change) {
        String needed = change.substring(0, change.indexOf(':'));
        if (granted.contains(needed)) return true;
        if (granted.contains("ManageEndpoint")) {
            return Set.of("ViewEndpointSecret", "ManageEndpointSecret", "ManageTransformations").contains(needed);
        }
        return needed.equals("ViewEndpointSecret") && granted.contains("ManageEndpointSecret");
    }

    @Test
    void each_capability_opens_its_own_changes_and_no_other() throws Exception {
        var cases = new LinkedHashMap<Set<String>, AppPortalCapability[]>();
        cases.put(Set.of(), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE});
        cases.put(Set.of("ViewEndpointSecret"), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE, AppPortalCapability.VIEW_ENDPOINT_SECRET});
        cases.put(Set.of("ManageEndpointSecret"), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE, AppPortalCapability.MANAGE_ENDPOINT_SECRET});
        cases.put(Set.of("ManageTransformations"), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE, AppPortalCapability.MANAGE_TRANSFORMATIONS});
        cases.put(Set.of("CreateAttempts"), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE, AppPortalCapability.CREATE_ATTEMPTS});
        cases.put(Set.of("ManageEndpoint"), new AppPortalCapability[] {AppPortalCapability.VIEW_BASE, AppPortalCapability.MANAGE_ENDPOINT});
        for (var entry : cases.entrySet()) {
            var token = token(entry.getValue());
            assertThat(token.get("/api/v1/app/" + app + "/endpoint").status()).as("every list may read").isEqualTo(200);
            assertThat(token.get("/api/v1/app/" + app + "/msg/" + message).status()).isEqualTo(200);
            for (var change : changes().entrySet()) {
                var answer = change.getValue().apply(token);
                String what = entry.getKey() + " asking to " + change.getKey();
                if (opens(entry.getKey(), change.getKey())) {
                    // let through: answered by the route itself
                    assertThat(answer.status()).as(what + ": " + answer.raw()).isIn(200, 201, 202, 204);
                } else {
                    assertThat(answer.status()).as(what + ": " + answer.raw()).isEqualTo(403);
                    assertThat(answer.text("code")).isEqualTo("insufficient access");
                }
            }
        }
        // and a token made without a list may do all of it (what every token could before lists) but the organization's
        var full = herald.api.withToken(svix.getAuthentication().appPortalAccess(app, new AppPortalAccessIn()).getToken());
        for (var change : changes().entrySet()) {
            int status = change.getValue().apply(full).status();
            if (change.getKey().startsWith("organization:")) assertThat(status).as(change.getKey()).isEqualTo(403);
            else assertThat(status).as(change.getKey()).isIn(200, 201, 202, 204);
        }
    }

    @Test
    void a_refused_change_changes_nothing_and_says_which_capability_it_lacks() throws Exception {
        var attempts = token(AppPortalCapability.VIEW_BASE, AppPortalCapability.CREATE_ATTEMPTS);
        var refused = attempts.patch("/api/v1/app/" + app + "/endpoint/" + endpoint, "{\"disabled\":true,\"url\":\"http://127.0.0.1:9/x\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).isEqualTo("This token lacks the ManageEndpoint capability");
        var stored = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body();
        assertThat(stored.path("disabled").asBoolean()).isFalse();
        assertThat(stored.path("url").asText()).isEqualTo("http://127.0.0.1:9/cap");
        assertThat(attempts.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").text("detail"))
                .isEqualTo("This token may not do this: it was given a list of capabilities");
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(1);
        // the older readOnly wins over a list: it may only read
        var both = herald.api.post("/api/v1/auth/app-portal-access/" + app,
                "{\"readOnly\":true,\"capabilities\":[\"ViewBase\",\"ManageEndpoint\"]}").text("token");
        var readOnly = herald.api.withToken(both).post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/y"));
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.text("detail")).isEqualTo("This token is read-only");
        // every token may end itself
        assertThat(attempts.post("/api/v1/auth/logout", "").status()).isEqualTo(204);
        assertThat(attempts.get("/api/v1/app/" + app).status()).isEqualTo(401);
    }

    @Test
    void a_list_without_view_base_or_with_an_unknown_name_is_refused() {
        for (String body : List.of("{\"capabilities\":[]}", "{\"capabilities\":[\"ManageEndpoint\"]}",
                "{\"capabilities\":[\"ViewBase\",\"Admin\"]}", "{\"capabilities\":\"ViewBase\"}",
                "{\"capabilities\":[\"ViewBase\",7]}")) {
            var refused = herald.api.post("/api/v1/auth/app-portal-access/" + app, body);
            assertThat(refused.status()).as(body).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"capabilities\"]");
        }
        assertThat(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"capabilities\":[\"ViewBase\",\"Admin\"]}")
                .body().path("detail").get(0).path("msg").asText()).contains("unknown capability 'Admin'").contains("ManageEndpoint");
        assertThat(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"capabilities\":null}").status())
                .as("null is every capability, as leaving it out").isEqualTo(200);
    }
}
