package dev.herald.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.api.MessageRoutes.MessageOut;
import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Ids;
import dev.herald.domain.Poller;
import dev.herald.security.Tokens;
import dev.herald.store.PollerStore;
import dev.herald.store.PollerStore.Position;
import dev.herald.store.TokenStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Polling endpoints. Svix's poller routes read them: {@code GET /api/v1/app/{app}/poller/{sink}} (the reader keeps the
 * iterator) and {@code …/consumer/{consumer}} (Herald keeps it, by consumer), with {@code …/seek}. Svix makes them in
 * its app portal only; Herald's {@code /api/v1/app/{app}/polling-endpoint} routes (and its portal) make, change and
 * delete them. A poller holds the messages published after it was made, in the order they were committed.
 */
public final class PollerRoutes {
    private static final String MANAGE = "/api/v1/app/{app_id}/polling-endpoint";
    static final String POLL = "/api/v1/app/{app_id}/poller/{sink_id}";
    /** Svix's second consumer: a poll leases what it answers, a commit moves the consumer's place. */
    static final String LEASE = MANAGE + "/{poller_id}/consumer/{consumer_id}";
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    static final long MIN_LEASE_MS = 1_000, MAX_LEASE_MS = 3_600_000;
    static final String KEY_PREFIX = "pollsk_";
    /** The most polling endpoints an application may have: each adds a row to every message it takes. */
    static final int MAX_PER_APP = 10;

    private final AppResolver apps;
    private final PollerStore pollers;
    private final TokenStore tokens;
    private final Auth auth;
    private final Function<Collection<String>, List<String>> missingTypes;
    private final Clock clock;

    public PollerRoutes(AppResolver apps, PollerStore pollers, TokenStore tokens, Auth auth,
                        Function<Collection<String>, List<String>> missingTypes, Clock clock) {
        this.apps = apps;
        this.pollers = pollers;
        this.tokens = tokens;
        this.auth = auth;
        this.missingTypes = missingTypes;
        this.clock = clock;
    }

    /** A polling endpoint as the API shows it, with the path that reads it. */
    public record PollerOut(String id, String uid, String description, Set<String> filterTypes, Set<String> channels,
                            String pollPath, Instant createdAt, Instant updatedAt) {
        public static PollerOut of(Poller p) {
            return new PollerOut(p.id(), p.uid(), p.description(), p.filterTypes(), p.channels(),
                    "/api/v1/app/" + p.appId() + "/poller/" + p.id(), p.createdAt(), p.updatedAt());
        }
    }

    /** Svix's PollingEndpointMessageOut. */
    public record PolledMessage(String id, String eventType, String eventId, @JsonRawValue String payload,
                                Set<String> channels, Set<String> tags, Instant deliverAt, Instant timestamp,
                                Map<String, String> headers) {}

    /** Svix's PollingEndpointOut. */
    public record PollOut(List<PolledMessage> data, String iterator, boolean done) {}

    public record SeekOut(String iterator) {}

    /** Svix's PollerV2MessageOut: a message with the offset that commits it. */
    public record LeasedMessage(String id, String eventType, String eventId, @JsonRawValue String payload,
                                Set<String> channels, Set<String> tags, Instant deliverAt, Instant timestamp,
                                Map<String, String> headers, long offset) {}

    /** Svix's PollerV2PollOut. */
    public record LeasedPollOut(List<LeasedMessage> data, boolean done) {}

    /** A polling endpoint's new key, shown once: Herald keeps only its hash. */
    public record PollerKeyOut(String key) {}

    public void register(RoutesConfig routes) {
        routes.post(MANAGE, this::create);
        routes.get(MANAGE, this::list);
        routes.get(MANAGE + "/{poller_id}", ctx -> ctx.json(PollerOut.of(find(ctx, apps.resolve(ctx), "poller_id"))));
        routes.patch(MANAGE + "/{poller_id}", this::patch);
        routes.delete(MANAGE + "/{poller_id}", this::delete);
        routes.post(MANAGE + "/{poller_id}/key/rotate", ctx -> {
            var app = apps.resolve(ctx);
            ctx.json(rotateKey(app, find(ctx, app, "poller_id")));
        });
        routes.get(POLL, this::poll);
        routes.get(POLL + "/consumer/{consumer_id}", this::consumerPoll);
        routes.post(POLL + "/consumer/{consumer_id}/seek", this::seek);
        routes.get(LEASE, this::leasePoll);
        routes.post(LEASE + "/commit", this::commit);
    }

    /** Whether a route reads one poller, the only routes a polling endpoint's key reaches. */
    static boolean readsOnePoller(String routePath) {
        return routePath.startsWith(POLL) || routePath.startsWith(LEASE);
    }

    void create(Context ctx) {
        ctx.status(201).json(PollerOut.of(create(apps.resolve(ctx), Body.of(ctx))));
    }

    /** {@code {uid?, description?, filterTypes?, channels?}} checked and stored (the API's POST and the app portal's form). */
    public Poller create(Application app, Body body) {
        return pollers.insert(readWhole(body, Ids.next(Ids.POLLER), app, null), MAX_PER_APP);
    }

    /**
     * AutoConfig's subscribe for a polling endpoint (Svix's SinkInCommon): makes the poller {@code id}, or replaces its
     * settings. The fields of SinkInCommon that only an HTTP endpoint has are ignored.
     */
    public Poller subscribe(Application app, String id, Body body) {
        var existing = pollers.find(app.id(), id).filter(p -> p.id().equals(id));
        if (existing.isEmpty()) {
            // made again under its deleted predecessor's id, its entries would be purged with the predecessor's
            if (pollers.removalPending(id)) throw ApiException.sinkBeingRemoved();
            try {
                return pollers.insert(readWhole(body, id, app, null), MAX_PER_APP);
            } catch (ConflictException e) {
                // a subscribe racing this one made the poller first (or the body's uid is another poller's)
                existing = pollers.find(app.id(), id).filter(p -> p.id().equals(id));
                if (existing.isEmpty()) throw e;
            }
        }
        return pollers.update(readWhole(body, id, app, existing.get())).orElseThrow(PollerRoutes::notFound);
    }

    /** A poller read whole from {@code {uid?, description?, filterTypes?, channels?}} (create, and AutoConfig's). */
    private Poller readWhole(Body body, String id, Application app, Poller existing) {
        String uid = body.uid("uid", Ids.POLLER, Ids.ENDPOINT);
        String description = body.string("description", 0, 10_000);
        Set<String> types = filterTypes(body);
        Set<String> channels = EndpointInput.channels(body);
        body.validate();
        Instant now = clock.instant();
        return new Poller(id, app.id(), uid, description == null ? "" : description, emptyIsNull(types),
                emptyIsNull(channels), existing == null ? now : existing.createdAt(), now);
    }

    void patch(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(PollerOut.of(patch(app, find(ctx, app, "poller_id"), Body.of(ctx))));
    }

    /** The fields given replace the poller's ({@code filterTypes}, or {@code eventTypes} as Svix 2.x names it). */
    public Poller patch(Application app, Poller current, Body body) {
        String uid = body.has("uid") ? body.uid("uid", Ids.POLLER, Ids.ENDPOINT) : current.uid();
        String description = body.has("description") ? body.string("description", 0, 10_000) : current.description();
        Set<String> types = body.has("filterTypes") || body.has("eventTypes") ? filterTypes(body) : current.filterTypes();
        Set<String> channels = body.has("channels") ? EndpointInput.channels(body) : current.channels();
        body.validate();
        return pollers.update(new Poller(current.id(), app.id(), uid, description == null ? "" : description,
                emptyIsNull(types), emptyIsNull(channels), current.createdAt(), clock.instant()))
                .orElseThrow(PollerRoutes::notFound);
    }

    /** The application's poller with this id or uid, if any (for an upsert). */
    public java.util.Optional<Poller> findByKey(Application app, String idOrUid) {
        return pollers.find(app.id(), idOrUid);
    }

    void delete(Context ctx) {
        var app = apps.resolve(ctx);
        delete(app, find(ctx, app, "poller_id"));
        ctx.status(204);
    }

    /** Deletes the poller with its entries and its keys (refused here at once, on other nodes within 30 seconds). */
    public void delete(Application app, Poller poller) {
        if (!pollers.delete(app.id(), poller.id())) throw notFound();
        auth.forget(owner -> poller.id().equals(owner.pollerId()));
    }

    /** A new key that reads this poller only; its earlier keys end now (here at once, on other nodes within 30 s). */
    public PollerKeyOut rotateKey(Application app, Poller poller) {
        String key = Tokens.generate(KEY_PREFIX);
        var ended = tokens.rotatePollerKey(app.id(), poller.id(), Ids.next(Ids.TOKEN), Tokens.hash(key), clock.instant());
        auth.forget(owner -> ended.contains(owner.tokenId()));
        return new PollerKeyOut(key);
    }

    void list(Context ctx) {
        var app = apps.resolve(ctx);
        // an AutoConfig subscription's polling endpoint has the endpoint id its token was made with
        ctx.json(Lists.response(page(app, Lists.request(ctx, false, Ids.POLLER, Ids.ENDPOINT)), PollerOut::of));
    }

    /** A page of the application's pollers, by id. */
    public dev.herald.domain.Page<Poller> page(Application app, dev.herald.domain.PageRequest request) {
        return pollers.list(app.id(), request);
    }

    /** Svix's poll: from the iterator, or from {@code after} (a time), or from the poller's first message. */
    void poll(Context ctx) {
        var poller = find(ctx, apps.resolve(ctx), "sink_id");
        int limit = Lists.limit(ctx);
        String iterator = ctx.queryParam("iterator");
        Instant after = QueryParams.time(ctx, "after");
        Position from = iterator != null ? decode(iterator)
                : after != null ? pollers.positionAfter(poller.id(), after) : Position.START;
        ctx.json(read(poller, from, limit, QueryParams.name(ctx, "event_type", EventTypeRoutes.NAME, 256), QueryParams.channel(ctx)));
    }

    /**
     * Svix's consumer poll: from the given iterator, else from where this consumer read to. Herald keeps the position
     * after the page it answers, so the next call goes on from there; a consumer that must not lose a page to a crash
     * passes the iterator of the last page it finished with, and reads the page after it again if need be.
     */
    void consumerPoll(Context ctx) {
        var poller = find(ctx, apps.resolve(ctx), "sink_id");
        String consumer = consumerId(ctx);
        int limit = Lists.limit(ctx);
        String iterator = ctx.queryParam("iterator");
        Position from = iterator != null ? decode(iterator) : pollers.consumerPosition(poller.id(), consumer);
        var out = read(poller, from, limit, null, null);
        pollers.saveConsumerPosition(poller.id(), consumer, decode(out.iterator()), clock.instant());
        ctx.json(out);
    }

    /** Svix's consumer seek: the consumer next reads the messages created after {@code after}. */
    void seek(Context ctx) {
        var poller = find(ctx, apps.resolve(ctx), "sink_id");
        String consumer = consumerId(ctx);
        var body = Body.of(ctx);
        Instant after = body.requiredTimestamp("after");
        body.validate();
        Position position = pollers.positionAfter(poller.id(), after);
        pollers.saveConsumerPosition(poller.id(), consumer, position, clock.instant());
        ctx.json(new SeekOut(encode(position)));
    }

    /**
     * Svix's second consumer poll ({@code limit}, {@code lease_duration_ms}, {@code starting_position}): the messages
     * after the consumer's committed place, leased to it. While the lease runs another poll is refused (409, with
     * Retry-After); once it has run out without a commit, the same messages come again.
     */
    void leasePoll(Context ctx) {
        var poller = find(ctx, apps.resolve(ctx), "poller_id");
        String consumer = consumerId(ctx);
        int limit = Lists.limit(ctx);
        Duration lease = leaseDuration(ctx);
        boolean latest = startsLatest(ctx);
        Instant now = clock.instant();
        var leased = pollers.leasePoll(poller.id(), consumer, limit, lease, latest, now);
        if (leased.heldUntil() != null) {
            long seconds = Math.max(1, (Duration.between(now, leased.heldUntil()).toMillis() + 999) / 1000);
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ApiException(409, "lease_held", "Consumer '" + consumer + "' holds a lease until "
                    + leased.heldUntil() + ": commit the offset of the last message processed, or poll once it ends");
        }
        var data = new ArrayList<LeasedMessage>(leased.messages().size());
        for (int i = 0; i < leased.messages().size(); i++) {
            var out = MessageOut.of(leased.messages().get(i), true);
            data.add(new LeasedMessage(out.id(), out.eventType(), out.eventId(), out.payload(), out.channels(),
                    out.tags(), out.deliverAt(), out.timestamp(), null, leased.offsets().get(i)));
        }
        ctx.json(new LeasedPollOut(data, leased.done()));
    }

    /** Svix's commit ({@code {offset}}): the consumer has processed every message up to that offset. */
    void commit(Context ctx) {
        var poller = find(ctx, apps.resolve(ctx), "poller_id");
        String consumer = consumerId(ctx);
        var body = Body.of(ctx);
        Long offset = body.requiredLong("offset", 0, Long.MAX_VALUE);
        body.validate();
        if (pollers.commit(poller.id(), consumer, offset, clock.instant()) == PollerStore.Commit.NOT_LEASED) {
            throw new ApiException(409, "offset_not_leased", "Offset " + offset + " was not handed out by the last poll of"
                    + " consumer '" + consumer + "': commit an offset that poll answered");
        }
        ctx.status(204);
    }

    private static Duration leaseDuration(Context ctx) {
        String text = ctx.queryParam("lease_duration_ms");
        if (text == null) return DEFAULT_LEASE;
        long ms;
        try {
            ms = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ValidationException.query("lease_duration_ms", "value is not a valid integer");
        }
        if (ms < MIN_LEASE_MS || ms > MAX_LEASE_MS) {
            throw ValidationException.query("lease_duration_ms",
                    "lease_duration_ms must be between " + MIN_LEASE_MS + " and " + MAX_LEASE_MS);
        }
        return Duration.ofMillis(ms);
    }

    /** Where a consumer that has not polled before starts: {@code earliest} (the default) or {@code latest}. */
    private static boolean startsLatest(Context ctx) {
        String position = ctx.queryParam("starting_position");
        if (position == null || position.equals("earliest")) return false;
        if (position.equals("latest")) return true;
        throw ValidationException.query("starting_position", "starting_position is 'earliest' or 'latest'");
    }

    private PollOut read(Poller poller, Position from, int limit, String eventType, String channel) {
        var read = pollers.read(poller.id(), from, limit, eventType, channel);
        var data = read.messages().stream().map(m -> {
            var out = MessageOut.of(m, true);
            return new PolledMessage(out.id(), out.eventType(), out.eventId(), out.payload(), out.channels(), out.tags(),
                    out.deliverAt(), out.timestamp(), null);
        }).toList();
        return new PollOut(data, encode(read.next()), read.done());
    }

    /**
     * The path's poller; a poller's or an AutoConfig key finds its own only (any other is not found, as another app's
     * is).
     */
    public Poller find(Context ctx, Application app, String param) {
        var owner = Auth.principal(ctx);
        return pollers.find(app.id(), ctx.pathParam(param))
                .filter(p -> owner.boundSink() == null || p.id().equals(owner.boundSink()))
                .orElseThrow(PollerRoutes::notFound);
    }

    private static ApiException notFound() {
        return ApiException.notFound("Polling endpoint");
    }

    /** {@code filterTypes} (or {@code eventTypes}, as later SDKs name it); every name must exist. */
    private Set<String> filterTypes(Body body) {
        String field = body.has("filterTypes") || !body.has("eventTypes") ? "filterTypes" : "eventTypes";
        return EndpointInput.eventTypes(body, field, missingTypes);
    }

    private static <T> Set<T> emptyIsNull(Set<T> set) {
        return set == null || set.isEmpty() ? null : set;
    }

    private static final Pattern CONSUMER = Pattern.compile("^[a-zA-Z0-9\\-_.]{1,256}$");

    private static String consumerId(Context ctx) {
        String consumer = ctx.pathParam("consumer_id");
        if (!CONSUMER.matcher(consumer).matches()) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("path", "consumer_id"),
                    "a consumer id is 1 to 256 letters, digits, '-', '_' or '.'", "value_error.str.regex")));
        }
        return consumer;
    }

    /** An iterator names a position; it is opaque to the reader, as Svix's are. */
    static String encode(Position position) {
        String text = position.xid() + "." + position.seq();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    static Position decode(String iterator) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(iterator), StandardCharsets.US_ASCII);
            int dot = text.indexOf('.');
            long xid = Long.parseLong(text.substring(0, dot));
            long seq = Long.parseLong(text.substring(dot + 1));
            if (xid < 0 || seq < 0) throw new NumberFormatException("negative");
            return new Position(xid, seq);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw ValidationException.query("iterator", "invalid iterator");
        }
    }
}
