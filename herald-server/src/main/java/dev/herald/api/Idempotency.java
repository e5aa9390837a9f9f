package dev.herald.api;

import dev.herald.store.IdempotencyStore;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The {@code idempotency-key} header on POSTs: the same key with the same request within 12 hours
 * replays the first response and creates nothing new. A key belongs to its token and URL, as in Svix: the same key
 * sent to another URL is another key. Reused on the same URL with a different body it is a 422 (Svix would replay the
 * first answer, which would silently drop a second, different message);
 * a duplicate arriving while the first still runs is a 409 (retry later). Failed requests (no 2xx/4xx
 * response stored) release their key so a retry can run; a key whose request died with its node is taken
 * over after {@link #ABANDONED_AFTER}.
 */
public final class Idempotency implements AutoCloseable {
    static final Duration KEEP = Duration.ofHours(12);
    private static final String CLAIMED = "herald.idempotency.claimed";
    private static final String PENDING = "herald.idempotency.pending";
    private static final String ANSWERED = "herald.idempotency.answered";

    /** A key this request claimed and has not answered yet. */
    public record Pending(String scope, String key) {
        public IdempotencyStore.Answer answer(int status, String response) {
            return new IdempotencyStore.Answer(scope, key, status, response);
        }
    }

    /**
     * The key this request claimed, for a handler that stores its answer in the transaction of its own effect (then it
     * calls {@link #answered}); null when the request carried none. Publishing does: its answer then costs no commit of
     * its own (BENCHMARKS.md, session 19).
     */
    static Pending pending(Context ctx) {
        return ctx.attribute(PENDING);
    }

    /** The handler stored this request's answer itself (see {@link #pending}). */
    static void answered(Context ctx) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
    }
    /** Longer than any publish takes; an unanswered claim this old was left by a node that died mid-request. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(1);

    private final IdempotencyStore store;
    private final ClaimBatcher newClaims;
    private final Clock clock;

    public Idempotency(IdempotencyStore store, Clock clock) {
        this.store = store;
        this.newClaims = new ClaimBatcher(store);
        this.clock = clock;
    }

    @Override
    public void close() {
        newClaims.close();
    }

    public Handler wrap(Handler handler) {
        return ctx -> {
            String key = ctx.header("idempotency-key");
            // one claim per request, even where a route is wrapped twice (globally and by itself)
            if (key == null || key.isBlank() || ctx.attribute(CLAIMED) != null) {
                handler.handle(ctx);
                return;
            }
            if (key.length() > 256) throw ValidationException.header("idempotency-key", "idempotency-key is longer than 256 characters");
            ctx.attribute(CLAIMED, Boolean.TRUE);
            // as Svix keys it: the token and the request's URL, so one key may serve requests to different resources
            String query = ctx.queryString();
            String scope = Auth.principal(ctx).tokenId() + " " + ctx.path() + (query == null ? "" : "?" + query);
            Instant now = clock.instant();
            byte[] hash = requestHash(ctx);
            var claim = newClaims.claimNew(new IdempotencyStore.NewClaim(scope, key, hash, now))
                    ? new IdempotencyStore.Acquired()
                    : store.claimExisting(scope, key, hash, now, now.minus(KEEP), now.minus(ABANDONED_AFTER));
            switch (claim) {
                case IdempotencyStore.Replay replay -> {
                    ctx.status(replay.status()).contentType("application/json");
                    if (replay.response() != null) ctx.result(replay.response());
                    return;
                }
                case IdempotencyStore.InProgress ignored ->
                        throw new ApiException(409, "conflict", "A request with this idempotency-key is still in progress");
                case IdempotencyStore.Mismatch ignored -> throw ValidationException.header("idempotency-key",
                        "This idempotency-key was used with a different request");
                case IdempotencyStore.Acquired ignored -> ctx.attribute(PENDING, new Pending(scope, key));
            }
            boolean stored = false;
            try {
                handler.handle(ctx);
                int status = ctx.statusCode();
                if (ctx.attribute(ANSWERED) != null) {
                    stored = true;
                } else if (status < 500) {
                    store.complete(scope, key, status, ctx.result());
                    stored = true;
                }
            } finally {
                if (!stored) store.release(scope, key);
            }
        };
    }

    private static byte[] requestHash(Context ctx) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(ctx.method().name().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(ctx.path().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(ctx.bodyAsBytes());
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
