package dev.herald.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.delivery.Publisher;
import dev.herald.domain.Application;
import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.store.ApplicationStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.MessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /api/v1/app/{app_id}/msg}: publish (202), list and read messages, expunge their content, precheck. */
public final class MessageRoutes {
    public static final Pattern EVENT_ID = Pattern.compile("^[a-zA-Z0-9\\-_.:]+$");
    static final Pattern TAG = Pattern.compile("^[a-zA-Z0-9\\-_./\\\\#]+$");
    static final String EXPIRED_PAYLOAD = "{\"expired\":true}";

    private final ApplicationStore apps;
    private final AppResolver resolver;
    private final ApplicationRoutes applicationRoutes;
    private final MessageStore messages;
    private final Publisher publisher;
    private final EventTypeGate eventTypes;
    private final Idempotency idempotency;
    private final EndpointStore endpoints;
    private final dev.herald.store.PollerStore pollers;
    private final BackgroundTaskRoutes tasks;
    private final Clock clock;
    private final int defaultRetentionDays;

    public MessageRoutes(ApplicationStore apps, AppResolver resolver, ApplicationRoutes applicationRoutes,
                         MessageStore messages, Publisher publisher, EventTypeGate eventTypes, Idempotency idempotency,
                         EndpointStore endpoints, dev.herald.store.PollerStore pollers, BackgroundTaskRoutes tasks,
                         Clock clock, int defaultRetentionDays) {
        this.apps = apps;
        this.resolver = resolver;
        this.applicationRoutes = applicationRoutes;
        this.messages = messages;
        this.publisher = publisher;
        this.eventTypes = eventTypes;
        this.idempotency = idempotency;
        this.endpoints = endpoints;
        this.pollers = pollers;
        this.tasks = tasks;
        this.clock = clock;
        this.defaultRetentionDays = defaultRetentionDays;
    }

    public record MessageOut(String id, String eventType, String eventId, @JsonRawValue String payload,
                             Set<String> channels, Set<String> tags, Instant deliverAt, Instant timestamp) {
        public static MessageOut of(Message m, boolean withContent) {
            String payload = !withContent ? "{}" : m.payload() == null ? EXPIRED_PAYLOAD : m.payload();
            return new MessageOut(m.id(), m.eventType(), m.eventId(), payload, m.channels(), m.tags(), m.deliverAt(),
                    m.createdAt());
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/app/{app_id}/msg", idempotency.wrapClaimingWithEffect(this::create));
        routes.get("/api/v1/app/{app_id}/msg", this::list);
        routes.get("/api/v1/app/{app_id}/msg/{msg_id}", this::get);
        routes.delete("/api/v1/app/{app_id}/msg/{msg_id}/content", this::expungeContent);
        routes.post("/api/v1/app/{app_id}/msg/expunge-all-contents", this::expungeAllContents);
        routes.post("/api/v1/app/{app_id}/msg/bulk-expunge", this::bulkExpunge);
        routes.post("/api/v1/app/{app_id}/msg/precheck/active", this::precheck);
    }

    public record PrecheckOut(boolean active) {}

    /**
     * Svix's expunge content (204): the payload is blanked at once, as retention would. The message reads as
     * {@code {"expired":true}} from then on, and its deliveries still queued are cancelled (one a node has already taken,
     * with the payload in hand, may still go out).
     */
    void expungeContent(Context ctx) {
        Auth.requireAdmin(ctx); // svix-server: expunging is the organization's, never an application token's
        var app = resolver.resolve(ctx);
        var message = find(ctx, app);
        messages.expungeContent(app.id(), message.id());
        ctx.status(204);
    }

    /** At most this many messages named in one bulk expunge. */
    static final int MAX_BULK_EXPUNGE = 1_000;

    public record BulkExpungeOut(Map<String, String> results) {}

    /**
     * Svix 2.x's bulk expunge: the payloads of the messages named ({@code ids}, each a message id or an
     * {@code eventId}) blanked at once, as {@link #expungeContent} does one; answers each name's outcome,
     * {@code expunged} or {@code not-found}.
     */
    void bulkExpunge(Context ctx) {
        Auth.requireAdmin(ctx); // svix-server: expunging is the organization's, never an application token's
        var app = resolver.resolve(ctx);
        var body = Body.of(ctx);
        Set<String> ids = body.stringSet("ids", MAX_BULK_EXPUNGE, EVENT_ID, 256);
        body.validate();
        Set<String> keys = ids == null ? Set.of() : ids;
        Set<String> expunged = messages.expungeContents(app.id(), keys);
        var results = new java.util.LinkedHashMap<String, String>();
        for (String key : keys) results.put(key, expunged.contains(key) ? "expunged" : "not-found");
        ctx.json(new BulkExpungeOut(results));
    }

    /** Svix's expunge-all-contents: every payload of the application blanked, as a background task. */
    void expungeAllContents(Context ctx) {
        Auth.requireAdmin(ctx); // svix-server: expunging is the organization's, never an application token's
        var app = resolver.resolve(ctx);
        ctx.status(202).json(tasks.run(app.id(), dev.herald.domain.BackgroundTask.APPLICATION_PURGE_CONTENT,
                java.util.Map.of(), heartbeat -> java.util.Map.of("messagesExpunged", messages.expungeAllContents(app.id(), heartbeat))));
    }

    /**
     * Svix's precheck: whether a message of this type (and channels) would reach any endpoint now, so an app can skip
     * building one nobody gets. An endpoint with a payload filter counts as reached: the filter needs the payload. A
     * polling endpoint (or polling destination) that would keep the message counts too.
     */
    void precheck(Context ctx) {
        var app = resolver.resolve(ctx);
        var body = Body.of(ctx);
        String eventType = body.requiredString("eventType", 1, 256);
        Set<String> channels = body.stringSet("channels", 10, EndpointInput.CHANNEL, 128);
        body.validate();
        boolean active = endpoints.allOf(app.id()).stream().anyMatch(e -> e.accepts(eventType, channels))
                || pollers.anyAccepts(app.id(), eventType, channels);
        ctx.json(new PrecheckOut(active));
    }

    void create(Context ctx) throws Exception {
        var body = Body.of(ctx);
        String eventType = body.requiredString("eventType", 1, 256);
        if (eventType != null && !EventTypeRoutes.NAME.matcher(eventType).matches()) {
            body.fail("eventType", "string does not match regex \"" + EventTypeRoutes.NAME.pattern() + "\"", "value_error.str.regex");
        }
        String payload = payloadOf(body);
        String eventId = body.notAnId("eventId", body.string("eventId", 1, 256, EVENT_ID), Ids.MESSAGE);
        Set<String> channels = body.stringSet("channels", 10, EndpointInput.CHANNEL, 128);
        Set<String> tags = body.stringSet("tags", 5, TAG, 128);
        Instant deliverAt = body.timestamp("deliverAt");
        Long retentionDays = body.longValue("payloadRetentionPeriod", 1, 3650);
        Long retentionHours = body.longValue("payloadRetentionHours", 1, 3650L * 24);
        body.validate();
        // with_content=false (the 2.x SDKs' default) answers the payload as {}: the caller has it. Read before anything
        // is written, so that a bad value stores nothing.
        boolean withContent = QueryParams.bool(ctx, "with_content", true);
        eventTypes.check(eventType, payload); // archived types and schema violations: 422, from a cached catalog

        String appId = appIdFor(ctx, body);
        Instant now = clock.instant();
        Duration retention = retentionHours != null ? Duration.ofHours(retentionHours)
                : Duration.ofDays(retentionDays != null ? retentionDays : defaultRetentionDays);
        var message = new Message(Ids.next(Ids.MESSAGE, now), appId, eventType, eventId, payload, channels, tags, now,
                deliverAt, now.plus(retention));
        var key = Idempotency.pending(ctx);
        if (key == null) {
            publisher.publish(message);
            ctx.status(202).json(MessageOut.of(message, withContent));
            return;
        }
        // the answer is stored under the key in the message's own commit: no commit of its own per publish
        String answer = Json.MAPPER.writeValueAsString(MessageOut.of(message, withContent));
        publisher.publish(message, key.answer(202, answer));
        Idempotency.answered(ctx);
        ctx.status(202).contentType("application/json").result(answer);
    }

    /** The payload as exact JSON text: {@code payload}, its alias {@code data}, or the SDK's rawPayload string. */
    private static String payloadOf(Body body) {
        JsonNode params = body.raw("transformationsParams");
        if (params != null && params.isObject() && params.path("rawPayload").isTextual()) {
            String raw = params.path("rawPayload").textValue();
            try {
                // the whole text must be the one object: what follows it would be stored and sent with it
                JsonNode parsed = Json.WHOLE.readTree(raw);
                var problem = parsed == null ? null : Body.payloadProblem(parsed);
                if (problem != null) {
                    body.fail("payload", problem.msg(), problem.type());
                    return null;
                }
                if (parsed == null || !parsed.isObject()) {
                    body.fail("payload", "payload must be a JSON object", "type_error.dict");
                    return null;
                }
                return raw;
            } catch (Exception e) {
                body.fail("transformationsParams", "rawPayload is not valid JSON", "value_error.jsondecode");
                return null;
            }
        }
        String field = body.has("payload") || !body.has("data") ? "payload" : "data";
        JsonNode payload = body.raw(field);
        if (payload == null) {
            body.fail("payload", "field required", "value_error.missing");
            return null;
        }
        if (!payload.isObject()) {
            body.fail(field, "payload must be a JSON object", "type_error.dict");
            return null;
        }
        var problem = Body.payloadProblem(payload);
        if (problem != null) {
            body.fail(field, problem.msg(), problem.type());
            return null;
        }
        return payload.toString();
    }

    /** The path's application's id; with {@code application} in the body a missing one is created on the fly. */
    private String appIdFor(Context ctx, Body body) {
        var created = applicationRoutes.createIfMissing(ctx, body);
        return created != null ? created.id() : resolver.resolveCachedId(ctx);
    }

    void list(Context ctx) {
        var app = resolver.resolve(ctx);
        var filter = new MessageStore.MessageFilter(eventTypes(ctx), QueryParams.channel(ctx),
                QueryParams.time(ctx, "before"), QueryParams.time(ctx, "after"), QueryParams.tag(ctx));
        boolean withContent = QueryParams.bool(ctx, "with_content", true);
        var page = Lists.startingAfter(Lists.request(ctx, true, Ids.MESSAGE), filter.before(), filter.after(), Ids.MESSAGE);
        ctx.json(Lists.response(messages.list(app.id(), page, filter), m -> MessageOut.of(m, withContent)));
    }

    void get(Context ctx) {
        var app = resolver.resolve(ctx);
        var message = find(ctx, app);
        ctx.json(MessageOut.of(message, QueryParams.bool(ctx, "with_content", true)));
    }

    public Message find(Context ctx, Application app) {
        return messages.find(app.id(), ctx.pathParam("msg_id")).orElseThrow(() -> ApiException.notFound("Message"));
    }

    /** {@code event_types} as repeated parameters or comma-separated (the SDK joins with commas). */
    public static Set<String> eventTypes(Context ctx) {
        // as svix-server's EventTypesQuery: event_types=a,b, repeated, and the bracket forms event_types[]=a and
        // event_types[0]=a some clients write (read as absent, they listed every type)
        List<String> values = new java.util.ArrayList<>();
        ctx.queryParamMap().forEach((name, given) -> {
            if (name.equals("event_types") || name.equals("event_types[]") || name.matches("event_types\\[\\d{1,4}]")) values.addAll(given);
        });
        if (values.isEmpty()) return null;
        var set = new LinkedHashSet<String>();
        for (String v : values) Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(set::add);
        for (String type : set) QueryParams.checkedName("event_types", type, EventTypeRoutes.NAME, 256);
        return set.isEmpty() ? null : set;
    }
}
