package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.svix.AutoConfig;
import com.svix.AutoConfigConsumer;
import com.svix.Svix;
import com.svix.exceptions.ApiException;
import com.svix.exceptions.WebhookVerificationException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.AppPortalCapability;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointOut;
import com.svix.models.PollerV2MessageOut;
import com.svix.models.SinkInCommon;
import dev.herald.testing.Receiver;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's Webhooks AutoConfig against Herald, driven by the official Java SDK's {@code AutoConfig} and
 * {@code AutoConfigConsumer}: the application's owner makes a token, the customer's code subscribes with it (an HTTP
 * endpoint, or a polling endpoint read with leases), and verifies what arrives with the secret it carries.
 */
@ExtendWith(TestDatabase.class)
public class AutoConfigTest {
    static TestHerald herald;
    static Svix svix;
    Receiver receiver;
    String app;

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
        receiver = new Receiver();
        for (String type : List.of("invoice.paid", "user.created")) {
            herald.api.put("/api/v1/event-type/" + type, json("description", type));
        }
        app = herald.api.post("/api/v1/app", json("name", "Customer")).text("id");
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /** The token's content, as the SDKs decode it. */
    public static JsonNode decode(String token) {
        assertThat(token).startsWith("auto_v1_");
        try {
            return Json.MAPPER.readTree(Base64.getDecoder().decode(token.substring("auto_v1_".length())));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String newToken() {
        var created = herald.api.post("/api/v1/app/" + app + "/autoconfig", "");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return created.text("token");
    }

    private String publish(String type) {
        var sent = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"" + type + "\",\"payload\":{\"t\":\"" + type + "\"}}");
        assertThat(sent.status()).as(sent.raw()).isEqualTo(202);
        return sent.text("id");
    }

    private static Map<String, List<String>> headers(Receiver.Request request) {
        return request.headers().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
    }

    @Test
    void a_customer_subscribes_an_http_endpoint_from_code_and_verifies_what_arrives() throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        String token = created.text("token");
        var content = decode(token);
        assertThat(content.path("aid").asText()).isEqualTo(app);
        assertThat(content.path("eid").asText()).isEqualTo(created.text("endpointId")).startsWith("ep_");
        assertThat(content.path("surl").asText()).isEqualTo(herald.baseUrl());
        assertThat(content.path("esec").asText()).startsWith("whsec_");
        var pending = herald.api.get("/api/v1/app/" + app + "/autoconfig/" + created.text("id")).body();
        assertThat(pending.path("kind").isNull()).isTrue();
        assertThat(pending.path("status").asText()).isEqualTo("pending");

        var autoConfig = new AutoConfig(token, new EndpointIn().url(URI.create(receiver.url("/hooks")))
                .filterTypes(Set.of("invoice.paid")).description("from code"));
        EndpointOut endpoint = autoConfig.subscribe();
        assertThat(endpoint.getId()).isEqualTo(content.path("eid").asText());
        assertThat(endpoint.getDescription()).isEqualTo("from code");

        publish("user.created"); // not among its types
        String paid = publish("invoice.paid");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/hooks").isEmpty(), "the delivery");
        var request = receiver.requests("/hooks").getFirst();
        assertThat(request.header("webhook-id")).isEqualTo(paid);
        autoConfig.verify(request.body(), headers(request)); // the SDK's own check, with the token's secret
        var tampered = headers(request);
        assertThatThrownBy(() -> autoConfig.verify(request.body().replace("invoice", "lnvoice"), tampered))
                .isInstanceOf(WebhookVerificationException.class);

        // the customer changes their code and subscribes again: the same endpoint, new settings
        var changed = new AutoConfig(token, new EndpointIn().url(URI.create(receiver.url("/v2"))).filterTypes(Set.of("user.created")));
        assertThat(changed.subscribe().getId()).isEqualTo(endpoint.getId());
        var stored = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint.getId());
        assertThat(stored.text("url")).endsWith("/v2");
        assertThat(stored.body().path("filterTypes").toString()).isEqualTo("[\"user.created\"]");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
        var active = herald.api.get("/api/v1/app/" + app + "/autoconfig/" + created.text("id")).body();
        assertThat(active.path("kind").asText()).isEqualTo("http");
        assertThat(active.path("status").asText()).isEqualTo("active");
        assertThat(active.path("endpId").asText()).isEqualTo(endpoint.getId());
        assertThat(active.path("destId").isNull()).isTrue();
    }

    /** Behind a proxy the API may be called on an internal address: HERALD_PUBLIC_URL is what customers are given. */
    @Test
    void links_and_tokens_name_the_public_url_when_one_is_set() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_PUBLIC_URL", "https://hooks.example.com/");
        try (var proxied = TestHerald.start(env, java.time.Clock.systemUTC())) {
            String appId = proxied.api.post("/api/v1/app", json("name", "Proxied")).text("id");
            var token = decode(proxied.api.post("/api/v1/app/" + appId + "/autoconfig", "{}").text("token"));
            assertThat(token.path("surl").asText()).isEqualTo("https://hooks.example.com");
            assertThat(proxied.api.post("/api/v1/auth/app-portal-access/" + appId, "{}").text("url"))
                    .startsWith("https://hooks.example.com/portal/" + appId + "#token=");
        }
        // unset: the host the request came to
        assertThat(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("url")).startsWith(herald.baseUrl() + "/portal/");
    }

    @Test
    void a_customer_subscribes_a_polling_endpoint_and_reads_it_with_leases() throws Exception {
        String token = newToken();
        var consumer = new AutoConfigConsumer(token, new SinkInCommon().filterTypes(Set.of("invoice.paid")));
        var sink = consumer.subscribe();
        assertThat(sink.getId()).isEqualTo(decode(token).path("eid").asText());
        assertThat(sink.getUrl().toString()).isEqualTo(herald.baseUrl() + "/api/v1/app/" + app + "/poller/" + sink.getId());

        String first = publish("invoice.paid");
        publish("user.created");
        String second = publish("invoice.paid");
        var page = consumer.receive("ledger");
        assertThat(page.getData().stream().map(PollerV2MessageOut::getId)).containsExactly(first, second);
        consumer.commit("ledger", page.getData().getLast().getOffset());
        assertThat(consumer.receive("ledger").getData()).isEmpty();
        // its poller is listed with the application's others, and the list pages on past its id
        var listed = herald.api.get("/api/v1/app/" + app + "/polling-endpoint?limit=1");
        assertThat(listed.body().path("data").get(0).path("id").asText()).isEqualTo(sink.getId());
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint?iterator=" + listed.text("iterator")).status())
                .isEqualTo(200);

        // it stays a polling endpoint
        var asHttp = new AutoConfig(token, new EndpointIn().url(URI.create(receiver.url("/x"))));
        assertThatThrownBy(asHttp::subscribe).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void the_token_reaches_its_own_endpoint_and_nothing_else() throws Exception {
        String token = newToken();
        var content = decode(token);
        String eid = content.path("eid").asText();
        var key = herald.api.withToken(content.path("tok").asText());
        assertThat(key.put("/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/k") + "\"}}").status()).isEqualTo(200);
        String other = decode(newToken()).path("eid").asText();
        assertThat(key.put("/api/v1/app/" + app + "/endpoint/" + other + "/auto-config",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/k") + "\"}}").status()).as("another token's endpoint").isEqualTo(404);
        for (var refused : List.of(key.get("/api/v1/app/" + app + "/msg"), key.get("/api/v1/app/" + app + "/endpoint/" + eid),
                key.get("/api/v1/app/" + app + "/endpoint/" + eid + "/secret"), key.post("/api/v1/app/" + app + "/msg",
                        "{\"eventType\":\"invoice.paid\",\"payload\":{}}"), key.post("/api/v1/app/" + app + "/autoconfig", "{}"))) {
            assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
        }
        // expire-all ends portal tokens, not an AutoConfig key
        assertThat(herald.api.post("/api/v1/auth/app/" + app + "/expire-all", "{}").status()).isEqualTo(204);
        assertThat(key.put("/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/k2") + "\"}}").status()).isEqualTo(200);
    }

    /**
     * A subscription makes its endpoint under a fixed id. Deleted, the endpoint's rows are purged by id in the background:
     * made again meanwhile, the new endpoint's deliveries were purged with the old ones and it never delivered.
     */
    @Test
    void a_subscription_whose_endpoint_was_deleted_makes_it_again_only_once_its_rows_are_gone() throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        JsonNode token = decode(created.text("token"));
        String eid = token.path("eid").asText();
        var key = herald.api.withToken(token.path("tok").asText());
        String subscribe = "/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config";
        assertThat(key.put(subscribe, "{\"endpoint\":{\"url\":\"" + receiver.url("/first") + "\"}}").status()).isEqualTo(200);
        publish("invoice.paid");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/first").isEmpty(), "the first endpoint's delivery");
        String again = "{\"endpoint\":{\"url\":\"" + receiver.url("/again") + "\"}}";
        // the sweeps' lock held here, so no purge runs between the delete and the subscribe
        try (var sweeper = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl()); var st = sweeper.createStatement()) {
            st.execute("select pg_advisory_lock(" + dev.herald.store.RetentionStore.LOCK + ")");
            assertThat(herald.api.delete("/api/v1/app/" + app + "/endpoint/" + eid).status()).isEqualTo(204);
            var refused = key.put(subscribe, again);
            assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
            assertThat(refused.raw()).contains("still being removed");
        }
        Receiver.await(Duration.ofSeconds(20), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from purge_pending").mapTo(Long.class).one()) == 0, "the deleted endpoint's rows purged");
        var resubscribed = key.put(subscribe, again);
        assertThat(resubscribed.status()).as(resubscribed.raw()).isEqualTo(200);
        publish("invoice.paid");
        Receiver.await(Duration.ofSeconds(20), () -> !receiver.requests("/again").isEmpty(), "the endpoint made again delivers");
        // and what it did is kept once nothing of the deleted one is left to purge (made while that was pending, its
        // deliveries and attempts were purged with the deleted endpoint's: same id)
        String attempts = "/api/v1/app/" + app + "/attempt/endpoint/" + eid;
        Receiver.await(Duration.ofSeconds(10), () -> herald.api.get(attempts).body().path("data").size() == 1, "its attempt recorded");
        Receiver.await(Duration.ofSeconds(20), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from purge_pending").mapTo(Long.class).one()) == 0, "no purge pending");
        assertThat(herald.api.get(attempts).body().path("data")).hasSize(1);
    }

    /** Svix 2.x's routes named by the subscription: PUT …/autoconfig/{id}/endpoint (EndpointIn) and …/destination. */
    @Test
    void the_subscription_routes_make_its_endpoint_or_its_polling_destination() throws Exception {
        var http = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        String httpToken = http.text("token");
        String base = "/api/v1/app/" + app + "/autoconfig/";
        var made = herald.api.put(base + http.text("id") + "/endpoint",
                "{\"url\":\"" + receiver.url("/sub") + "\",\"filterTypes\":[\"invoice.paid\"],\"description\":\"by the owner\"}");
        assertThat(made.status()).as(made.raw()).isEqualTo(200);
        assertThat(made.text("id")).isEqualTo(decode(httpToken).path("eid").asText());
        assertThat(made.text("description")).isEqualTo("by the owner");
        var active = herald.api.get(base + http.text("id")).body();
        assertThat(active.path("status").asText()).isEqualTo("active");
        assertThat(active.path("endpId").asText()).isEqualTo(made.text("id"));
        // it signs with the token's secret, as an endpoint the customer's code made would
        publish("invoice.paid");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/sub").isEmpty(), "the delivery");
        var request = receiver.requests("/sub").getFirst();
        new AutoConfig(httpToken, new EndpointIn().url(URI.create(receiver.url("/sub")))).verify(request.body(), headers(request));
        var again = herald.api.put(base + http.text("id") + "/endpoint", "{\"url\":\"" + receiver.url("/sub2") + "\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + made.text("id")).text("url")).endsWith("/sub2");
        var otherKind = herald.api.put(base + http.text("id") + "/destination", "{\"type\":\"pollingEndpoint\"}");
        assertThat(otherKind.status()).as(otherKind.raw()).isEqualTo(409);

        var polling = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        String pollingId = polling.text("id");
        var refused = herald.api.put(base + pollingId + "/destination", "{\"type\":\"amazonS3\",\"config\":{}}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        assertThat(herald.api.get(base + pollingId).body().path("status").asText()).as("a refused one binds nothing").isEqualTo("pending");
        var destination = herald.api.put(base + pollingId + "/destination",
                "{\"type\":\"pollingEndpoint\",\"eventTypes\":[\"user.created\"],\"config\":{}}");
        assertThat(destination.status()).as(destination.raw()).isEqualTo(200);
        assertThat(destination.text("id")).isEqualTo(decode(polling.text("token")).path("eid").asText());
        assertThat(destination.text("type")).isEqualTo("pollingEndpoint");
        assertThat(destination.body().path("eventTypes").toString()).isEqualTo("[\"user.created\"]");
        assertThat(herald.api.get(base + pollingId).body().path("destId").asText()).isEqualTo(destination.text("id"));
        assertThat(herald.api.put(base + pollingId + "/endpoint", "{\"url\":\"" + receiver.url("/x") + "\"}").status()).isEqualTo(409);
        String sent = publish("user.created");
        var polled = herald.api.get("/api/v1/app/" + app + "/poller/" + destination.text("id")).body().path("data");
        assertThat(polled).extracting(m -> m.path("id").asText()).containsExactly(sent);

        // a key reaches these routes for its own subscription only, and nothing else of the subscriptions
        var key = herald.api.withToken(decode(httpToken).path("tok").asText());
        assertThat(key.get(base + http.text("id")).status()).isEqualTo(200);
        assertThat(key.put(base + http.text("id") + "/endpoint", "{\"url\":\"" + receiver.url("/k") + "\"}").status()).isEqualTo(200);
        assertThat(key.get(base + pollingId).status()).as("another subscription").isEqualTo(404);
        assertThat(key.put(base + pollingId + "/destination", "{\"type\":\"pollingEndpoint\"}").status()).isEqualTo(404);
        assertThat(key.post(base + http.text("id") + "/rotate", "{}").status()).isEqualTo(403);
        assertThat(key.delete(base + http.text("id")).status()).isEqualTo(403);
        assertThat(key.get("/api/v1/app/" + app + "/autoconfig").status()).isEqualTo(403);
        assertThat(herald.api.put(base + "acfg_missing/endpoint", "{\"url\":\"" + receiver.url("/x") + "\"}").status()).isEqualTo(404);
    }

    /** A new AutoConfig, subscribed by the SDK with an endpoint at the receiver's {@code path}. */
    private dev.herald.testing.ApiClient.Response subscribedAutoConfig(String path) throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        new AutoConfig(created.text("token"), new EndpointIn().url(URI.create(receiver.url(path)))).subscribe();
        return created;
    }

    @Test
    void a_rotation_past_the_endpoints_secret_limit_is_refused_before_the_token_changes() throws Exception {
        var created = subscribedAutoConfig("/r");
        String id = created.text("id");
        String eid = decode(created.text("token")).path("eid").asText();
        String ep = "/api/v1/app/" + app + "/endpoint/" + eid;
        for (int i = 0; i < EndpointRoutes.MAX_RETIRED_SECRETS; i++) {
            assertThat(herald.api.post(ep + "/secret/rotate", "{}").status()).isEqualTo(204);
        }
        String signing = herald.api.get(ep + "/secret").text("key");

        Problems.assertError(herald.api.post("/api/v1/app/" + app + "/autoconfig/" + id + "/rotate", "{}"), 400, "limit_reached");
        // the token still works: the refusal came before it was replaced
        assertThat(herald.api.withToken(decode(created.text("token")).path("tok").asText()).put(ep + "/auto-config",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/r") + "\"}}").status()).isEqualTo(200);
        assertThat(herald.api.get(ep + "/secret").text("key")).isEqualTo(signing);
    }

    @Test
    void rotation_gives_a_new_token_and_secret_and_deletion_ends_the_token_but_keeps_the_endpoint() throws Exception {
        var created = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}");
        String id = created.text("id");
        var before = decode(created.text("token"));
        String eid = before.path("eid").asText();
        new AutoConfig(created.text("token"), new EndpointIn().url(URI.create(receiver.url("/r")))).subscribe();

        var rotated = herald.api.post("/api/v1/app/" + app + "/autoconfig/" + id + "/rotate", "{}");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        var after = decode(rotated.text("token"));
        assertThat(after.path("eid").asText()).isEqualTo(eid);
        assertThat(after.path("esec").asText()).isNotEqualTo(before.path("esec").asText());
        assertThat(herald.api.withToken(before.path("tok").asText()).put("/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/r") + "\"}}").status()).as("the old token").isEqualTo(401);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid + "/secret").text("key"))
                .as("the endpoint signs with the new secret").isEqualTo(after.path("esec").asText());
        var autoConfig = new AutoConfig(rotated.text("token"), new EndpointIn().url(URI.create(receiver.url("/r"))));
        autoConfig.subscribe();
        publish("invoice.paid");
        Receiver.await(Duration.ofSeconds(10), () -> !receiver.requests("/r").isEmpty(), "the delivery");
        var request = receiver.requests("/r").getFirst();
        autoConfig.verify(request.body(), headers(request));
        assertThat(request.header("webhook-signature").split(" ")).as("the old secret signs beside it for a day").hasSize(2);

        assertThat(herald.api.delete("/api/v1/app/" + app + "/autoconfig/" + id).status()).isEqualTo(204);
        assertThatThrownBy(autoConfig::subscribe).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(401));
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid).status()).isEqualTo(200);
        assertThat(herald.api.get("/api/v1/app/" + app + "/autoconfig/" + id).status()).isEqualTo(404);
    }

    @Test
    void rotation_takes_the_signing_secret_a_2x_sdk_gives_and_refuses_a_bad_one() throws Exception {
        var created = subscribedAutoConfig("/s");
        String id = created.text("id");
        String eid = decode(created.text("token")).path("eid").asText();
        String chosen = "whsec_" + Base64.getEncoder().encodeToString("a secret of thirty-two bytes!!!!".getBytes());

        var rotated = herald.api.post("/api/v1/app/" + app + "/autoconfig/" + id + "/rotate",
                "{\"signingSecret\":{\"key\":\"" + chosen + "\"}}");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        assertThat(decode(rotated.text("token")).path("esec").asText()).isEqualTo(chosen);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid + "/secret").text("key")).isEqualTo(chosen);

        var tooShort = herald.api.post("/api/v1/app/" + app + "/autoconfig/" + id + "/rotate", "{\"signingSecret\":{\"key\":\"whsec_c2hvcnQ=\"}}");
        assertThat(tooShort.status()).isEqualTo(422);
        assertThat(tooShort.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"signingSecret\",\"key\"]");
        var notAnObject = herald.api.post("/api/v1/app/" + app + "/autoconfig/" + id + "/rotate", "{\"signingSecret\":\"x\"}");
        assertThat(notAnObject.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + eid + "/secret").text("key"))
                .as("a refused rotation changes nothing").isEqualTo(chosen);
    }

    @Test
    void bad_input_is_a_clear_4xx_that_stores_nothing() throws Exception {
        String token = newToken();
        String eid = decode(token).path("eid").asText();
        var key = herald.api.withToken(decode(token).path("tok").asText());
        String path = "/api/v1/app/" + app + "/endpoint/" + eid + "/auto-config";
        Map<String, String> bodies = Map.of(
                "{}", "[\"body\"]",
                "{\"sink\":{\"type\":\"s3\",\"config\":{}}}", "[\"body\",\"sink\",\"type\"]",
                "{\"sink\":{\"type\":\"poller\"}}", "[\"body\",\"sink\",\"config\"]",
                "{\"endpoint\":{\"url\":\"http://169.254.169.254/latest\"}}", "[\"body\",\"endpoint\",\"url\"]",
                "{\"endpoint\":{\"url\":\"" + receiver.url("/b") + "\",\"filterTypes\":[\"no.such\"]}}", "[\"body\",\"endpoint\",\"filterTypes\"]",
                "{\"sink\":{\"type\":\"poller\",\"config\":{\"filterTypes\":[\"no.such\"]}}}", "[\"body\",\"sink\",\"config\",\"filterTypes\"]");
        for (var bad : bodies.entrySet()) {
            var refused = key.put(path, bad.getKey());
            assertThat(refused.status()).as(bad.getKey() + " " + refused.raw()).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).as(bad.getKey()).isEqualTo(bad.getValue());
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint").body().path("data")).isEmpty();
        assertThat(herald.api.put("/api/v1/app/" + app + "/endpoint/ep_missing/auto-config", "{\"endpoint\":{\"url\":\"" + receiver.url("/b") + "\"}}")
                .status()).as("an endpoint no token names").isEqualTo(404);
        assertThat(herald.api.post("/api/v1/app/" + app + "/autoconfig", "{\"featureFlags\":[\"bad flag\"]}").status()).isEqualTo(422);
        assertThat(herald.api.post("/api/v1/app/" + app + "/autoconfig/acfg_missing/rotate", "{}").status()).isEqualTo(404);

        // one token for each endpoint the application may have (HERALD_MAX_ENDPOINTS_PER_APP, 50 by default)
        for (int i = 1; i < 50; i++) assertThat(herald.api.post("/api/v1/app/" + app + "/autoconfig", "").status()).isEqualTo(201);
        var fiftyFirst = herald.api.post("/api/v1/app/" + app + "/autoconfig", "");
        assertThat(fiftyFirst.status()).isEqualTo(409);
        assertThat(fiftyFirst.text("code")).isEqualTo("limit_reached");
    }

    @Test
    void an_application_token_makes_tokens_with_its_own_flags_only_and_a_view_only_one_makes_none() throws Exception {
        var flagged = new AppPortalAccessIn().featureFlags(Set.of("beta"));
        String appToken = svix.getAuthentication().appPortalAccess(app, flagged).getToken();
        var made = herald.api.withToken(appToken).post("/api/v1/app/" + app + "/autoconfig", "");
        assertThat(made.status()).as(made.raw()).isEqualTo(201);
        String tokenId = TestDatabase.jdbi().withHandle(h -> h.createQuery("select token_id from autoconfig where id = :id")
                .bind("id", made.text("id")).mapTo(String.class).one());
        List<String> flags = TestDatabase.jdbi().withHandle(h -> h.createQuery("select unnest(feature_flags) from api_token where id = :id")
                .bind("id", tokenId).mapTo(String.class).list());
        assertThat(flags).as("the caller's flags, when none are asked for").containsExactly("beta");
        assertThat(herald.api.withToken(appToken).post("/api/v1/app/" + app + "/autoconfig", "{\"featureFlags\":[\"gamma\"]}").status())
                .as("a flag it does not bear").isEqualTo(422);
        // a rotation by another caller (the admin here) keeps the key's flags
        herald.api.post("/api/v1/app/" + app + "/autoconfig/" + made.text("id") + "/rotate", "{}");
        List<String> rotatedFlags = TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select unnest(t.feature_flags) from api_token t join autoconfig a on a.token_id = t.id where a.id = :id
                """).bind("id", made.text("id")).mapTo(String.class).list());
        assertThat(rotatedFlags).containsExactly("beta");

        var viewOnly = new AppPortalAccessIn().capabilities(Set.of(AppPortalCapability.VIEW_BASE));
        String viewer = svix.getAuthentication().appPortalAccess(app, viewOnly).getToken();
        assertThat(herald.api.withToken(viewer).post("/api/v1/app/" + app + "/autoconfig", "{}").status()).isEqualTo(403);
        assertThat(herald.api.withToken(viewer).get("/api/v1/app/" + app + "/autoconfig").body().path("data")).hasSize(1);
    }
}
