package dev.herald.client;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.model.BulkReplayIn;
import dev.herald.client.model.PrecheckIn;
import dev.herald.client.model.ReplayIn;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** herald-client's replay-missing, bulk replay, expunge, precheck and background tasks against the real server. */
@ExtendWith(TestDatabase.class)
class HeraldClientRecoveryTest {
    @Test
    void replays_what_an_endpoint_never_had_expunges_and_prechecks() {
        try (var herald = TestHerald.start(); var receiver = new Receiver()) {
            var client = HeraldClient.builder(herald.baseUrl(), TestHerald.ADMIN_TOKEN).build();
            herald.api.post("/api/v1/app", json("name", "Shop", "uid", "shop"));
            assertThat(client.messages().precheck("shop", new PrecheckIn("order.created", null))).isFalse();
            String early = herald.api.post("/api/v1/app/shop/msg", "{\"eventType\":\"order.created\",\"payload\":{\"n\":1}}").text("id");
            String ep = herald.api.post("/api/v1/app/shop/endpoint", json("url", receiver.url("/late"))).text("id");
            assertThat(client.messages().precheck("shop", new PrecheckIn("order.created", Set.of("eu")))).isTrue();

            var replay = client.attempts().replayMissing("shop", ep, new ReplayIn(Instant.now().minusSeconds(3600), null));
            assertThat(replay.task()).isEqualTo("endpoint.replay");
            var task = client.backgroundTasks().get(replay.id());
            assertThat(task.status()).isEqualTo("finished");
            assertThat(task.data()).containsEntry("messagesQueued", 1);
            Receiver.await(Duration.ofSeconds(15), () -> receiver.requests("/late").size() == 1, "the replayed message");
            assertThat(receiver.requests("/late").get(0).header("webhook-id")).isEqualTo(early);

            var bulk = client.attempts().bulkReplay("shop", ep, BulkReplayIn.since(Instant.now().minusSeconds(3600)));
            assertThat(bulk.task()).isEqualTo("endpoint.bulk-replay");
            assertThat(client.backgroundTasks().get(bulk.id()).data()).containsEntry("messagesQueued", 1);
            Receiver.await(Duration.ofSeconds(15), () -> receiver.requests("/late").size() == 2, "the message sent again");

            client.messages().expungeContent("shop", early);
            assertThat(herald.api.get("/api/v1/app/shop/msg/" + early).body().path("payload").toString())
                    .isEqualTo("{\"expired\":true}");
        }
    }

    /** The client's documented "empty means every one" holds though the API refuses an empty list (as Svix's does). */
    @Test
    void an_endpoint_given_empty_filter_types_and_channels_takes_every_message() {
        try (var herald = TestHerald.start()) {
            var client = HeraldClient.builder(herald.baseUrl(), TestHerald.ADMIN_TOKEN).build();
            herald.api.post("/api/v1/app", json("name", "Shop", "uid", "shop"));
            var in = dev.herald.client.model.EndpointIn.of("https://example.com/all").withFilterTypes(Set.of()).withChannels(Set.of());
            var created = client.endpoints().create("shop", in);
            var stored = herald.api.get("/api/v1/app/shop/endpoint/" + created.id()).body();
            assertThat(stored.path("filterTypes").isNull()).isTrue();
            assertThat(stored.path("channels").isNull()).isTrue();
            var replaced = client.endpoints().update("shop", created.id(), in.withDescription("again"));
            assertThat(replaced.description()).isEqualTo("again");
        }
    }
}
