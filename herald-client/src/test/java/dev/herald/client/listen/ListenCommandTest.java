package dev.herald.client.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.client.HeraldClient;
import dev.herald.client.Retries;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.MessageIn;
import dev.herald.client.testing.Await;
import dev.herald.client.testing.FakeHerald;
import dev.herald.client.webhook.WebhookSigner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListenCommandTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private final ListenCommand command = new ListenCommand(new PrintStream(output, true, StandardCharsets.UTF_8),
            new PrintStream(errors, true, StandardCharsets.UTF_8));
    private final HttpClient http = HttpClient.newHttpClient();
    private Listener listener;

    @AfterEach
    void stop() {
        if (listener != null) listener.close();
    }

    @Test
    void verifies_a_signed_request_prints_it_and_answers_200() throws Exception {
        listener = command.start(ListenOptions.verifying(0, SECRET));

        var response = post(signed("msg_1", "{\"type\":\"invoice.paid\",\"data\":{\"amount\":1200}}"));

        assertThat(response.statusCode()).isEqualTo(200);
        Await.until(Duration.ofSeconds(5), () -> printed().contains("msg_1"), "the printout");
        assertThat(printed()).contains("invoice.paid  msg_1").contains("answered 200")
                .contains("{\n  \"type\": \"invoice.paid\",\n  \"data\": {\n    \"amount\": 1200\n  }\n}");
    }

    @Test
    void answers_the_chosen_status_to_try_retries() throws Exception {
        listener = command.start(ListenOptions.verifying(0, SECRET).withStatus(503));

        assertThat(post(signed("msg_2", "{}")).statusCode()).isEqualTo(503);
        Await.until(Duration.ofSeconds(5), () -> printed().contains("answered 503"), "the printout");
    }

    @Test
    void refuses_a_request_with_a_bad_signature_and_says_why() throws Exception {
        listener = command.start(ListenOptions.verifying(0, SECRET));
        var forged = HttpRequest.newBuilder(URI.create(listener.url()))
                .header("webhook-id", "msg_3").header("webhook-timestamp", Long.toString(Instant.now().getEpochSecond()))
                .header("webhook-signature", "v1,AAAA").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x\"}")).build();

        var response = http.send(forged, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("no v1 signature");
        Await.until(Duration.ofSeconds(5), () -> printed().contains("REJECTED"), "the printout");
    }

    @Test
    void with_an_app_creates_a_temporary_endpoint_receives_through_it_and_deletes_it_on_close() throws Exception {
        try (var herald = new FakeHerald()) {
            var client = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).retries(Retries.NONE).build();
            client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
            var options = new ListenOptions("127.0.0.1", 0, null, 200, "acme", FakeHerald.TOKEN, herald.url(), null,
                    Set.of("invoice.paid"));

            listener = command.start(options);
            assertThat(client.endpoints().list("acme").toList()).singleElement().satisfies(e -> {
                assertThat(e.url()).isEqualTo(listener.url());
                assertThat(e.filterTypes()).containsExactly("invoice.paid");
            });
            var message = client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("amount", 1200)));
            Await.until(Duration.ofSeconds(10), () -> printed().contains(message.id()), "the delivery");

            listener.close();
            listener = null;
            assertThat(client.endpoints().list("acme").toList()).isEmpty();
        }
        // the type comes from Herald's record of the message: this payload carries none
        assertThat(printed()).contains("invoice.paid  msg_").contains("\"amount\": 1200").doesNotContain("REJECTED");
    }

    @Test
    void run_reports_a_port_in_use_and_exits_1() {
        listener = command.start(ListenOptions.verifying(0, SECRET));

        int exit = command.run(ListenOptions.verifying(listener.port(), SECRET));

        assertThat(exit).isEqualTo(1);
        // on stderr: stdout carries the events, and may be a file
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("cannot listen on 127.0.0.1:" + listener.port());
        assertThat(printed()).doesNotContain("cannot listen on");
    }

    /** A Herald not where --server says (or not running): the address tried, and how to give another. */
    @Test
    void run_names_the_herald_it_could_not_reach_and_exits_1() throws Exception {
        String server = "http://127.0.0.1:1"; // a privileged port nothing here listens on (a freed one could be taken again)

        int exit = command.run(new ListenOptions("127.0.0.1", 0, null, 200, "acme", "token", server, null, null));

        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("herald listen: cannot reach Herald at " + server
                + " (give its URL with --server): POST " + server + "/api/v1/app/acme/endpoint failed after 4 tries:"
                + " connection refused or unreachable");
    }

    @Test
    void needs_a_secret_or_an_app() {
        assertThatThrownBy(() -> ListenOptions.verifying(0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--secret");
        assertThatThrownBy(() -> new ListenOptions(null, 0, null, 200, "acme", null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    }

    private HttpRequest signed(String id, String body) {
        long now = Instant.now().getEpochSecond();
        var request = HttpRequest.newBuilder(URI.create(listener.url())).POST(HttpRequest.BodyPublishers.ofString(body));
        WebhookSigner.of(SECRET).headers(id, now, body.getBytes(StandardCharsets.UTF_8)).forEach(request::header);
        return request.build();
    }

    private HttpResponse<String> post(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String printed() {
        return output.toString(StandardCharsets.UTF_8);
    }
}
