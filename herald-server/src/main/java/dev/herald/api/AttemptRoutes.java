package dev.herald.api;

import dev.herald.delivery.Publisher;
import dev.herald.domain.Application;
import dev.herald.domain.Attempt;
import dev.herald.domain.BackgroundTask;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.domain.EventType;
import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.store.AttemptStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.MessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The attempt log and the recovery tools: attempts, per-endpoint views, resend, recover, send-example, stats. */
public final class AttemptRoutes {
    private final AppResolver apps;
    private final EndpointRoutes endpointRoutes;
    private final MessageRoutes messageRoutes;
    private final EndpointStore endpoints;
    private final MessageStore messages;
    private final AttemptStore attempts;
    private final EventTypeStore eventTypes;
    private final Publisher publisher;
    private final BackgroundTaskRoutes tasks;
    private final Clock clock;
    private final Duration defaultRetention;

    public AttemptRoutes(AppResolver apps, EndpointRoutes endpointRoutes, MessageRoutes messageRoutes,
                         EndpointStore endpoints, MessageStore messages, AttemptStore attempts,
                         EventTypeStore eventTypes, Publisher publisher, BackgroundTaskRoutes tasks, Clock clock,
                         Duration defaultRetention) {
        this.apps = apps;
        this.endpointRoutes = endpointRoutes;
        this.messageRoutes = messageRoutes;
        this.endpoints = endpoints;
        this.messages = messages;
        this.attempts = attempts;
        this.eventTypes = eventTypes;
        this.publisher = publisher;
        this.tasks = tasks;
        this.clock = clock;
        this.defaultRetention = defaultRetention;
    }

    /** Svix's MessageAttemptOut plus Herald's attemptNumber, errorMessage and nextAttempt. */
    public record AttemptOut(String id, String msgId, String endpointId, String url, String response,
                             int responseStatusCode, long responseDurationMs, int status, String statusText,
                             int triggerType, Instant timestamp, MessageRoutes.MessageOut msg, int attemptNumber,
                             String errorMessage, Instant nextAttempt) {
        static AttemptOut of(Attempt a, MessageRoutes.MessageOut msg) {
            return of(a, msg, true);
        }

        /** Without content, {@code response} is {@code "{}"}, as Svix's lists answer {@code with_content=false}. */
        static AttemptOut of(Attempt a, MessageRoutes.MessageOut msg, boolean withContent) {
            String response = !withContent ? "{}" : a.response() == null ? "" : a.response();
            return new AttemptOut(a.id(), a.msgId(), a.endpointId(), a.url(), response,
                    a.responseStatusCode(), a.responseDurationMs(), a.status(), DeliveryStatus.text(a.status()),
                    a.triggerType(), a.createdAt(), msg, a.attemptNumber(), a.errorMessage(), a.nextAttempt());
        }
    }

    public record EndpointMessageOut(String id, String eventType, String eventId, @com.fasterxml.jackson.annotation.JsonRawValue String payload,
                                     Set<String> channels, Set<String> tags, Instant timestamp, Instant deliverAt,
                                     int status, String statusText, Instant nextAttempt) {}

    public record MessageEndpointOut(String id, String url, String description, String uid, int version,
                                     Long rateLimit, Long throttleRate, boolean disabled, Set<String> filterTypes,
                                     Set<String> channels, Map<String, String> metadata, Instant createdAt,
                                     Instant updatedAt, int status, String statusText, Instant nextAttempt) {}

    public record StatsOut(long success, long pending, long sending, long fail, long canceled) {}

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}", this::byEndpoint);
        routes.get("/api/v1/app/{app_id}/attempt/msg/{msg_id}", this::byMessage);
        // the SDKs' list-by-msg-deprecated and list-by-endpoint-deprecated, which svix-server still serves
        routes.get("/api/v1/app/{app_id}/msg/{msg_id}/attempt", this::byMessage);
        routes.get("/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/attempt", this::byMessageAndEndpoint);
        routes.get("/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}", this::one);
        routes.delete("/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content", this::expungeResponse);
        routes.get("/api/v1/app/{app_id}/msg/{msg_id}/endpoint", this::endpointsOfMessage);
        routes.get("/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg", this::messagesOfEndpoint);
        routes.post("/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend", this::resend);
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover", this::recover);
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/replay-missing", this::replayMissing);
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/bulk-replay", this::bulkReplay);
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example", this::sendExample);
        routes.get("/api/v1/app/{app_id}/endpoint/{endpoint_id}/stats", this::stats);
    }

    void byEndpoint(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        listAttempts(ctx, app, null, endpoint.id());
    }

    void byMessage(Context ctx) {
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        String endpointFilter = null;
        String endpointParam = ctx.queryParam("endpoint_id");
        if (endpointParam != null) {
            // as svix-server: an endpoint the application does not have is a 404, not an empty list
            endpointFilter = endpoints.find(app.id(), endpointParam).map(Endpoint::id)
                    .orElseThrow(() -> ApiException.notFound("Endpoint"));
        }
        listAttempts(ctx, app, message.id(), endpointFilter);
    }

    void byMessageAndEndpoint(Context ctx) {
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        listAttempts(ctx, app, message.id(), endpointRoutes.find(ctx, app).id());
    }

    private void listAttempts(Context ctx, Application app, String msgId, String endpointId) {
        var filter = new AttemptStore.AttemptFilter(msgId, endpointId, QueryParams.integer(ctx, "status", 0, 4),
                statusCodeClass(ctx), MessageRoutes.eventTypes(ctx), QueryParams.channel(ctx), QueryParams.tag(ctx),
                QueryParams.time(ctx, "before"), QueryParams.time(ctx, "after"));
        boolean withMsg = QueryParams.bool(ctx, "with_msg", false);
        // the 2.x SDKs send with_content=false unless told otherwise; a request without it has the response bodies
        boolean withContent = QueryParams.bool(ctx, "with_content", true);
        var page = attempts.list(app.id(),
                Lists.startingAfter(Lists.request(ctx, true, Ids.ATTEMPT), filter.before(), filter.after(), Ids.ATTEMPT), filter);
        Map<String, Message> shown = withMsg ? messages.findAll(app.id(), page.data().stream().map(Attempt::msgId).toList()) : Map.of();
        // with_msg never carries the payload (as the SDKs document it): the message's fields, its payload {}
        ctx.json(Lists.response(page, a -> AttemptOut.of(a, withMsg && shown.containsKey(a.msgId())
                ? MessageRoutes.MessageOut.of(shown.get(a.msgId()), false) : null, withContent)));
    }

    void one(Context ctx) {
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        var attempt = attempts.find(app.id(), message.id(), ctx.pathParam("attempt_id"))
                .orElseThrow(() -> ApiException.notFound("Attempt"));
        ctx.json(AttemptOut.of(attempt, null));
    }

    /** Svix's attempt expunge content (204): the response body the endpoint answered is deleted. */
    void expungeResponse(Context ctx) {
        Auth.requireAdmin(ctx); // svix-server: expunging is the organization's, never an application token's
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        var attempt = attempts.find(app.id(), message.id(), ctx.pathParam("attempt_id"))
                .orElseThrow(() -> ApiException.notFound("Attempt"));
        attempts.expungeResponse(message.id(), attempt.id());
        ctx.status(204);
    }

    void endpointsOfMessage(Context ctx) {
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        // paged as svix-server pages it: by endpoint id, newest first; a deleted endpoint's row is left out, the
        // iterator kept
        var page = attempts.statesOfMessage(message.id(), Lists.request(ctx, true, Ids.ENDPOINT));
        boolean expanded = expandedStatuses(ctx);
        Map<String, Endpoint> byId = new HashMap<>();
        for (Endpoint e : endpoints.allOf(app.id())) byId.put(e.id(), e);
        var data = page.data().stream().filter(s -> byId.containsKey(s.endpointId())).map(s -> {
            Endpoint e = byId.get(s.endpointId());
            int status = DeliveryStatus.shown(s.status(), expanded);
            return new MessageEndpointOut(e.id(), e.url(), e.description(), e.uid(), e.version(), e.rateLimit(),
                    e.throttleRate(), e.disabled(), e.filterTypes(), e.channels(), e.metadata(), e.createdAt(),
                    e.updatedAt(), status, DeliveryStatus.text(status), s.nextAttempt());
        }).toList();
        ctx.json(new Lists.ListResponse<>(data, page.iterator(), page.prevIterator(), page.done()));
    }

    void messagesOfEndpoint(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        boolean withContent = QueryParams.bool(ctx, "with_content", true);
        var filter = new AttemptStore.MessageStateFilter(QueryParams.integer(ctx, "status", 0, 4), MessageRoutes.eventTypes(ctx),
                QueryParams.channel(ctx), QueryParams.tag(ctx),
                QueryParams.time(ctx, "before"), QueryParams.time(ctx, "after"));
        var page = attempts.statesOfEndpoint(app.id(), endpoint.id(),
                Lists.startingAfter(Lists.request(ctx, true, Ids.MESSAGE), filter.before(), filter.after(), Ids.MESSAGE), filter);
        boolean expanded = expandedStatuses(ctx);
        Map<String, Message> shown = messages.findAll(app.id(), page.data().stream().map(AttemptStore.DeliveryState::msgId).toList());
        // a message the retention sweep removed between the two statements is left out, the iterator kept
        var kept = new dev.herald.domain.Page<>(page.data().stream().filter(s -> shown.containsKey(s.msgId())).toList(),
                page.iterator(), page.prevIterator(), page.done());
        ctx.json(Lists.response(kept, s -> {
            Message m = shown.get(s.msgId());
            var out = MessageRoutes.MessageOut.of(m, withContent);
            int status = DeliveryStatus.shown(s.status(), expanded);
            return new EndpointMessageOut(m.id(), m.eventType(), m.eventId(), out.payload(), m.channels(), m.tags(),
                    m.createdAt(), m.deliverAt(), status, DeliveryStatus.text(status), s.nextAttempt());
        }));
    }

    /** Svix's {@code expanded_statuses}: whether a cancelled delivery may be shown as canceled (4). */
    private static boolean expandedStatuses(Context ctx) {
        return QueryParams.bool(ctx, "expanded_statuses", false);
    }

    void resend(Context ctx) {
        Application app = apps.resolve(ctx);
        Message message = messageRoutes.find(ctx, app);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        resend(app, message, endpoint);
        ctx.status(202).json(java.util.Map.of()); // Svix's EmptyResponse: the JS SDK parses the body as JSON
    }

    /**
     * A manual attempt of the message to the endpoint, whatever became of its earlier ones. As svix-server, only to an
     * endpoint the message was queued for: replay-missing is the tool for one it never reached.
     */
    public void resend(Application app, Message message, Endpoint endpoint) {
        if (message.payload() == null) {
            // svix-server's code and words
            throw new ApiException(400, "missing_payload", "Unable to resend message. Payload is missing (probably expired).");
        }
        if (!attempts.wasQueued(message.id(), endpoint.id())) {
            throw ApiException.notFound("Message destination");
        }
        publisher.enqueueManual(message.id(), app.id(), List.of(endpoint.id()));
    }

    /** Svix's recover: a manual attempt of each message whose delivery to the endpoint, made since {@code since}, failed. */
    void recover(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        ctx.status(202).json(recover(app, endpoint, Body.of(ctx)));
    }

    /** Svix's recover, its RecoverIn in {@code body}: the task, finished or still running. */
    public BackgroundTaskRoutes.TaskOut recover(Application app, Endpoint endpoint, Body body) {
        var window = window(body);
        return tasks.run(app.id(), BackgroundTask.ENDPOINT_RECOVER, input(endpoint, window), heartbeat ->
                Map.of("messagesQueued", publisher.recover(endpoint, window.since(), window.until(), heartbeat)));
    }

    /**
     * Svix's replay-missing: a manual attempt of each message since {@code since} that the endpoint never had a
     * delivery of (it was created later, was disabled, or its filters left the message out then) and now accepts.
     */
    void replayMissing(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        var window = window(Body.of(ctx));
        replay(ctx, app, endpoint, BackgroundTask.ENDPOINT_REPLAY, window,
                MessageStore.ReplayWindow.missing(window.since(), window.until()));
    }

    /**
     * Svix's bulk-replay: a manual attempt of each message since {@code since} that the endpoint had a delivery of,
     * whatever became of it, narrowed by {@code status} (of a delivery), {@code statusCodeClass} (of an attempt),
     * {@code eventTypes}, {@code channel} and {@code tag} when given.
     */
    void bulkReplay(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        var body = Body.of(ctx);
        Long status = body.longValue("status", DeliveryStatus.SUCCESS, DeliveryStatus.SENDING);
        Long codeClass = body.longValue("statusCodeClass", 0, 500);
        if (codeClass != null && codeClass % 100 != 0) {
            body.fail("statusCodeClass", "statusCodeClass must be one of 0, 100, 200, 300, 400, 500", "value_error");
        }
        Set<String> eventTypes = body.stringSet("eventTypes", 250, EventTypeRoutes.NAME, 256);
        String channel = body.string("channel", 1, 128, EndpointInput.CHANNEL);
        String tag = body.string("tag", 1, 128, MessageRoutes.TAG);
        var window = window(body);
        replay(ctx, app, endpoint, BackgroundTask.ENDPOINT_BULK_REPLAY, window, new MessageStore.ReplayWindow(
                window.since(), window.until(), false, status == null ? null : status.intValue(),
                codeClass == null ? null : (int) (codeClass / 100), eventTypes == null || eventTypes.isEmpty() ? null : eventTypes,
                channel, tag));
    }

    private void replay(Context ctx, Application app, Endpoint endpoint, String task, Window window,
                        MessageStore.ReplayWindow selection) {
        ctx.status(202).json(tasks.run(app.id(), task, input(endpoint, window),
                heartbeat -> Map.of("messagesQueued", publisher.replay(endpoint, selection, heartbeat))));
    }

    private record Window(Instant since, Instant until) {}

    /** Svix's RecoverIn and ReplayIn: {@code since} required, {@code until} optional. */
    private static Window window(Body body) {
        Instant since = body.requiredTimestamp("since");
        Instant until = body.timestamp("until");
        if (since != null && until != null && until.isBefore(since)) body.fail("until", "until must not be before since", "value_error");
        body.validate();
        return new Window(since, until);
    }

    /** What a recovery task records of its request: the endpoint and the window. */
    private static Map<String, Object> input(Endpoint endpoint, Window window) {
        var data = new java.util.LinkedHashMap<String, Object>();
        data.put("endpointId", endpoint.id());
        data.put("since", window.since().toString());
        if (window.until() != null) data.put("until", window.until().toString());
        return data;
    }

    /** A test event to this endpoint alone, outside its filters: the type's schema example, or a stub. */
    void sendExample(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        ctx.status(202).json(MessageRoutes.MessageOut.of(
                sendExample(app, endpoint, Body.of(ctx), Auth.principal(ctx).featureFlags()), true));
    }

    /** The test event Svix sends with whatever is in the catalog: its dashboard's and app portal's default. */
    static final String PING_EVENT_TYPE = "svix.ping";
    static final String PING_PAYLOAD = "{\"success\":true}";

    /**
     * Svix's EventExampleIn in {@code body}: the message made and sent to the endpoint alone; {@code svix.ping} sends
     * {@code {"success":true}} whether or not the catalog has that type. A type the token's {@code featureFlags} hide
     * (null: none hidden) is not found, as its read is: its examples are not the token's to see.
     */
    public Message sendExample(Application app, Endpoint endpoint, Body body, Set<String> featureFlags) {
        String eventType = body.requiredString("eventType", 1, 256);
        Long index = body.longValue("exampleIndex", 0, 1000);
        body.validate();
        String payload;
        if (eventType.equals(PING_EVENT_TYPE)) {
            payload = PING_PAYLOAD; // svix-server's: no event type of that name need exist
        } else {
            EventType type = eventTypes.find(eventType).filter(t -> t.visibleWith(featureFlags))
                    .orElseThrow(() -> ApiException.notFound("Event type"));
            payload = examplePayload(type, index == null ? 0 : index.intValue());
            if (payload == null) {
                throw ValidationException.of("exampleIndex", "the event type has no example " + index, "value_error");
            }
        }
        Instant now = clock.instant();
        var message = new Message(Ids.next(Ids.MESSAGE, now), app.id(), eventType, null, payload, null, null, now, null,
                now.plus(defaultRetention));
        messages.insert(message);
        publisher.enqueueManual(message.id(), app.id(), List.of(endpoint.id()));
        return message;
    }

    /**
     * The {@code index}-th example of the type's schemas (Svix's {@code exampleIndex}); a stub when the type has
     * no examples at all, null when it has examples but not that many.
     */
    public static String examplePayload(EventType type, int index) {
        boolean hasExamples = false;
        if (type.schemasJson() != null) {
            try {
                var schemas = dev.herald.routing.PayloadJson.parse(type.schemasJson());
                for (var schema : schemas) {
                    var examples = schema.path("examples");
                    if (examples.isArray() && !examples.isEmpty()) {
                        hasExamples = true;
                        if (index < examples.size() && examples.get(index).isObject()) return examples.get(index).toString();
                    } else if (schema.path("example").isObject()) {
                        hasExamples = true;
                        if (index == 0) return schema.path("example").toString();
                    }
                }
            } catch (Exception ignored) {
                // fall through to the stub
            }
        }
        if (hasExamples) return null;
        return "{\"example\":true,\"eventType\":" + Json.MAPPER.valueToTree(type.name()) + "}";
    }

    void stats(Context ctx) {
        Application app = apps.resolve(ctx);
        Endpoint endpoint = endpointRoutes.find(ctx, app);
        ctx.json(stats(endpoint, QueryParams.time(ctx, "since"), QueryParams.time(ctx, "until")));
    }

    /** Svix's longest stats window, and the default one; five minutes more are allowed for clocks out of step. */
    public static final Duration STATS_WINDOW = Duration.ofDays(28);
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    /**
     * How the endpoint's deliveries of the messages published in [since, until) stand, counted by status, to the
     * second. As Svix: {@code until} defaults to now and may not be in the future; {@code since} defaults to 28 days
     * before {@code until} and may be no earlier than that, which also bounds what one call reads.
     */
    public StatsOut stats(Endpoint endpoint, Instant since, Instant until) {
        Instant now = clock.instant();
        if (until == null) until = now;
        if (until.isAfter(now)) throw new ApiException(400, "invalid_range", "'until' cannot be in the future");
        if (since == null) since = until.minus(STATS_WINDOW);
        if (since.isAfter(until)) throw new ApiException(400, "invalid_range", "'since' cannot be after 'until'");
        if (Duration.between(since, until).compareTo(STATS_WINDOW.plus(CLOCK_SLACK)) > 0) {
            throw new ApiException(400, "invalid_range", "'since' cannot be more than 28 days prior to 'until' (" + until + ")");
        }
        // An id names the second it was made in: the window's last second is counted whole.
        Instant end = until.getNano() == 0 ? until : until.plusSeconds(1);
        Map<Integer, Long> counts = attempts.endpointStats(endpoint.id(), Ids.firstAt(Ids.MESSAGE, since),
                Ids.firstAt(Ids.MESSAGE, end));
        return new StatsOut(counts.getOrDefault(DeliveryStatus.SUCCESS, 0L), counts.getOrDefault(DeliveryStatus.PENDING, 0L),
                counts.getOrDefault(DeliveryStatus.SENDING, 0L), counts.getOrDefault(DeliveryStatus.FAIL, 0L),
                counts.getOrDefault(DeliveryStatus.CANCELED, 0L));
    }

    /**
     * {@code status_code_class} as the SDKs send it: 0 (no response), 100, 200, 300, 400 or 500; the short
     * forms 1..5 are accepted too. Returns the class digit (0..5).
     */
    private static Integer statusCodeClass(Context ctx) {
        Integer value = QueryParams.integer(ctx, "status_code_class", 0, 500);
        if (value == null || value <= 5) return value;
        if (value % 100 != 0) {
            throw ValidationException.query("status_code_class", "status_code_class must be one of 0, 100, 200, 300, 400, 500");
        }
        return value / 100;
    }
}
