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
 * exhausted|recovered). They go to the operational webhook endpoints made through Svix's API (delivered as messages,
 * with retries: {@link OperationalApplication}) and to {@code HERALD_OPERATIONAL_WEBHOOK_URL}, signed with its secret.
 * The latter is best effort: sent straight away, logged when the receiver fails.
 */
public final class OperationalWebhooks {
    /** The event types Herald raises: an operational endpoint's {@code filterTypes} may name only these. */
    public static final java.util.Set<String> TYPES = java.util.Set.of("endpoint.created", "endpoint.updated",
            "endpoint.deleted", "endpoint.disabled", "endpoint.enabled", "message.attempt.failing",
            "message.attempt.exhausted", "message.attempt.recovered", "background_task.finished", OperationalApplication.ATTEMPT_LOG);

    private static final Logger log = LoggerFactory.getLogger(OperationalWebhooks.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static final OperationalWebhooks DISABLED = new OperationalWebhooks(Optional.empty(), Optional.empty(), null, null, Clock.systemUTC());

    /**
     * An event is raised per delivery failing or exhausted: with the operational URL down, a dead endpoint's thousands of
     * deliveries made a warning each.
     */
    private final dev.herald.logging.LogThrottle notAcceptedLog = new dev.herald.logging.LogThrottle(java.time.Duration.ofSeconds(10));
    private final java.util.concurrent.atomic.AtomicInteger sending = new java.util.concurrent.atomic.AtomicInteger();
    private final Optional<URI> url;
    private final Optional<String> secret;
    private final WebhookClient client;
    private final SignedRequestFactory requests;
    private final Clock clock;
    private volatile OperationalApplication application;

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

    /** From now on events also go to the operational endpoints made through the API (see {@link OperationalApplication}). */
    public void deliverThrough(OperationalApplication application) {
        this.application = application;
    }

    /** Whether the recorder should hand attempts to {@link #logAttempt} (an operational endpoint takes them by name). */
    public boolean wantsAttemptLog() {
        var endpoints = application;
        return endpoints != null && endpoints.wantsAttemptLog();
    }

    /** One attempt for the next message.attempt.log event (attempts of Herald's own application are left out). */
    public void logAttempt(String appId, Map<String, Object> attempt) {
        var endpoints = application;
        if (endpoints != null) endpoints.logAttempt(appId, attempt);
    }

    /** An event's body: {@code {type, timestamp, data}}, as every operational event has. */
    static String eventJson(String type, java.time.Instant at, Object data) {
        var event = new LinkedHashMap<String, Object>();
        event.put("type", type);
        event.put("timestamp", at);
        event.put("data", data);
        try {
            return MAPPER.writeValueAsString(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an operational event could not be written as JSON", e);
        }
    }

    public void emit(String type, Map<String, Object> data) {
        var endpoints = application;
        boolean toEndpoints = endpoints != null && endpoints.wants(data.get("appId") instanceof String appId ? appId : null);
        if (!enabled() && !toEndpoints) return;
        try {
            String json = eventJson(type, clock.instant(), data);
            if (toEndpoints) endpoints.publish(type, json);
            if (!enabled()) return;
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String id = Ids.next(Ids.MESSAGE, clock.instant());
            var request = requests.build(url.get(), id, clock.instant().getEpochSecond(), body,
                    secret.map(List::of).orElse(List.of()), Map.of());
            // the client's room is the deliveries': a slow operational URL may hold half of it at most (with all of it,
            // healthy endpoints' deliveries were refused as "too many requests queued" and counted as their failures)
            if (sending.incrementAndGet() > Math.max(1, client.maxRequestsQueued() / 2)) {
                sending.decrementAndGet();
                long leftOut = notAcceptedLog.admit();
                if (leftOut >= 0) {
                    log.warn("operational webhook {} dropped: too many still being sent to a slow operational URL{}", type,
                            dev.herald.logging.LogThrottle.leftOutNote(leftOut));
                }
                return;
            }
            client.send(request).whenComplete((result, error) -> {
                sending.decrementAndGet();
                if (error != null || result == null || !result.isSuccess()) {
                    long leftOut = notAcceptedLog.admit();
                    if (leftOut < 0) return;
                    log.warn("operational webhook {} was not accepted: {}{}", type,
                            error != null ? error.toString() : result == null ? "no result"
                                    : result.errorMessage() != null ? result.errorMessage() : "HTTP " + result.statusCode(),
                            dev.herald.logging.LogThrottle.leftOutNote(leftOut));
                }
            });
        } catch (Exception e) {
            long leftOut = notAcceptedLog.admit();
            if (leftOut >= 0) {
                log.warn("operational webhook {} could not be sent: {}{}", type, e.toString(),
                        dev.herald.logging.LogThrottle.leftOutNote(leftOut));
            }
        }
    }
}
