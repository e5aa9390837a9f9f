package dev.herald.api;

import dev.herald.security.SealedText;
import dev.herald.security.SecretBox;
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
 * a duplicate arriving while the first still runs waits up to {@link #IN_PROGRESS_WAIT} for its answer and replays it
 * (then a 409), except on publishing, whose key is claimed with its message: there a duplicate meets the key once the
 * first is committed, and gets its answer. Failed requests
 * (no 2xx/4xx response stored) release their key so a retry can run; a key whose request died with its node is taken
 * over after {@link #ABANDONED_AFTER}.
 */
public final class Idempotency implements AutoCloseable {
    static final Duration KEEP = Duration.ofHours(12);
    private static final String CLAIMED = "herald.idempotency.claimed";
    private static final String PENDING = "herald.idempotency.pending";
    private static final String ANSWERED = "herald.idempotency.answered";

    /** This request's key, for a handler that stores its answer in the transaction of its own effect. */
    public sealed interface Pending {
        IdempotencyStore.KeyedAnswer answer(int status, String response);
    }

    /** A key this request claimed before it ran, not answered yet. */
    record Claimed(String scope, String key) implements Pending {
        @Override
        public IdempotencyStore.KeyedAnswer answer(int status, String response) {
            return new IdempotencyStore.Answer(scope, key, status, response);
        }
    }

    /** A key to claim with the answer, in the effect's transaction ({@link #wrapClaimingWithEffect}). */
    record Unclaimed(IdempotencyStore.NewClaim claim) implements Pending {
        @Override
        public IdempotencyStore.KeyedAnswer answer(int status, String response) {
            return new IdempotencyStore.ClaimingAnswer(claim, status, response);
        }
    }

    /**
     * This request's key, for a handler that stores its answer in the transaction of its own effect (then it
     * calls {@link #answered}); null when the request carried none. Publishing does: its answer then costs no commit of
     * its own (BENCHMARKS.md, session 19), and no claim before it runs (session 22).
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
    private final SecretBox box;
    private final Clock clock;

    /** {@code box} seals the answers of routes other than publishing: some carry a token or a signing secret. */
    public Idempotency(IdempotencyStore store, SecretBox box, Clock clock) {
        this.store = store;
        this.newClaims = new ClaimBatcher(store);
        this.box = box;
        this.clock = clock;
    }

    @Override
    public void close() {
        newClaims.close();
    }

    /**
     * The route's handler behind the key: claimed first (an insert), then run, then its answer stored. A route wrapped
     * by {@link #wrapClaimingWithEffect} is returned as it is.
     */
    public Handler wrap(Handler handler) {
        if (handler instanceof ClaimingWithEffect) return handler;
        return ctx -> {
            var request = keyOf(ctx);
            if (request == null) {
                handler.handle(ctx);
                return;
            }
            var claim = newClaims.claimNew(request) ? new IdempotencyStore.Acquired() : claimExisting(request);
            runClaimed(ctx, handler, request, claim);
        };
    }

    /**
     * For a handler that makes its effect by {@link dev.herald.delivery.Publisher publishing}, passing
     * {@link #pending}'s answer: the key is not claimed before it runs, but with the message, in its transaction (one
     * row written once; BENCHMARKS.md, session 22). If another request has or had the key, nothing was published and the
     * key is settled as {@link #wrap} would have: its answer replayed, 409 while it runs, 422 for another request, or,
     * for a key forgotten or abandoned, claimed and the handler run again.
     */
    public Handler wrapClaimingWithEffect(Handler handler) {
        return (ClaimingWithEffect) ctx -> {
            var request = keyOf(ctx);
            if (request == null) {
                handler.handle(ctx);
                return;
            }
            ctx.attribute(PENDING, new Unclaimed(request));
            try {
                handler.handle(ctx);
            } catch (IdempotencyStore.KeyTakenException taken) {
                runClaimed(ctx, handler, request, claimExisting(request)); // replaces PENDING if it runs the handler again
            }
        };
    }

    /** A handler whose key is claimed in the transaction of its effect. */
    private interface ClaimingWithEffect extends Handler {}

    /** The request's key to claim; null when it carries none, or it was taken care of already (a route wrapped twice). */
    private IdempotencyStore.NewClaim keyOf(Context ctx) {
        String key = ctx.header("idempotency-key");
        // one claim per request, even where a route is wrapped twice (globally and by itself)
        if (key == null || key.isBlank() || ctx.attribute(CLAIMED) != null) return null;
        if (key.length() > 256) throw ValidationException.header("idempotency-key", "idempotency-key is longer than 256 characters");
        ctx.attribute(CLAIMED, Boolean.TRUE);
        // as Svix keys it: the token and the request's URL, so one key may serve requests to different resources
        String query = ctx.queryString();
        String scope = Auth.principal(ctx).tokenId() + " " + url(ctx.path() + (query == null ? "" : "?" + query));
        return new IdempotencyStore.NewClaim(scope, key, requestHash(ctx), clock.instant());
    }

    /** Longer URLs are kept as their hash: the scope is in a btree key, whose entries PostgreSQL caps at 2,704 bytes. */
    static final int LONGEST_URL_KEPT = 1000;

    static String url(String pathAndQuery) {
        byte[] bytes = pathAndQuery.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= LONGEST_URL_KEPT) return pathAndQuery;
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private IdempotencyStore.Claim claimExisting(IdempotencyStore.NewClaim request) {
        Instant now = request.now();
        return store.claimExisting(request.scope(), request.key(), request.requestHash(), now, now.minus(KEEP),
                now.minus(ABANDONED_AFTER));
    }

    /** Replays, refuses, or runs the handler under the key it acquired and stores its answer (or releases the key). */
    private void runClaimed(Context ctx, Handler handler, IdempotencyStore.NewClaim request, IdempotencyStore.Claim claim)
            throws Exception {
        String scope = request.scope();
        String key = request.key();
        if (claim instanceof IdempotencyStore.InProgress) claim = awaitAnswer(request);
        switch (claim) {
            case IdempotencyStore.Replay replay -> {
                String response = opened(replay.response(), scope, key);
                ctx.status(replay.status()).contentType("application/json");
                if (response != null) ctx.result(response);
                return;
            }
            case IdempotencyStore.InProgress ignored ->
                    throw new ApiException(409, "conflict", "A request with this idempotency-key is still in progress");
            case IdempotencyStore.Mismatch ignored -> throw ValidationException.header("idempotency-key",
                    "This idempotency-key was used with a different request");
            case IdempotencyStore.Acquired ignored -> ctx.attribute(PENDING, new Claimed(scope, key));
        }
        boolean stored = false;
        try {
            handler.handle(ctx);
            int status = ctx.statusCode();
            if (ctx.attribute(ANSWERED) != null) {
                stored = true;
            } else if (status < 500) {
                // app portal links, integration and poller keys, AutoConfig tokens: kept sealed, as their sources are
                String result = ctx.result();
                store.complete(scope, key, status, result == null ? null : SealedText.seal(box, result, scope + "\n" + key));
                stored = true;
            }
        } finally {
            if (!stored) store.release(scope, key);
        }
    }

    /** How long a request waits for the answer of the same request still running, as svix-server waits (20 s). */
    static final Duration IN_PROGRESS_WAIT = Duration.ofSeconds(20);
    private static final Duration IN_PROGRESS_POLL = Duration.ofMillis(200);

    /**
     * A client's retry (timed out, connection reset) often arrives while its first request still runs: it waits for that
     * one's answer and replays it, as svix-server does. A 409 at once looked like any conflict to the client, and its
     * next try, with a new key, ran the request a second time.
     */
    private IdempotencyStore.Claim awaitAnswer(IdempotencyStore.NewClaim request) throws InterruptedException {
        long deadline = System.nanoTime() + IN_PROGRESS_WAIT.toNanos();
        IdempotencyStore.Claim claim = new IdempotencyStore.InProgress();
        while (claim instanceof IdempotencyStore.InProgress && System.nanoTime() - deadline < 0) {
            Thread.sleep(IN_PROGRESS_POLL);
            claim = claimExisting(request); // the answer, or the key for this request if the first was abandoned
        }
        return claim;
    }

    private String opened(String stored, String scope, String key) {
        try {
            return SealedText.open(box, stored, scope + "\n" + key);
        } catch (IllegalStateException e) {
            // running the request again could repeat its effect: the client learns why its answer is not here
            throw new ApiException(409, "conflict", "The answer kept for this idempotency-key cannot be read with this"
                    + " node's encryption keys (" + e.getMessage() + "); send the request with a new key if it is to run again");
        }
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
