package dev.herald.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import org.junit.jupiter.api.Test;

class WebhookUrlsTest {

    @Test
    void a_host_java_net_uri_reads_is_taken_as_it_reads_it() {
        var url = URI.create("https://hooks.example.com:8443/a?b=c");
        assertThat(UrlHosts.host(url)).isEqualTo("hooks.example.com");
        assertThat(UrlHosts.port(url)).isEqualTo(8443);
        assertThat(UrlHosts.host(URI.create("http://[::1]:81/"))).isEqualTo("[::1]");
        assertThat(WebhookUrls.effectivePort(URI.create("https://example.com/"))).isEqualTo(443);
        assertThat(WebhookUrls.effectivePort(URI.create("http://example.com/"))).isEqualTo(80);
    }

    @Test
    void names_uri_reads_as_a_registry_authority_are_hosts_as_svix_server_reads_them() {
        var compose = URI.create("http://webhook_receiver:8080/hook");
        assertThat(compose.getHost()).as("the JDK's reading, why this class exists").isNull();
        assertThat(UrlHosts.host(compose)).isEqualTo("webhook_receiver");
        assertThat(UrlHosts.port(compose)).isEqualTo(8080);
        assertThat(WebhookUrls.problem(compose)).isEmpty();

        var noPort = URI.create("https://my_app.internal.example/x");
        assertThat(UrlHosts.host(noPort)).isEqualTo("my_app.internal.example");
        assertThat(UrlHosts.port(noPort)).isEqualTo(-1);
        assertThat(WebhookUrls.effectivePort(noPort)).isEqualTo(443);
        assertThat(UrlHosts.host(URI.create("http://svc.1abc/"))).as("a last label starting with a digit").isEqualTo("svc.1abc");
        assertThat(UrlHosts.port(URI.create("http://my_host:/"))).isEqualTo(-1);
    }

    @Test
    void a_registry_authority_with_anything_else_has_no_host_and_problems_are_named() {
        assertThat(UrlHosts.host(URI.create("http://bad!name/"))).isNull();
        assertThat(WebhookUrls.problem(URI.create("http://bad!name/"))).contains("URL must have a host");
        assertThat(WebhookUrls.problem(URI.create("http://u@my_host/"))).contains("URL must not contain credentials");
        assertThat(WebhookUrls.problem(URI.create("http://u:p@example.com/"))).contains("URL must not contain credentials");
        assertThat(WebhookUrls.problem(URI.create("http://my_host:65536/"))).contains("URL port must be between 1 and 65535");
        assertThat(WebhookUrls.problem(URI.create("http://my_host:99999999999999999999/"))).contains("URL port must be between 1 and 65535");
        assertThat(WebhookUrls.problem(URI.create("http://my_host:65535/"))).isEmpty();
        assertThat(WebhookUrls.problem(URI.create("ftp://my_host/"))).contains("URL scheme must be http or https");
        assertThat(WebhookUrls.problem(URI.create("http:///path"))).contains("URL must have a host");
        assertThat(WebhookUrls.problem(URI.create("https://webhook_receiver/"))).get().asString().contains("works over http only");
        assertThat(WebhookUrls.problem(URI.create("https://svc.1abc/"))).isEmpty();
    }

    @Test
    void the_guard_reads_an_underscored_host_as_written() {
        var policy = new UrlPolicy(new AddressGuard(java.util.List.of()), false);
        assertThat(policy.refusal(URI.create("http://my_app.localhost:8080/"))).get().asString().contains("loopback");
        assertThat(policy.refusal(URI.create("http://a_b.169.254.169.254/"))).get().asString().contains("IPv4");
        assertThat(policy.refusal(URI.create("http://webhook_receiver:8080/"))).isEmpty();
        assertThat(new UrlPolicy(new AddressGuard(java.util.List.of()), true).refusal(URI.create("http://webhook_receiver/")))
                .contains(UrlPolicy.HTTPS_ONLY);
    }
}
