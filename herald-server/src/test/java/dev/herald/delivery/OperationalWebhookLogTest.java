package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.config.HeraldConfig.SignatureHeaders;
import dev.herald.outbound.AddressGuard;
import dev.herald.outbound.HostResolver;
import dev.herald.outbound.WebhookClient;
import dev.herald.outbound.WebhookClientSettings;
import dev.herald.testing.Receiver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An operational event is raised per failing delivery: with its URL refusing them, one warning per event flooded the log. */
class OperationalWebhookLogTest {

    @Test
    void refused_operational_events_are_logged_a_line_per_interval_not_one_each() {
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        var logger = (Logger) LoggerFactory.getLogger(OperationalWebhooks.class);
        logger.addAppender(logged);
        try (var refusing = new Receiver();
             var client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(5)),
                     new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system())) {
            refusing.reply(request -> Receiver.Reply.status(503));
            var operational = new OperationalWebhooks(Optional.of(refusing.url("/ops")), Optional.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), client,
                    new SignedRequestFactory(SignatureHeaders.WEBHOOK), Clock.systemUTC());
            for (int i = 0; i < 50; i++) operational.emit("message.attempt.failing", Map.of("appId", "app_1", "n", i));
            Receiver.await(Duration.ofSeconds(20), () -> refusing.requests("/ops").size() == 50, "every event sent");
            Receiver.await(Duration.ofSeconds(5), () -> !logged.list.isEmpty(), "the first refusal logged");
            assertThat(logged.list).as("warnings for 50 refused events").hasSizeLessThanOrEqualTo(2);
            assertThat(logged.list.get(0).getFormattedMessage()).contains("was not accepted").contains("HTTP 503");
        } finally {
            logger.detachAppender(logged);
        }
    }

    /** The client's room is the deliveries': a slow operational URL must not take all of it. */
    @Test
    void a_slow_operational_url_leaves_room_for_deliveries() {
        try (var slow = new Receiver(); var healthy = new Receiver();
             var client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(10))
                     .withMaxRequestsQueued(4), new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system())) {
            slow.reply(request -> new Receiver.Reply(200, Map.of(), Duration.ofSeconds(3)));
            var operational = new OperationalWebhooks(Optional.of(slow.url("/ops")), Optional.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                    client, new SignedRequestFactory(SignatureHeaders.WEBHOOK), Clock.systemUTC());
            for (int i = 0; i < 6; i++) operational.emit("endpoint.disabled", Map.of("appId", "app_1", "n", i));
            assertThat(client.pendingRequests()).as("operational sends held at once").isEqualTo(2);

            var delivery = client.send(dev.herald.outbound.OutboundRequest.post(java.net.URI.create(healthy.url("/h")), Map.of(),
                    "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))).orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            assertThat(delivery.statusCode()).as(String.valueOf(delivery.errorMessage())).isEqualTo(200);
        }
    }
}
