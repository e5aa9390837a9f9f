package dev.herald.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.testing.NetworkNamespace;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's host on a network of the test's own (a namespace joined by a veth pair, whitelisted): one whose port is
 * closed answers the connection attempt with a reset, one whose network is gone (a firewall that drops, a host switched
 * off) never answers it. Loopback can show only the first.
 */
class UnreachableHostTest {
    static final WebhookClientSettings SETTINGS = WebhookClientSettings.defaults("1.2.3")
            .withTotalTimeout(Duration.ofSeconds(5))
            .withConnectTimeout(Duration.ofSeconds(2));

    NetworkNamespace namespace;
    LocalWebhookReceiver receiver;
    WebhookClient client;

    @BeforeEach
    void start() throws Exception {
        String unavailable = NetworkNamespace.unavailableReason();
        assumeTrue(unavailable == null, unavailable);
        namespace = NetworkNamespace.create();
        receiver = new LocalWebhookReceiver();
        client = new WebhookClient(SETTINGS, new AddressGuard(List.of("127.0.0.0/8", namespace.cidr())), HostResolver.system());
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (receiver != null) receiver.close();
        if (namespace != null) namespace.close();
    }

    @Test
    void a_closed_port_on_another_host_fails_at_once_as_refused() {
        var result = send(URI.create("http://" + namespace.address() + ":9/hook"));

        assertThat(result.isSuccess()).isFalse();
        assertThat(result.errorMessage()).containsIgnoringCase("refused");
        assertThat(result.durationMs()).isLessThan(1_000);
    }

    @Test
    void a_host_that_never_answers_fails_at_the_connect_timeout_while_other_hosts_are_served() throws Exception {
        namespace.cut();
        long started = System.nanoTime();
        var silent = client.send(OutboundRequest.post(URI.create("http://" + namespace.address() + ":8080/hook"), Map.of(), "{}".getBytes(UTF_8)));

        // meanwhile a healthy endpoint is answered as usual
        var healthy = send(receiver.url("/ok"));
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.durationMs()).isLessThan(1_000);
        assertThat(silent).isNotDone();

        var result = silent.orTimeout(10, TimeUnit.SECONDS).join();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(result.isSuccess()).isFalse();
        assertThat(result.statusCode()).isZero();
        assertThat(result.errorMessage()).isEqualTo("connect timeout after 2000 ms");
        // the connect timeout, not the whole exchange's 5 s
        assertThat(tookMs).isBetween(1_900L, 4_800L);
    }

    private DeliveryResult send(URI url) {
        return client.send(OutboundRequest.post(url, Map.of(), "{}".getBytes(UTF_8))).orTimeout(10, TimeUnit.SECONDS).join();
    }
}
