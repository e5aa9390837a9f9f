package dev.herald.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.herald.domain.Ids;
import dev.herald.outbound.WebhookClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operational webhooks (Svix's names: endpoint.created|updated|deleted|disabled, message.attempt.failing|
 * exhausted|recovered) to {@code HERALD_OPERATIONAL_WEBHOOK_URL}, signed with its secret. Best effort:
 * sent straight away, logged when the receiver fails; they are notices, not the customer's data.
 */
public final class OperationalWebhooks {
    private static final Logger log = LoggerFactory.getLogger(OperationalWebhooks.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static final OperationalWebhooks DISABLED = new OperationalWebhooks(Optional.empty(), Optional.empty(), null, null, Clock.systemUTC());

    private final Optional<URI> url;
    private final Optional<String> secret;
    private final WebhookClient client;
    private final SignedRequestFactory requests;
    private final Clock clock;

    public OperationalWebhooks(Optional<String> url, Optional<String> secret, WebhookClient client,
                               SignedRequestFactory requests, Clock clock) {
        this.url = url.map(URI::create);
        this.secret = secret;
        this.client = client;
        this.requests = requests;
        this.clock = clock;
    }

    public boolean enabled() {
        return url.isPresent() && client != null;
    }

    public void emit(String type, Map<String, Object> data) {
        if (!enabled()) return;
        try {
            var event = new LinkedHashMap<String, Object>();
            event.put("type", type);
            event.put("timestamp", clock.instant());
            event.put("data", data);
            byte[] body = MAPPER.writeValueAsString(event).getBytes(StandardCharsets.UTF_8);
            String id = Ids.next(Ids.MESSAGE);
            var request = requests.build(url.get(), id, clock.instant().getEpochSecond(), body,
                    secret.map(List::of).orElse(List.of()), Map.of());
            client.send(request).whenComplete((result, error) -> {
                if (error != null || result == null || !result.isSuccess()) {
                    log.warn("operational webhook {} was not accepted: {}", type,
                            error != null ? error.toString() : result == null ? "no result"
                                    : result.errorMessage() != null ? result.errorMessage() : "HTTP " + result.statusCode());
                }
            });
        } catch (Exception e) {
            log.warn("operational webhook {} could not be sent: {}", type, e.toString());
        }
    }
}
