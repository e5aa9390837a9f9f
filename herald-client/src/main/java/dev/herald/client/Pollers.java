package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.LeasedMessage;
import dev.herald.client.model.LeasedPage;
import dev.herald.client.model.ListResponse;
import dev.herald.client.model.MessageOut;
import dev.herald.client.model.PollerIn;
import dev.herald.client.model.PollerOut;
import dev.herald.client.model.PollingPage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Polling endpoints: Herald's {@code /api/v1/app/{app}/polling-endpoint} routes make them, Svix's poller routes read
 * them. A poller's key (from {@link #rotateKey}) reads it with a client of its own:
 * {@code HeraldClient.builder(url, key).build().pollers().drain(…)}.
 */
public final class Pollers {
    private static final JavaType ONE = Types.of(PollerOut.class);
    private static final JavaType LIST = Types.listOf(PollerOut.class);
    private static final JavaType PAGE = Types.of(PollingPage.class);
    private static final JavaType KEY = Types.of(Key.class);
    private static final JavaType SEEK = Types.of(Seek.class);
    private static final JavaType LEASED = Types.of(LeasedPage.class);
    /** The most a page holds. */
    public static final int MAX_PAGE = 250;

    private record Key(String key) {}

    private record Seek(String iterator) {}

    private record SeekIn(Instant after) {}

    private record CommitIn(long offset) {}

    private final Transport transport;

    Pollers(Transport transport) {
        this.transport = transport;
    }

    public PollerOut create(String app, PollerIn in) {
        return transport.post(Transport.path("/api/v1/app/{}/polling-endpoint", app), in, null, ONE);
    }

    public PollerOut get(String app, String poller) {
        return transport.get(Transport.path("/api/v1/app/{}/polling-endpoint/{}", app, poller), Map.of(), ONE);
    }

    public Paged<PollerOut> list(String app) {
        String path = Transport.path("/api/v1/app/{}/polling-endpoint", app);
        return new Paged<>(iterator -> transport.<ListResponse<PollerOut>>get(path, ListOptions.defaults().query(iterator), LIST));
    }

    public void delete(String app, String poller) {
        transport.delete(Transport.path("/api/v1/app/{}/polling-endpoint/{}", app, poller));
    }

    /** A new key that reads this poller only (shown once); the poller's earlier keys stop working. */
    public String rotateKey(String app, String poller) {
        return transport.<Key>post(Transport.path("/api/v1/app/{}/polling-endpoint/{}/key/rotate", app, poller), Map.of(), null, KEY)
                .key();
    }

    /** One page from {@code iterator} (null: from the poller's first message), up to {@code limit} messages. */
    public PollingPage poll(String app, String poller, String iterator, int limit) {
        return transport.get(Transport.path("/api/v1/app/{}/poller/{}", app, poller), query(iterator, limit), PAGE);
    }

    /**
     * One page for a named consumer, from {@code iterator} if given, else from where Herald kept the consumer's place;
     * Herald keeps the place after this page. Not tried again once it may have reached Herald (its answer lost, the
     * place moved): a {@link HeraldConnectionException} then, and the caller reads again from the last iterator it has.
     */
    public PollingPage consumerPoll(String app, String poller, String consumer, String iterator, int limit) {
        return transport.getOnce(Transport.path("/api/v1/app/{}/poller/{}/consumer/{}", app, poller, consumer),
                query(iterator, limit), PAGE);
    }

    /** Sets the consumer's place: it next reads the messages created after {@code after}; returns that place. */
    public String seek(String app, String poller, String consumer, Instant after) {
        return transport.<Seek>post(Transport.path("/api/v1/app/{}/poller/{}/consumer/{}/seek", app, poller, consumer),
                new SeekIn(after), null, SEEK).iterator();
    }

    /**
     * Hands every message from {@code iterator} (null: the first) to {@code handler}, a page at a time, until caught up;
     * returns the iterator to go on from. Keep it once this returns, and pass it next time: after a handler that threw
     * or a process that died, the next drain from the kept iterator reads those messages again (at least once) and never
     * skips one.
     */
    public String drain(String app, String poller, String iterator, Consumer<MessageOut> handler) {
        String at = iterator;
        while (true) {
            PollingPage page = poll(app, poller, at, MAX_PAGE);
            page.data().forEach(handler);
            at = page.iterator();
            if (page.done()) return at;
        }
    }

    /**
     * Up to {@code limit} messages after the consumer's committed place, leased to it for {@code lease} (1 s to 1 h):
     * commit the offset of the last one processed with {@link #commit}; uncommitted, they come again once the lease
     * ends. While a lease runs, another lease of the same consumer is refused ({@link HeraldConflictException},
     * {@code lease_held}).
     */
    public LeasedPage lease(String app, String poller, String consumer, int limit, Duration lease) {
        var query = query(null, limit);
        query.put("lease_duration_ms", String.valueOf(lease.toMillis()));
        return transport.getOnce(Transport.path("/api/v1/app/{}/polling-endpoint/{}/consumer/{}", app, poller, consumer), query, LEASED);
    }

    /** The consumer has processed every message up to {@code offset}: its place moves past it. */
    public void commit(String app, String poller, String consumer, long offset) {
        transport.post(Transport.path("/api/v1/app/{}/polling-endpoint/{}/consumer/{}/commit", app, poller, consumer),
                new CommitIn(offset), null, null);
    }

    /**
     * Leases page after page for {@code consumer}, hands each message to {@code handler} and commits the page once the
     * handler has taken all of it, until caught up; returns how many messages it handled. Herald keeps the place: when
     * the handler throws or the process dies, the uncommitted page comes again once its lease ends (at least once).
     */
    public int consume(String app, String poller, String consumer, Duration lease, Consumer<LeasedMessage> handler) {
        int handled = 0;
        while (true) {
            LeasedPage page = lease(app, poller, consumer, MAX_PAGE, lease);
            page.data().forEach(handler);
            handled += page.data().size();
            if (!page.data().isEmpty()) commit(app, poller, consumer, page.data().getLast().offset());
            if (page.done()) return handled;
        }
    }

    private static Map<String, String> query(String iterator, int limit) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit is 1 to " + MAX_PAGE);
        var query = new HashMap<String, String>();
        query.put("limit", String.valueOf(limit));
        if (iterator != null) query.put("iterator", iterator);
        return query;
    }
}
