package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The receiver counts a delivery once: a copy sent again, and a request that is not a signed webhook, are not rates. */
class BenchReceiverTest {
    @Test
    void a_copy_and_an_unsigned_request_are_not_counted() throws Exception {
        try (var receiver = new BenchReceiver(); var http = HttpClient.newHttpClient()) {
            int first = post(http, receiver.url("/ok/x"), "msg_1", true);
            int copy = post(http, receiver.url("/ok/x"), "msg_1", true);
            int elsewhere = post(http, receiver.url("/ok/y"), "msg_1", true); // one message to two endpoints: two deliveries
            int unsigned = post(http, receiver.url("/ok/x"), "msg_2", false);

            // a copy answered 200 (refused, the sender would retry it and it would count again), an unsigned request 400
            assertThat(new int[] {first, copy, elsewhere, unsigned}).containsExactly(200, 200, 200, 400);
            assertThat(receiver.count("/ok")).isEqualTo(2);
            assertThat(receiver.duplicates()).isEqualTo(1);
            receiver.reset();
            assertThat(receiver.takeUnsigned()).as("kept across a scenario's own reset, for the run's check").isEqualTo(1);
            assertThat(receiver.takeUnsigned()).isZero();
            assertThat(post(http, receiver.url("/ok/x"), "msg_1", true)).as("a new scenario starts afresh").isEqualTo(200);
        }
    }

    private static int post(HttpClient http, String url, String id, boolean signed) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString("{\"t\":0}"))
                .header("webhook-id", id);
        if (signed) request.header("webhook-timestamp", "1").header("webhook-signature", "v1,x");
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
