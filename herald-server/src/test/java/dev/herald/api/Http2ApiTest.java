package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AbstractConnectionPool;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.Test;

/** The API speaks HTTP/2 over cleartext to clients that start with it, on the same port as HTTP/1.1. */
class Http2ApiTest {

    @Test
    void messages_published_over_http2_are_accepted_and_delivered() throws Exception {
        var http2 = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        http2.start();
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            String app = herald.api.post("/api/v1/app", "{\"name\":\"h2\"}").text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + receiver.url("/h2") + "\"}");

            // once a connection is up, concurrent publishes share it (multiplexed streams)
            assertThat(http2.GET(herald.baseUrl() + "/api/v1/health").getVersion()).isEqualTo(HttpVersion.HTTP_2);
            var requests = new ArrayList<CompletableFuture<ContentResponse>>();
            for (int i = 0; i < 20; i++) {
                var body = "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}";
                var request = http2.newRequest(herald.baseUrl() + "/api/v1/app/" + app + "/msg")
                        .method(HttpMethod.POST)
                        .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + TestHerald.ADMIN_TOKEN))
                        .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8))
                        .timeout(10, TimeUnit.SECONDS);
                var future = new CompletableResponseListener(request).send();
                requests.add(future);
            }
            List<ContentResponse> answers = new ArrayList<>();
            for (var f : requests) answers.add(f.get(10, TimeUnit.SECONDS));
            assertThat(answers).allSatisfy(r -> {
                assertThat(r.getVersion()).isEqualTo(HttpVersion.HTTP_2);
                assertThat(r.getStatus()).isEqualTo(202);
                assertThat(r.getContentAsString()).contains("\"id\":\"msg_");
            });
            assertThat(http2.getDestinations()).singleElement()
                    .satisfies(d -> assertThat(((AbstractConnectionPool) d.getConnectionPool()).getConnectionCount()).as("one multiplexed connection").isEqualTo(1));
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/h2").size() == 20, "every message delivered");

            // a bad request gets the same error body over HTTP/2
            var bad = http2.newRequest(herald.baseUrl() + "/api/v1/app/" + app + "/msg")
                    .method(HttpMethod.POST)
                    .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + TestHerald.ADMIN_TOKEN))
                    .body(new StringRequestContent("application/json", "{\"payload\":", StandardCharsets.UTF_8))
                    .timeout(10, TimeUnit.SECONDS)
                    .send();
            assertThat(bad.getVersion()).isEqualTo(HttpVersion.HTTP_2);
            var sameOverHttp1 = herald.api.post("/api/v1/app/" + app + "/msg", "{\"payload\":");
            assertThat(bad.getStatus()).isEqualTo(sameOverHttp1.status()).isEqualTo(422);
            assertThat(bad.getContentAsString()).isEqualTo(sameOverHttp1.raw()).contains("value_error.jsondecode");
            // and HTTP/1.1 clients on the same port are served as before
            assertThat(herald.api.get("/api/v1/app/" + app).status()).isEqualTo(200);
        } finally {
            http2.stop();
        }
    }

    /**
     * An answer decided on the headers (a bad token) or on the declared size (too large) comes before the body has
     * arrived, and HTTP/2 then ends the stream under the rest of the upload: the client must still get the answer and
     * its error body, and the connection must serve the next request.
     */
    @Test
    void an_answer_given_before_a_large_body_has_arrived_reaches_an_http2_client() throws Exception {
        var http2 = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
        http2.start();
        try (var herald = TestHerald.start()) {
            String overMax = "{\"name\":\"" + "a".repeat(3_000_000) + "\"}";
            for (int i = 0; i < 5; i++) {
                var unauthenticated = post(http2, herald.baseUrl() + "/api/v1/app", "not-a-token", overMax);
                assertThat(unauthenticated.getStatus()).isEqualTo(401);
                assertThat(unauthenticated.getContentAsString()).contains("\"code\":\"authentication_failed\"");
                var tooLarge = post(http2, herald.baseUrl() + "/api/v1/app", TestHerald.ADMIN_TOKEN, overMax);
                assertThat(tooLarge.getStatus()).isEqualTo(413);
                assertThat(tooLarge.getContentAsString()).contains("\"code\":\"payload_too_large\"");
            }
            var created = post(http2, herald.baseUrl() + "/api/v1/app", TestHerald.ADMIN_TOKEN, "{\"name\":\"after\"}");
            assertThat(created.getVersion()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(created.getStatus()).isEqualTo(201);
        } finally {
            http2.stop();
        }
    }

    private static ContentResponse post(HttpClient client, String url, String token, String body) throws Exception {
        return client.newRequest(url)
                .method(HttpMethod.POST)
                .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token))
                .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8))
                .timeout(10, TimeUnit.SECONDS)
                .send();
    }

    /**
     * The JDK's HttpClient asks plain-HTTP servers to upgrade to HTTP/2 ("Upgrade: h2c"). Accepted, its later POSTs ran
     * over HTTP/2, and one answered (403) before its body had arrived was reset under it: the client threw "RST_STREAM
     * received" instead of returning the 403 (TenantIsolationTest in CI). Herald declines the upgrade.
     */
    @Test
    void a_client_that_asks_to_upgrade_stays_on_http1_and_gets_its_error_answers() throws Exception {
        var jdk = java.net.http.HttpClient.newHttpClient();
        try (var herald = TestHerald.start()) {
            var health = jdk.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.baseUrl() + "/api/v1/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
            for (int i = 0; i < 50; i++) {
                var refused = jdk.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.baseUrl() + "/api/v1/app"))
                                .header("authorization", "Bearer not-a-token")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(refused.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
            }
        }
    }
}
