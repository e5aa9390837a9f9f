package dev.herald.api;

import dev.herald.domain.Capability;
import dev.herald.security.SvixJwt;
import dev.herald.security.Tokens;
import dev.herald.store.TokenStore;
import dev.herald.store.TokenStore.TokenOwner;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Bearer-token authentication. The presented token is hashed and looked up by hash, so the work done is
 * the same whether or not it exists; the configured admin token is compared as a hash in constant time.
 * Recent lookups are cached briefly to keep the database off the hot path.
 */
public final class Auth {
    private static final String PRINCIPAL = "herald.principal";
    /**
     * The start of every svix-server JWT owner's token id (then the token's hash, so that what is kept per token, such
     * as idempotent answers, stays the token's own): such a token is stored nowhere, so nothing can end it early.
     */
    public static final String SVIX_JWT = "svix-jwt";
    private static final Duration CACHE_TTL = Duration.ofSeconds(30);
    private static final int CACHE_MAX = 10_000;

    private final TokenLookup tokens;
    private final Optional<byte[]> configuredAdminHash;
    private final Clock clock;
    private final SvixJwt svixTokens;
    /**
     * Live tokens' lookups, and apart from them the misses: tokens no one holds, which anyone can send by the
     * thousand, fill their own cache and evict only each other (one cache for both was cleared whole when full).
     * Bounded least-recently-used; an entry also ends at its {@code until}, by the injected clock.
     */
    private final Cache<String, Cached> live = boundedCache();
    private final Cache<String, Cached> misses = boundedCache();

    private record Cached(Optional<TokenOwner> owner, Instant until) {}

    /** How a token's hash is looked up: {@link TokenStore#findLive}; a seam for tests that count the lookups. */
    @FunctionalInterface
    interface TokenLookup {
        Optional<TokenOwner> findLive(byte[] hash, Instant now);
    }

    public Auth(TokenStore tokens, Optional<String> configuredAdminToken, Clock clock) {
        this(tokens, configuredAdminToken, clock, null);
    }

    /** @param svixTokens checks svix-server's JWTs ({@code HERALD_JWT_SECRET}), or null: none is taken */
    public Auth(TokenStore tokens, Optional<String> configuredAdminToken, Clock clock, SvixJwt svixTokens) {
        this(tokens::findLive, configuredAdminToken, clock, svixTokens);
    }

    Auth(TokenLookup tokens, Optional<String> configuredAdminToken, Clock clock, SvixJwt svixTokens) {
        this.tokens = tokens;
        this.configuredAdminHash = configuredAdminToken.map(Tokens::hash);
        this.clock = clock;
        this.svixTokens = svixTokens;
    }

    private static Cache<String, Cached> boundedCache() {
        // evictions run on the calling thread: no pool task per lookup, and a test sees the bound at once
        return Caffeine.newBuilder().maximumSize(CACHE_MAX).executor(Runnable::run).build();
    }

    public void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw new ApiException(401, "authentication_failed", "Missing or malformed Authorization header");
        }
        var owner = authenticate(ctx, header.substring(7).trim());
        if (owner.pollerKey()) {
            requirePollerRoute(ctx); // its poller's consumer routes are what it is for, whatever capabilities it was stored with
        } else if (owner.autoConfigKey()) {
            requireAutoConfigRoute(ctx); // its subscription decides what it may do, not the capabilities stored with it
        } else if (owner.capabilities() != null) {
            requireCapability(ctx, owner);
        }
    }

    /** An AutoConfig key reaches its subscription's and its endpoint's subscribe routes and the poller routes (its own). */
    private static void requireAutoConfigRoute(Context ctx) {
        var route = ctx.endpoints().matchedHttpEndpoint();
        if (route == null || !(AutoConfigRoutes.reachableByKey(ctx.method(), route.path) || PollerRoutes.readsOnePoller(route.path))) {
            throw new ApiException(403, "insufficient access", "This AutoConfig token configures and reads one endpoint");
        }
    }

    /** A polling endpoint's key reaches Svix's poller routes only (and, there, its own poller: PollerRoutes). */
    private static void requirePollerRoute(Context ctx) {
        var route = ctx.endpoints().matchedHttpEndpoint();
        if (route == null || !PollerRoutes.readsOnePoller(route.path)) {
            throw new ApiException(403, "insufficient access", "This key reads one polling endpoint and nothing else");
        }
    }

    /** A token given a list of capabilities reaches only the routes one of them opens ({@link RouteCapabilities}). */
    private static void requireCapability(Context ctx, TokenOwner owner) {
        var route = ctx.endpoints().matchedHttpEndpoint();
        var needed = route == null ? Optional.<Capability>empty() : RouteCapabilities.required(ctx.method(), route.path);
        if (needed.isPresent() && owner.can(needed.get())) return;
        throw new ApiException(403, "insufficient access", owner.readOnly() ? "This token is read-only"
                : needed.map(c -> "This token lacks the " + c.wireName + " capability")
                        .orElse("This token may not do this: it was given a list of capabilities"));
    }

    /** Makes the owner of {@code token} the request's principal (the app portal's cookie carries one), or answers 401. */
    public TokenOwner authenticate(Context ctx, String token) {
        TokenOwner owner = resolve(token)
                .orElseThrow(() -> new ApiException(401, "authentication_failed", "Invalid token"));
        ctx.attribute(PRINCIPAL, owner);
        return owner;
    }

    Optional<TokenOwner> resolve(String token) {
        byte[] hash = Tokens.hash(token);
        if (configuredAdminHash.isPresent() && MessageDigest.isEqual(hash, configuredAdminHash.get())) {
            return Optional.of(TokenOwner.admin("env"));
        }
        if (svixTokens != null && SvixJwt.looksLikeJwt(token)) {
            String tokenId = SVIX_JWT + ":" + HexFormat.of().formatHex(hash, 0, 16);
            return svixTokens.verify(token).map(claims -> ownerOf(claims, tokenId));
        }
        String key = HexFormat.of().formatHex(hash);
        Instant now = clock.instant();
        Cached cached = live.getIfPresent(key);
        if (cached == null) cached = misses.getIfPresent(key);
        if (cached != null && cached.until().isAfter(now)) return cached.owner();
        Optional<TokenOwner> owner = tokens.findLive(hash, now);
        Instant until = now.plus(CACHE_TTL);
        // an expiring token must not outlive its expiry in the cache
        if (owner.isPresent() && owner.get().expiresAt() != null && owner.get().expiresAt().isBefore(until)) {
            until = owner.get().expiresAt();
        }
        (owner.isPresent() ? live : misses).put(key, new Cached(owner, until));
        return owner;
    }

    /** An organization's token is the admin's (Herald has one organization); an application's speaks for it alone. */
    private static TokenOwner ownerOf(SvixJwt.Claims claims, String tokenId) {
        // an application's token sees the feature flags it was given and no others (none given: none), as in svix-server
        return claims.application()
                ? new TokenOwner(tokenId, claims.subject(), claims.expiresAt(), null, claims.featureFlags(), null, null)
                : TokenOwner.admin(tokenId);
    }

    /** Whether the token is a svix-server JWT (stored nowhere: it cannot be ended before its exp). */
    public static boolean isSvixJwt(TokenOwner owner) {
        return owner.tokenId().startsWith(SVIX_JWT + ":");
    }

    /**
     * Forgets the cached lookups of these tokens' owners, so a token expired just now is refused here at once (other
     * nodes refuse it once their cached lookup ends, within {@link #CACHE_TTL}).
     */
    public void forget(java.util.function.Predicate<TokenOwner> which) {
        live.asMap().values().removeIf(cached -> cached.owner().filter(which).isPresent());
    }

    public static TokenOwner principal(Context ctx) {
        TokenOwner owner = ctx.attribute(PRINCIPAL);
        if (owner == null) throw new ApiException(401, "authentication_failed", "Not authenticated");
        return owner;
    }

    /** Routes outside any one application (listing apps, the event-type catalog writes, admin). */
    public static void requireAdmin(Context ctx) {
        if (!principal(ctx).admin()) {
            throw new ApiException(403, "insufficient access", "This token is scoped to one application");
        }
    }
}
