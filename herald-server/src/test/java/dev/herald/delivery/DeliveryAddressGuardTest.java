package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.attempts;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.outbound.HostResolver;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import inet.ipaddr.IPAddressString;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SSRF protection seen from the API: private targets are refused when an endpoint is created, and a name
 * that resolves to a private address fails its attempt without a connection being made. DNS is faked
 * through the resolver seam, so no lookup or packet leaves the machine.
 */
@ExtendWith(TestDatabase.class)
class DeliveryAddressGuardTest {
    Receiver receiver;
    TestHerald herald;
    final List<String> lookups = new CopyOnWriteArrayList<>();

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void stop() {
        if (herald != null) herald.close();
        receiver.close();
    }

    /** A fake DNS: IP literals as they are, the given names to their address, anything else unknown. */
    private HostResolver fakeDns(Map<String, String> names) {
        return host -> {
            lookups.add(host);
            var literal = new IPAddressString(names.getOrDefault(host, host)).getAddress();
            if (literal == null) throw new UnknownHostException(host);
            return List.of(literal.toInetAddress());
        };
    }

    private TestHerald start(Map<String, String> env, Map<String, String> names) {
        herald = TestHerald.start(env, Clock.systemUTC(), fakeDns(names));
        return herald;
    }

    private int create(String app, String url) {
        return herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url)).status();
    }

    @Test
    void private_link_local_and_v6_loopback_targets_are_refused_at_create_time_despite_a_v4_loopback_whitelist() {
        start(TestHerald.defaultEnv(), Map.of());
        String app = app(herald.api, "guard");
        for (String url : List.of("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                "http://192.168.1.1:8080/", "http://[::ffff:10.0.0.1]/")) {
            var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
            assertThat(response.status()).as(url + " -> " + response).isEqualTo(422);
            assertThat(response.raw()).contains("url");
        }
        assertThat(create(app, receiver.url("/ok"))).as("whitelisted 127.0.0.0/8").isEqualTo(201);
    }

    @Test
    void without_a_whitelist_loopback_in_any_notation_is_refused_at_create_time() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.remove("HERALD_WHITELIST_SUBNETS");
        start(env, Map.of());
        String app = app(herald.api, "no-whitelist");
        for (String url : List.of(receiver.url("/hook"), "http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/",
                "http://127.1/", "http://localhost:8080/", "http://[::1]/", "http://metadata.google.internal/")) {
            var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
            assertThat(response.status()).as(url + " -> " + response).isEqualTo(422);
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();
    }

    @Test
    void a_name_resolving_to_a_blocked_address_fails_its_attempt_as_blocked_without_connecting() {
        // a loopback address outside the whitelist stands for every blocked one (those are the resolver's own tests):
        // were the guard broken, the request would reach this machine and no other
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.1/32");
        start(env, Map.of("internal.example.test", "127.0.0.2"));
        String app = app(herald.api, "rebind");
        String ep = endpoint(herald.api, app, "http://internal.example.test:" + port() + "/hook");
        String msg = publish(herald.api, app, "{\"eventType\":\"g.t\",\"payload\":{}}");

        var attempt = attempts(herald.api, app, msg, 1).get(0);
        assertThat(attempt.path("endpointId").asText()).isEqualTo(ep);
        assertThat(attempt.path("status").asInt()).isEqualTo(2);
        assertThat(attempt.path("responseStatusCode").asInt()).isZero();
        assertThat(attempt.path("errorMessage").asText()).startsWith("blocked address of ").endsWith(" (loopback)")
                .doesNotContain("127.0.0.2"); // the name's range, not its address (internal DNS is not the tenant's to read)
        assertThat(lookups).contains("internal.example.test");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void a_name_resolving_to_a_whitelisted_address_is_delivered() {
        start(TestHerald.defaultEnv(), Map.of("hooks.example.test", "127.0.0.1"));
        String app = app(herald.api, "resolved");
        endpoint(herald.api, app, "http://hooks.example.test:" + port() + "/hook");
        publish(herald.api, app, "{\"eventType\":\"g.t\",\"payload\":{\"via\":\"dns\"}}");
        Receiver.await(WAIT, () -> receiver.requests("/hook").size() == 1, "delivery through the fake DNS");
        assertThat(receiver.requests("/hook").get(0).header("host")).startsWith("hooks.example.test");
        assertThat(lookups).contains("hooks.example.test");
    }

    /** java.net.URI reads a name with an underscore (Docker Compose's services) as no host; svix-server takes it. */
    @Test
    void a_name_with_an_underscore_is_taken_signed_and_sent_with_its_own_host_header() {
        start(TestHerald.defaultEnv(), Map.of("webhook_receiver", "127.0.0.1", "my_app.hooks.test", "127.0.0.1"));
        String app = app(herald.api, "underscore");
        String ep = endpoint(herald.api, app, "http://webhook_receiver:" + port() + "/hook?tenant=a_b");
        endpoint(herald.api, app, "http://my_app.hooks.test:" + port() + "/other");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("url").asText())
                .isEqualTo("http://webhook_receiver:" + port() + "/hook?tenant=a_b");
        publish(herald.api, app, "{\"eventType\":\"g.t\",\"payload\":{\"via\":\"compose\"}}");
        Receiver.await(WAIT, () -> receiver.requests("/hook").size() == 1 && receiver.requests("/other").size() == 1,
                "both deliveries to the underscored names");
        var request = receiver.requests("/hook").get(0);
        assertThat(request.header("host")).isEqualTo("webhook_receiver:" + port());
        assertThat(request.query()).isEqualTo("tenant=a_b");
        assertThat(request.header("webhook-signature")).startsWith("v1,");
        assertThat(request.body()).contains("compose");
        assertThat(receiver.requests("/other").get(0).header("host")).isEqualTo("my_app.hooks.test:" + port());
        assertThat(lookups).contains("webhook_receiver", "my_app.hooks.test");
    }

    @Test
    void a_name_with_an_underscore_resolving_to_a_blocked_address_fails_its_attempt_without_connecting() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.1/32");
        start(env, Map.of("internal_api", "127.0.0.2"));
        String app = app(herald.api, "underscore-rebind");
        endpoint(herald.api, app, "http://internal_api:" + port() + "/hook");
        String msg = publish(herald.api, app, "{\"eventType\":\"g.t\",\"payload\":{}}");

        var attempt = attempts(herald.api, app, msg, 1).get(0);
        assertThat(attempt.path("status").asInt()).isEqualTo(2);
        assertThat(attempt.path("errorMessage").asText()).startsWith("blocked address of ").endsWith(" (loopback)")
                .doesNotContain("127.0.0.2"); // the name's range, not its address (internal DNS is not the tenant's to read)
        assertThat(lookups).contains("internal_api");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void a_registry_authority_that_is_no_host_name_is_refused_at_create_time() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.remove("HERALD_WHITELIST_SUBNETS");
        start(env, Map.of());
        String app = app(herald.api, "registry");
        Map<String, String> refusals = Map.of(
                "http://bad!name/", "URL must have a host",
                "http://we%69rd_host/", "URL must have a host",
                "http://user@my_host/", "credentials",
                "http://my_host:99999/", "port",
                "http://my_host:12345678901/", "port",
                "http://my_host:0/", "port",
                "http://a_b.169.254.169.254/", "IPv4",
                "http://my_app.localhost/", "loopback",
                "https://webhook_receiver:8443/", "works over http only");
        refusals.forEach((url, reason) -> {
            var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
            assertThat(response.status()).as(url + " -> " + response).isEqualTo(422);
            assertThat(response.raw()).as(url).contains(reason);
        });
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();
    }

    /**
     * herald_attempts_failed_total by reason: an operator tells a receiver's 5xx from an address the guard blocked and a
     * name that does not resolve (one counter for all before, the reason only in each attempt's text).
     */
    @Test
    void failed_attempts_are_counted_by_reason() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.1/32");
        start(env, Map.of("internal.example.test", "127.0.0.2", "hooks.example.test", "127.0.0.1"));
        receiver.reply(request -> Receiver.Reply.status(request.path().equals("/fails") ? 503 : 204));
        String app = app(herald.api, "reasons");
        endpoint(herald.api, app, "http://internal.example.test:" + port() + "/hook");
        endpoint(herald.api, app, "http://hooks.example.test:" + port() + "/fails");
        endpoint(herald.api, app, "http://nowhere.example.test:" + port() + "/hook");
        endpoint(herald.api, app, "http://hooks.example.test:" + port() + "/ok");
        publish(herald.api, app, "{\"eventType\":\"g.t\",\"payload\":{}}");

        Receiver.await(WAIT, () -> failed(herald.api.get("/metrics").raw(), "blocked") == 1
                && failed(herald.api.get("/metrics").raw(), "status_5xx") == 1
                && failed(herald.api.get("/metrics").raw(), "dns") == 1, "the three failures counted by reason");
        String scrape = herald.api.get("/metrics").raw();
        assertThat(failed(scrape, "timeout")).as("a reason not seen is there, at 0").isZero();
        assertThat(failed(scrape, "other")).isZero();
        assertThat(scrape).contains("herald_deliveries_succeeded_total 1.0");
    }

    private static double failed(String scrape, String reason) {
        var m = java.util.regex.Pattern.compile("(?m)^herald_attempts_failed_total\\{reason=\"" + reason + "\"} (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private int port() {
        return java.net.URI.create(receiver.url("/")).getPort();
    }
}
