package dev.herald.outbound;

import static dev.herald.testing.ApiClient.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import dev.herald.testing.TestProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_PROXY_URL (as svix-server's proxy setting): every webhook request goes through an HTTP or SOCKS5 proxy. The proxy here is on
 * 127.0.0.1 and sends every connection to a receiver on 127.0.0.1, whatever name was asked for; names resolve through
 * the resolver seam, so no packet leaves the machine. The guard has no whitelist: the proxy is let through as the
 * operator's, and receivers are still refused by the addresses their names have.
 */
@ExtendWith(TestDatabase.class)
class ProxyTest {
    static final HostResolver DNS = host -> switch (host) {
        case "hooks.example.com", "secure.example.com", "hooks_svc.example.com" -> List.of(InetAddress.getByName("93.184.216.34"));
        case "internal.example.com", "internal_svc.example.com" -> List.of(InetAddress.getByName("10.0.0.7"));
        case "mixed.example.com" -> List.of(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("169.254.169.254"));
        case "proxy.corp.example", "proxy_svc.corp.example" -> List.of(InetAddress.getByName("127.0.0.1"));
        default -> {
            // literals as the system resolver takes them (no lookup); any other name is unknown here
            if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) throw new UnknownHostException(host);
            yield List.of(InetAddress.getByName(host));
        }
    };

    Receiver receiver;
    InetSocketAddress upstream;

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
        URI url = URI.create(receiver.url("/"));
        upstream = new InetSocketAddress("127.0.0.1", url.getPort());
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void requests_go_through_an_http_proxy_with_its_credentials() throws Exception {
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, upstream, "herald:s3cret pass");
             var client = client(proxy.url("herald:s3cret%20pass"))) {
            DeliveryResult plain = send(client, "http://hooks.example.com/p");
            assertThat(plain.statusCode()).as(String.valueOf(plain.errorMessage())).isEqualTo(200);
            assertThat(receiver.requests("/p")).hasSize(1);
            assertThat(receiver.requests("/p").get(0).body()).isEqualTo("{\"a\":1}");

            send(client, "https://secure.example.com/s"); // tunnelled; the receiver behind it speaks no TLS: times out
            assertThat(proxy.asked()).containsExactly(
                    new TestProxy.Asked("POST http://hooks.example.com/p HTTP/1.1", "herald:s3cret pass"),
                    new TestProxy.Asked("CONNECT secure.example.com:443 HTTP/1.1", "herald:s3cret pass"));
        }
    }

    @Test
    void requests_go_through_a_socks5_proxy() throws Exception {
        try (var proxy = new TestProxy(TestProxy.Kind.SOCKS5, upstream, "herald:pw");
             var client = client(proxy.url("herald:pw"))) {
            DeliveryResult result = send(client, "http://hooks.example.com/q");
            assertThat(result.statusCode()).as(String.valueOf(result.errorMessage())).isEqualTo(200);
            assertThat(receiver.requests("/q")).hasSize(1);
            assertThat(proxy.asked()).containsExactly(new TestProxy.Asked("hooks.example.com:80", "herald:pw"));
        }
    }

    @Test
    void receivers_the_guard_refuses_are_refused_before_the_proxy_is_asked() throws Exception {
        for (var kind : TestProxy.Kind.values()) {
            try (var proxy = new TestProxy(kind, upstream, null); var client = client(proxy.url())) {
                DeliveryResult named = send(client, "http://internal.example.com/x");
                assertThat(named.statusCode()).isZero();
                assertThat(named.errorMessage()).isEqualTo("blocked address of internal.example.com (private range)");
                DeliveryResult metadata = send(client, "http://169.254.169.254/latest/meta-data");
                assertThat(metadata.statusCode()).isZero();
                assertThat(metadata.errorMessage()).contains("blocked address 169.254.169.254");
                assertThat(proxy.asked()).as(kind.name()).isEmpty();
            }
        }
        assertThat(receiver.requests()).isEmpty();
    }

    /** A name java.net.URI reads as no host (an underscore) is vetted, then named to the proxy as written. */
    @Test
    void a_name_with_an_underscore_goes_through_either_proxy_after_the_guard() throws Exception {
        for (var kind : TestProxy.Kind.values()) {
            try (var proxy = new TestProxy(kind, upstream, null); var client = client(proxy.url())) {
                DeliveryResult sent = send(client, "http://hooks_svc.example.com/u_" + kind + "?a_b=1");
                assertThat(sent.statusCode()).as(kind + ": " + sent.errorMessage()).isEqualTo(200);
                assertThat(receiver.requests("/u_" + kind).get(0).header("host")).isEqualTo("hooks_svc.example.com");
                DeliveryResult blocked = send(client, "http://internal_svc.example.com/x");
                assertThat(blocked.statusCode()).isZero();
                assertThat(blocked.errorMessage()).isEqualTo("blocked address of internal_svc.example.com (private range)");
                assertThat(proxy.asked()).as(kind.name()).containsExactly(kind == TestProxy.Kind.HTTP
                        ? new TestProxy.Asked("POST http://hooks_svc.example.com/u_HTTP?a_b=1 HTTP/1.1", null)
                        : new TestProxy.Asked("hooks_svc.example.com:80", null));
            }
        }
    }

    /** HERALD_PROXY_URL may name a Compose service with an underscore too, credentials and all. */
    @Test
    void a_proxy_named_with_an_underscore_is_taken_with_its_credentials() throws Exception {
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, upstream, "herald:pw");
             var client = client(proxy.url("herald:pw").replace("127.0.0.1", "proxy_svc.corp.example"))) {
            DeliveryResult sent = send(client, "http://hooks.example.com/via_named_proxy");
            assertThat(sent.statusCode()).as(String.valueOf(sent.errorMessage())).isEqualTo(200);
            assertThat(proxy.asked()).containsExactly(
                    new TestProxy.Asked("POST http://hooks.example.com/via_named_proxy HTTP/1.1", "herald:pw"));
        }
        var socks = OutboundProxy.parse("socks5://squid_proxy:1080");
        assertThat(socks.host()).isEqualTo("squid_proxy");
        assertThat(socks.port()).isEqualTo(1080);
        assertThatThrownBy(() -> OutboundProxy.parse("http://squid_proxy")).hasMessageContaining("needs a host and a port");
    }

    /** The proxy looks a name up itself and may take any of its addresses: through it, a name with one blocked is refused. */
    @Test
    void a_name_with_any_blocked_address_is_refused_before_the_proxy_is_asked() throws Exception {
        for (var kind : TestProxy.Kind.values()) {
            try (var proxy = new TestProxy(kind, upstream, null); var client = client(proxy.url())) {
                DeliveryResult mixed = send(client, "http://mixed.example.com/x");
                assertThat(mixed.statusCode()).isZero();
                assertThat(mixed.errorMessage()).startsWith("blocked address of mixed.example.com (cloud metadata)")
                        .contains("every one must be allowed").doesNotContain("169.254");
                assertThat(proxy.asked()).as(kind.name()).isEmpty();
            }
        }
        assertThat(receiver.requests()).isEmpty();
    }

    /**
     * The proxy's own host and port are let through as the proxy; a receiver there sent direct (HERALD_NO_PROXY names the
     * proxy's domain, as is common) must not be: the guard has no whitelist, and the proxy's name resolves to loopback.
     */
    @Test
    void a_receiver_at_the_proxys_own_address_sent_direct_is_refused() throws Exception {
        int port = URI.create(receiver.url("/")).getPort();
        var bypass = ProxyBypass.parse(List.of("corp.example"));
        try (var client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(2))
                .withProxy(OutboundProxy.parse("http://proxy.corp.example:" + port, bypass)), new AddressGuard(List.of()), DNS)) {
            DeliveryResult direct = send(client, "http://proxy.corp.example:" + port + "/admin");
            assertThat(direct.statusCode()).isZero();
            assertThat(direct.errorMessage()).contains("blocked address").contains("outbound proxy");
        }
        assertThat(receiver.requests()).isEmpty();
    }

    /** A proxy that is not there, or refuses: the attempt says it failed on the way through the proxy, and why. */
    @Test
    void failures_on_the_way_through_the_proxy_say_so() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (var client = client("http://127.0.0.1:" + closedPort)) {
            DeliveryResult absent = send(client, "http://hooks.example.com/p");
            assertThat(absent.statusCode()).isZero();
            assertThat(absent.errorMessage()).isEqualTo("via proxy http://127.0.0.1:" + closedPort + ": connection refused");
        }
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, upstream, "herald:pw"); var client = client(proxy.url())) {
            DeliveryResult plain = send(client, "http://hooks.example.com/p");
            assertThat(plain.statusCode()).isZero();
            assertThat(plain.errorMessage()).isEqualTo("via proxy " + proxy.url() + ": it asked for credentials (407 Proxy Authentication Required)");
            DeliveryResult tunnel = send(client, "https://secure.example.com/s");
            assertThat(tunnel.statusCode()).isZero();
            assertThat(tunnel.errorMessage()).isEqualTo("via proxy " + proxy.url() + ": it answered 407 to the CONNECT for the receiver");
        }
        assertThat(receiver.requests()).isEmpty();
    }

    /** HERALD_NO_PROXY, as svix-server's no-proxy list: named receivers go direct, and the guard vets them at connect as without a proxy. */
    @Test
    void receivers_named_in_no_proxy_go_direct() throws Exception {
        var bypass = ProxyBypass.parse(List.of(".internal.example.com", "127.0.0.0/8"));
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, upstream, null);
             var client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(2))
                     .withProxy(OutboundProxy.parse(proxy.url(), bypass)), new AddressGuard(List.of("127.0.0.0/8")), DNS)) {
            assertThat(send(client, receiver.url("/direct")).statusCode()).isEqualTo(200);
            DeliveryResult internal = send(client, "http://internal.example.com/x");
            assertThat(internal.errorMessage()).isEqualTo("blocked address of internal.example.com (private range)");
            assertThat(send(client, "http://hooks.example.com/proxied").statusCode()).isEqualTo(200);
            assertThat(proxy.asked()).extracting(TestProxy.Asked::target)
                    .containsExactly("POST http://hooks.example.com/proxied HTTP/1.1");
            assertThat(receiver.requests()).extracting(Receiver.Request::path).containsExactly("/direct", "/proxied");
        }
        assertThat(bypass.bypasses("a.b.internal.example.com")).isTrue();
        assertThat(bypass.bypasses("notinternal.example.com")).isFalse();
        assertThat(bypass.bypasses("127.9.9.9")).isTrue();
        assertThat(bypass.bypasses("128.0.0.1")).isFalse();
        assertThatThrownBy(() -> ProxyBypass.parse(List.of("exa mple.com"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'exa mple.com' is neither a host name nor an IP address or range");
    }

    @Test
    void herald_sends_through_the_proxy_it_is_given() throws Exception {
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, upstream, null)) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_PROXY_URL", proxy.url());
            try (var herald = TestHerald.start(env, Clock.systemUTC())) {
                String app = herald.api.post("/api/v1/app", json("name", "proxied")).text("id");
                herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/e")));
                herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"via\":\"proxy\"}}");
                Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/e").size() == 1, "the webhook, through the proxy");
                assertThat(proxy.asked()).extracting(TestProxy.Asked::target)
                        .containsExactly("POST " + receiver.url("/e") + " HTTP/1.1");
            }
        }
        for (String bad : new String[] {"ftp://proxy.internal:21", "http://proxy.internal", "http://proxy.internal:3128/path"}) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_PROXY_URL", bad);
            assertThatThrownBy(() -> TestHerald.start(env, Clock.systemUTC())).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_PROXY_URL: ");
        }
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_PROXY_URL", "http://proxy.internal:3128");
        env.put("HERALD_NO_PROXY", "internal.example.com,10.0.0.0/99");
        assertThatThrownBy(() -> TestHerald.start(env, Clock.systemUTC())).isInstanceOf(ConfigException.class)
                .hasMessage("HERALD_NO_PROXY: '10.0.0.0/99' is neither a host name nor an IP address or range");
    }

    /**
     * The proxy's credentials are the proxy's: a request sent inside a CONNECT tunnel goes to the receiver, encrypted
     * past the proxy, which cannot take a Proxy-Authorization off it.
     */
    @Test
    void the_proxy_s_credentials_do_not_reach_a_receiver_through_a_tunnel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var seen = new java.util.concurrent.CopyOnWriteArrayList<com.sun.net.httpserver.Headers>();
        var tls = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        tls.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(TlsVerificationTest.selfSigned(dir.resolve("r.p12"))));
        tls.createContext("/", exchange -> {
            seen.add(exchange.getRequestHeaders());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        tls.start();
        try (var proxy = new TestProxy(TestProxy.Kind.HTTP, new InetSocketAddress("127.0.0.1", tls.getAddress().getPort()), "herald:s3cret");
             var client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(5))
                     .withTrustAnyCertificate(true).withProxy(OutboundProxy.parse(proxy.url("herald:s3cret"))),
                     new AddressGuard(List.of()), DNS)) {
            DeliveryResult result = send(client, "https://secure.example.com/s");
            assertThat(result.statusCode()).as(String.valueOf(result.errorMessage())).isEqualTo(200);
            assertThat(proxy.asked()).containsExactly(new TestProxy.Asked("CONNECT secure.example.com:443 HTTP/1.1", "herald:s3cret"));
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).keySet()).as("headers the receiver got").noneMatch(name -> name.equalsIgnoreCase("Proxy-Authorization"));
        } finally {
            tls.stop(0);
        }
    }

    private WebhookClient client(String proxyUrl) {
        return new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(2))
                .withProxy(OutboundProxy.parse(proxyUrl)), new AddressGuard(List.of()), DNS);
    }

    private static DeliveryResult send(WebhookClient client, String url) {
        return client.send(OutboundRequest.post(URI.create(url), Map.of(), "{\"a\":1}".getBytes(UTF_8)))
                .orTimeout(10, TimeUnit.SECONDS).join();
    }
}
