package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.outbound.HostResolver;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbound address guard attacked through the API, with no whitelist. Literal special addresses in
 * every notation are refused when the endpoint is created; names that resolve to loopback addresses (a fake DNS) are
 * refused at connect time, and a canary on 127.0.0.1 shows not one request got through. Names resolving to the other
 * special addresses (private, link-local, metadata, CGNAT, ULA, NAT64) are refused by the resolver itself in
 * {@code outbound.GuardedAddressResolverTest}, where no socket is opened: a broken guard fails there without a packet
 * leaving the machine.
 */
@ExtendWith(TestDatabase.class)
class AddressGuardBatteryTest {
    /** The fake DNS: public-looking names that resolve to places Herald must never reach. */
    static final Map<String, String> DNS = Map.of(
            "rebind-to-loopback.example.com", "127.0.0.1",
            "rebind-to-loopback-2.example.com", "127.0.0.2",
            "v6-loopback.example.com", "::1",
            "v6-mapped.example.com", "::ffff:127.0.0.1");

    static HostResolver fakeDns() {
        return host -> {
            String address = DNS.get(host);
            if (address == null) throw new UnknownHostException(host);
            return List.of(InetAddress.getByName(address));
        };
    }

    static List<String> literalTargets(int port) {
        String p = ":" + port;
        return List.of(
                "http://127.0.0.1" + p + "/", "http://127.0.0.2" + p + "/", "http://127.1" + p + "/", "http://2130706433" + p + "/",
                "http://0x7f000001" + p + "/", "http://0x7f.1" + p + "/", "http://0177.0.0.1" + p + "/", "http://0177.1" + p + "/",
                "http://017700000001" + p + "/", "http://localhost" + p + "/", "http://LOCALHOST" + p + "/",
                "http://foo.localhost" + p + "/", "http://[::1]" + p + "/", "http://[::ffff:127.0.0.1]" + p + "/",
                "http://[::ffff:7f00:1]" + p + "/", "http://[0:0:0:0:0:ffff:127.0.0.1]" + p + "/", "http://0.0.0.0" + p + "/",
                "http://0" + p + "/", "http://[::]" + p + "/",
                "http://10.0.0.1/", "http://10.255.255.255/", "http://172.16.0.1/", "http://172.31.255.254/",
                "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/", "http://169.254.0.1/",
                "http://100.64.0.1/", "http://100.100.100.200/", "http://224.0.0.1/", "http://239.255.255.250/",
                "http://240.0.0.1/", "http://255.255.255.255/", "http://192.0.2.1/", "http://198.51.100.7/",
                "http://203.0.113.9/", "http://198.18.0.1/", "http://192.0.0.8/", "http://192.88.99.1/",
                "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[ff02::1]/", "http://[2001:db8::1]/",
                "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://[fd00:ec2::254]/", "http://[fec0::1]/",
                "http://0xa.0.0.1/", "http://012.0.0.1/", "http://167772161/", "http://0xa9fea9fe/");
    }

    @Test
    void no_special_address_is_ever_reached() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.remove("HERALD_WHITELIST_SUBNETS");
        env.put("HERALD_RETRY_SCHEDULE", "0");
        try (var canary = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC(), fakeDns())) {
            int port = Integer.parseInt(canary.url("/").replaceAll(".*:(\\d+)/$", "$1"));
            String app = herald.api.post("/api/v1/app", json("name", "ssrf")).text("id");

            var literals = literalTargets(port);
            var accepted = new ArrayList<String>();
            for (String url : literals) {
                var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
                if (response.status() != 422) accepted.add(url + " → " + response.status());
            }
            assertThat(accepted).as("literal special addresses accepted at create time").isEmpty();
            // the refusal says what an operator can do, except for a metadata address
            var loopback = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://[::1]:" + port + "/x"));
            assertThat(loopback.raw()).contains("blocked address ::1 (loopback); an operator can allow it with HERALD_WHITELIST_SUBNETS");
            var metadata = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://169.254.169.254/latest"));
            assertThat(metadata.raw()).contains("blocked address 169.254.169.254 (cloud metadata)").doesNotContain("HERALD_WHITELIST");
            var mapped = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://[::ffff:169.254.169.254]/latest"));
            assertThat(mapped.raw()).contains("cloud metadata)").doesNotContain("HERALD_WHITELIST");

            List<String> named = new ArrayList<>();
            for (String host : DNS.keySet()) {
                String url = "http://" + host + ":" + port + "/canary";
                var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
                assertThat(response.status()).as(url).isEqualTo(201);
                named.add(response.text("id"));
            }
            String msg = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"probe\",\"payload\":{}}").text("id");
            Receiver.await(Duration.ofSeconds(15), () ->
                    herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg + "?limit=250").body().path("data").size() == named.size(),
                    "an attempt per named endpoint");
            var attempts = herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg + "?limit=250").body().path("data");
            for (var attempt : attempts) {
                assertThat(attempt.path("status").asInt()).isEqualTo(2);
                assertThat(attempt.path("responseStatusCode").asInt()).isZero();
                assertThat(attempt.path("errorMessage").asText()).containsIgnoringCase("blocked");
            }
            System.out.printf("address guard battery: %d literal URLs refused at create, %d DNS names refused at connect%n",
                    literals.size(), named.size());
            assertThat(canary.requests()).as("requests that reached the canary").isEmpty();
        }
    }
}
