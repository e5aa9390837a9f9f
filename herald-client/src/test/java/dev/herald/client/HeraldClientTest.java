package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.ApplicationOut;
import dev.herald.client.model.EndpointIn;
import dev.herald.client.model.EventTypeIn;
import dev.herald.client.model.ListResponse;
import dev.herald.client.model.MessageIn;
import dev.herald.client.model.RecoverIn;
import dev.herald.client.model.RotateSecretIn;
import dev.herald.client.testing.Await;
import dev.herald.client.testing.FakeHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeraldClientTest {
    private static final Retries FAST = new Retries(3, Duration.ofMillis(1), Duration.ofMillis(5));

    private final FakeHerald herald = new FakeHerald();
    private final HeraldClient client = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).retries(FAST).build();

    @AfterEach
    void stop() {
        herald.close();
    }

    @Test
    void creates_reads_updates_and_deletes_an_application() {
        ApplicationOut created = client.applications().create(ApplicationIn.of("Acme").withUid("acme"));

        assertThat(created.id()).startsWith("app_");
        assertThat(client.applications().get("acme").id()).isEqualTo(created.id());
        assertThat(client.applications().update("acme", ApplicationIn.of("Acme Inc").withUid("acme")).name()).isEqualTo("Acme Inc");
        assertThat(client.applications().getOrCreate(ApplicationIn.of("ignored").withUid("acme")).id()).isEqualTo(created.id());

        client.applications().delete(created.id());
        assertThatThrownBy(() -> client.applications().get("acme")).isInstanceOf(HeraldNotFoundException.class);
    }

    @Test
    void list_iterates_over_every_page_by_itself() {
        IntStream.range(0, 7).forEach(i -> client.applications().create(ApplicationIn.of("app " + i)));

        var names = client.applications().list(ListOptions.defaults().withPageSize(3)).stream().map(ApplicationOut::name).toList();

        assertThat(names).hasSize(7).contains("app 0", "app 6");
        assertThat(herald.requests.stream().filter(r -> r.method().equals("GET") && r.path().equals("/api/v1/app")).count())
                .isEqualTo(3);
    }

    /** A payload given as text goes into the request as it is: text after its object would become the request's fields. */
    @Test
    void a_payload_text_with_anything_after_its_object_is_refused() {
        assertThatThrownBy(() -> MessageIn.of("order.created", "{\"x\":1},\"eventType\":\"admin.deleted\",\"channels\":[\"internal\"]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> MessageIn.of("order.created", "{\"x\":1} {\"y\":2}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(MessageIn.of("order.created", " {\"x\":1}\n")).isNotNull();
    }

    /** A consumer's read moves its place: after a lost answer, a second read would return the next page, this one skipped. */
    @Test
    void a_consumer_read_whose_answer_is_lost_is_not_tried_again() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        // the answer outlives the client's timeout (a connection cut before the answer would not do: the JDK's client
        // itself sends a GET again then, which no setting of a request turns off)
        var fresh = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).retries(FAST).requestTimeout(Duration.ofMillis(300)).build();
        herald.stallNext(Duration.ofSeconds(1));
        assertThatThrownBy(() -> fresh.pollers().consumerPoll("acme", "p", "ledger", null, 10))
                .isInstanceOf(HeraldConnectionException.class).hasMessageContaining("not tried again");
        assertThat(herald.consumerPages.get()).as("read once").isEqualTo(1);

        // a plain read changes nothing, and is tried again
        herald.dropAfterWorkNext(1);
        assertThat(client.applications().get("acme").name()).isEqualTo("Acme");
        // a consumer's read that never reached Herald is tried again
        herald.failNext(1, 429);
        assertThat(client.pollers().consumerPoll("acme", "p", "ledger", null, 10).iterator()).isEqualTo("page2");
    }

    /** A DELETE whose answer was lost is tried again and finds what it deleted gone: done, not "not found". */
    @Test
    void a_delete_whose_answer_was_lost_is_done_when_tried_again() {
        client.applications().create(ApplicationIn.of("Gone").withUid("gone"));
        herald.dropAfterWorkNext(1);
        client.applications().delete("gone");
        assertThatThrownBy(() -> client.applications().get("gone")).isInstanceOf(HeraldNotFoundException.class);
        // one that never was is still not found, after a retry of a try that never reached it too
        assertThatThrownBy(() -> client.applications().delete("never")).isInstanceOf(HeraldNotFoundException.class);
        herald.failNext(1, 429);
        assertThatThrownBy(() -> client.applications().delete("never")).isInstanceOf(HeraldNotFoundException.class);
    }

    /**
     * An answer whose head came and whose body stalled ends within the request timeout: the JDK's own timeout stops at
     * the head (JDK-8208693, to JDK 25), and the call, with a relay's shutdown behind it, waited for ever.
     */
    @Test
    void an_answer_whose_body_stalls_ends_within_the_request_timeout() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 100);
            exchange.getResponseBody().write("{\"data\":".getBytes());
            exchange.getResponseBody().flush();
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS); // the rest of the body never comes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        try (var stalled = HeraldClient.builder("http://127.0.0.1:" + server.getAddress().getPort(), FakeHerald.TOKEN)
                .retries(Retries.NONE).requestTimeout(Duration.ofMillis(500)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> stalled.applications().get("acme")).isInstanceOf(HeraldConnectionException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    /** "." and ".." would be dot-segments, taken away with the segment before them: another resource. */
    @Test
    void ids_of_dots_alone_are_written_as_escapes() {
        assertThat(Transport.path("/api/v1/app/{}/endpoint/{}", "acme", "..")).isEqualTo("/api/v1/app/acme/endpoint/%2E%2E");
        assertThat(Transport.path("/api/v1/app/{}", ".")).isEqualTo("/api/v1/app/%2E");
        assertThat(Transport.path("/api/v1/app/{}", "a.b c")).isEqualTo("/api/v1/app/a.b%20c");
    }

    @Test
    void not_found_carries_the_svix_error_body() {
        assertThatThrownBy(() -> client.endpoints().list("nope").toList())
                .isInstanceOfSatisfying(HeraldNotFoundException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("not_found");
                    assertThat(e.detail()).isEqualTo("Application not found");
                    assertThat(e.body()).contains("\"code\":\"not_found\"");
                });
    }

    @Test
    void validation_errors_name_each_field() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));

        assertThatThrownBy(() -> client.endpoints().create("acme", EndpointIn.of("ftp://example.com")))
                .isInstanceOfSatisfying(HeraldValidationException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.errors()).singleElement().satisfies(error -> {
                        assertThat(error.loc()).containsExactly("body", "url");
                        assertThat(error.msg()).contains("http or https");
                    });
                });
    }

    @Test
    void a_wrong_token_is_an_auth_error() {
        var stranger = HeraldClient.builder(herald.url(), "sk_wrong").retries(FAST).build();

        assertThatThrownBy(() -> stranger.applications().list().toList())
                .isInstanceOfSatisfying(HeraldAuthException.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void publishes_a_message_and_reads_it_back_by_event_id() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));

        var sent = client.messages().create("acme", MessageIn.of("invoice.paid", "{\"amount\":1.10}").withEventId("inv-1"));

        assertThat(sent.id()).startsWith("msg_");
        var read = client.messages().get("acme", "inv-1");
        assertThat(read.id()).isEqualTo(sent.id());
        assertThat(read.payload().toString()).isEqualTo("{\"amount\":1.10}");
        assertThat(client.messages().list("acme").toList()).hasSize(1);
    }

    @Test
    void a_duplicate_event_id_is_a_conflict() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("n", 1)).withEventId("inv-1"));

        assertThatThrownBy(() -> client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("n", 2)).withEventId("inv-1")))
                .isInstanceOfSatisfying(HeraldConflictException.class, e -> assertThat(e.code()).isEqualTo("conflict"));
    }

    @Test
    void retries_a_500_with_the_same_idempotency_key() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        herald.failNext(2, 500);

        client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("n", 1)));

        var publishes = herald.requests.stream().filter(r -> r.path().equals("/api/v1/app/acme/msg")).toList();
        assertThat(publishes).hasSize(3);
        assertThat(publishes).extracting(r -> r.header("idempotency-key")).doesNotContainNull().containsOnly(publishes.getFirst().header("idempotency-key"));
        assertThat(publishes.getLast().header("svix-retry-count")).isEqualTo("2");
        assertThat(herald.messagesOf("acme")).hasSize(1);
    }

    @Test
    void a_publish_whose_answer_was_lost_is_retried_and_stored_once() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        herald.dropAfterWorkNext(1);

        var sent = client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("n", 1)));

        assertThat(herald.publishRequests()).isEqualTo(2);
        assertThat(herald.messagesOf("acme")).singleElement().satisfies(m -> assertThat(m.path("id").asText()).isEqualTo(sent.id()));
    }

    @Test
    void retries_a_refused_connection_then_gives_up_with_a_connection_error() {
        herald.dropNext(2);
        assertThat(client.applications().list().toList()).isEmpty();

        herald.dropNext(10);
        assertThatThrownBy(() -> client.applications().list().toList())
                .isInstanceOf(HeraldConnectionException.class).hasMessageContaining("4 tries");
    }

    @Test
    void gives_up_after_the_last_retry_with_the_server_error() {
        herald.failNext(10, 503);

        assertThatThrownBy(() -> client.applications().list().toList())
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(herald.requests).hasSize(4);
    }

    @Test
    void does_not_retry_a_4xx() {
        assertThatThrownBy(() -> client.applications().get("missing")).isInstanceOf(HeraldNotFoundException.class);
        assertThat(herald.requests).hasSize(1);
    }

    @Test
    void event_types_round_trip() {
        client.eventTypes().create(EventTypeIn.of("invoice.paid", "An invoice was paid"));

        assertThat(client.eventTypes().get("invoice.paid").description()).isEqualTo("An invoice was paid");
        assertThat(client.eventTypes().list().toList()).extracting(t -> t.name()).containsExactly("invoice.paid");
        client.eventTypes().archive("invoice.paid");
        assertThat(client.eventTypes().get("invoice.paid").archived()).isTrue();
        client.eventTypes().expunge("invoice.paid");
        assertThatThrownBy(() -> client.eventTypes().get("invoice.paid")).isInstanceOf(HeraldNotFoundException.class);
    }

    @Test
    void endpoint_secret_is_read_and_rotated() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        var endpoint = client.endpoints().create("acme", EndpointIn.of("https://example.com/hook").withUid("main")
                .withFilterTypes(Set.of("invoice.paid")));
        String first = client.endpoints().secret("acme", "main");

        client.endpoints().rotateSecret("acme", endpoint.id());
        String second = client.endpoints().secret("acme", endpoint.id());
        client.endpoints().rotateSecret("acme", "main", new RotateSecretIn("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null));

        assertThat(first).startsWith("whsec_");
        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        assertThat(client.endpoints().secret("acme", "main")).isEqualTo("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThat(client.endpoints().get("acme", "main").filterTypes()).containsExactly("invoice.paid");
        client.endpoints().delete("acme", "main");
        assertThat(client.endpoints().list("acme").toList()).isEmpty();
    }

    @Test
    void attempts_are_listed_and_failed_messages_resent_and_recovered() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        // nothing listens on port 9 of 127.0.0.1: every attempt fails
        var endpoint = client.endpoints().create("acme", EndpointIn.of("http://127.0.0.1:9/hook"));
        var message = client.messages().create("acme", MessageIn.of("invoice.paid", Map.of("n", 1)));
        Await.until(Duration.ofSeconds(10), () -> herald.attempts().size() == 1, "the first attempt");

        var attempts = client.attempts().listByMessage("acme", message.id()).toList();
        assertThat(attempts).singleElement().satisfies(a -> {
            assertThat(a.statusText()).isEqualTo("fail");
            assertThat(a.endpointId()).isEqualTo(endpoint.id());
        });
        assertThat(client.attempts().get("acme", message.id(), attempts.getFirst().id()).msgId()).isEqualTo(message.id());

        client.attempts().resend("acme", message.id(), endpoint.id());
        Await.until(Duration.ofSeconds(10), () -> herald.attempts().size() == 2, "the resend");
        var recovered = client.attempts().recover("acme", endpoint.id(), new RecoverIn(Instant.now().minusSeconds(60), null));
        Await.until(Duration.ofSeconds(10), () -> herald.attempts().size() == 3, "the recovery");

        assertThat(recovered.task()).isEqualTo("endpoint.recover");
        assertThat(client.attempts().listByEndpoint("acme", endpoint.id()).toList()).hasSize(3);
    }

    @Test
    void path_ids_are_url_encoded() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        client.messages().create("acme", MessageIn.of("x", Map.of()).withEventId("order:42/a b"));

        assertThat(client.messages().get("acme", "order:42/a b").eventId()).isEqualTo("order:42/a b");
    }

    /** A page answered with "data": null ends the list: asking again must not throw from inside the iterator. */
    @Test
    void a_page_with_null_data_reads_as_empty() throws Exception {
        var type = HeraldJson.mapper().getTypeFactory().constructParametricType(ListResponse.class, ApplicationOut.class);
        ListResponse<ApplicationOut> page = HeraldJson.mapper().readValue("{\"data\":null,\"iterator\":\"it\",\"done\":false}", type);
        assertThat(page.data()).isEmpty();

        var iterator = new Paged<ApplicationOut>(cursor -> page).iterator();
        assertThat(iterator.hasNext()).isFalse();
        assertThat(iterator.hasNext()).as("asked again").isFalse();
    }

    /** RFC 9110 allows Retry-After as an HTTP date as well as seconds; either is kept to a day. */
    @Test
    void retry_after_is_read_as_seconds_or_as_an_http_date() {
        Instant now = Instant.parse("2026-10-21T07:28:00Z");
        assertThat(Transport.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(Transport.retryAfter("Wed, 21 Oct 2026 07:28:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Transport.retryAfter("Wed, 21 Oct 2026 07:27:00 GMT", now)).as("a date passed").isEqualTo(Duration.ZERO);
        assertThat(Transport.retryAfter("soon", now)).isNull();
        assertThat(Transport.retryAfter("-5", now)).isNull();
        Duration huge = Transport.retryAfter("9223372036854775807", now);
        assertThat(huge).isEqualTo(Duration.ofDays(1));
        // a wait past what Duration.toMillis holds threw ArithmeticException out of the retry loop
        assertThat(FAST.delayBefore(1, huge)).isEqualTo(Duration.ofMillis(5));
    }

    /** The JDK client the builder made has a selector thread and pooled connections; close ends them, not a caller's own. */
    @Test
    void close_ends_the_client_it_built_and_leaves_a_callers_own() {
        client.applications().create(ApplicationIn.of("Acme").withUid("acme"));
        var built = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).retries(Retries.NONE).build();
        assertThat(built.applications().get("acme").name()).isEqualTo("Acme");
        built.close();
        assertThatThrownBy(() -> built.applications().get("acme")).isInstanceOf(HeraldConnectionException.class);

        try (var own = java.net.http.HttpClient.newHttpClient()) {
            var given = HeraldClient.builder(herald.url(), FakeHerald.TOKEN).httpClient(own).build();
            given.close();
            assertThat(own.isTerminated()).isFalse();
            assertThat(given.applications().get("acme").name()).as("the caller's client still serves").isEqualTo("Acme");
        }
    }
}
