package dev.herald.store;

import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.Capability;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** Bearer tokens by hash; the plaintext never reaches the database. */
public final class TokenStore {
    private final Jdbi jdbi;

    public TokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Who a token speaks for: {@code appId} null means admin. {@code capabilities}: what the token may do (Svix's
     * AppPortalCapability), null for everything; {@code featureFlags}: the flagged event types it sees, null for all.
     */
    public record TokenOwner(String tokenId, String appId, Instant expiresAt, Set<Capability> capabilities,
                             Set<String> featureFlags, String pollerId, String autoConfigSink) {
        public static TokenOwner admin(String tokenId) {
            return new TokenOwner(tokenId, null, null, null, null, null, null);
        }

        /** A polling endpoint's key: it reads that poller and nothing else. */
        public boolean pollerKey() {
            return pollerId != null;
        }

        /** An AutoConfig key: it makes and changes one endpoint ({@code autoConfigSink}) and reads it if it polls. */
        public boolean autoConfigKey() {
            return autoConfigSink != null;
        }

        /** The one endpoint or poller a key is bound to; null for any other token. */
        public String boundSink() {
            return pollerId != null ? pollerId : autoConfigSink;
        }

        public boolean admin() {
            return appId == null;
        }

        public boolean can(Capability needed) {
            return capabilities == null || Capability.effective(capabilities).contains(needed);
        }

        /** Holds no capability beyond reading (Svix's readOnly portal). */
        public boolean readOnly() {
            return capabilities != null && Capability.effective(capabilities).equals(EnumSet.of(Capability.VIEW_BASE));
        }
    }

    /** What an application token is given: {@code capabilities} and {@code featureFlags} as in TokenOwner. */
    public record Grant(Set<Capability> capabilities, Set<String> featureFlags, String sessionId) {
        public static final Grant FULL = new Grant(null, Set.of(), null);
    }

    /** An admin token ({@code appId} null) or an application token with every capability and no feature flag. */
    public void insert(String id, byte[] hash, String appId, Instant createdAt, Instant expiresAt) {
        insert(id, hash, appId, createdAt, expiresAt, Grant.FULL);
    }

    public void insert(String id, byte[] hash, String appId, Instant createdAt, Instant expiresAt, Grant grant) {
        String[] capabilities = grant.capabilities() == null ? null
                : grant.capabilities().stream().map(c -> c.wireName).toArray(String[]::new);
        jdbi.useHandle(h -> h.createUpdate("""
                insert into api_token (id, token_hash, app_id, created_at, expires_at, read_only, capabilities,
                                       feature_flags, session_id)
                values (:id, :hash, :appId, :createdAt, :expiresAt, :readOnly, :capabilities, :flags, :session)
                """)
                .bind("id", id).bind("hash", hash).bind("appId", appId)
                .bind("createdAt", createdAt).bind("expiresAt", expiresAt)
                .bind("readOnly", capabilities != null) // how a node of the version before V21 sees a limited token
                .bindByType("capabilities", capabilities, String[].class)
                .bindByType("flags", textArray(grant.featureFlags()), String[].class)
                .bind("session", grant.sessionId())
                .execute());
    }

    /**
     * The live token with this hash. An integration's key bears its integration's feature flags (read here, so a change
     * of them reaches the key); another application token its own, none if it was given none; an admin token every one.
     */
    public Optional<TokenOwner> findLive(byte[] hash, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                select t.id, t.app_id, t.expires_at, t.capabilities, t.poller_id, a.sink_id as autoconfig_sink,
                       case when i.id is not null then coalesce(i.feature_flags, '{}')
                            else coalesce(t.feature_flags, '{}') end as feature_flags
                from api_token t left join integration i on i.token_id = t.id
                                 left join autoconfig a on a.token_id = t.id
                where t.token_hash = :hash and (t.expires_at is null or t.expires_at > :now)
                """)
                .bind("hash", hash).bind("now", now)
                .map((rs, ctx) -> {
                    String appId = rs.getString("app_id");
                    return new TokenOwner(rs.getString("id"), appId, JsonColumns.instant(rs, "expires_at"),
                            capabilities(JsonColumns.stringSet(rs, "capabilities")),
                            appId == null ? null : JsonColumns.stringSet(rs, "feature_flags"), rs.getString("poller_id"),
                            rs.getString("autoconfig_sink"));
                })
                .findOne());
    }

    /** Stored names to capabilities; a name this version does not know grants nothing. */
    private static Set<Capability> capabilities(Set<String> names) {
        if (names == null) return null;
        var set = EnumSet.noneOf(Capability.class);
        names.forEach(n -> Capability.byWireName(n).ifPresent(set::add));
        return set;
    }

    /**
     * Expires the application's tokens at {@code at} (sooner ones keep their own expiry); returns how many. Integration,
     * polling endpoint and AutoConfig keys are not among them: they end by rotation or with what they belong to.
     */
    public int expireAppTokens(String appId, Instant at) {
        return expireAppTokens(appId, at, null);
    }

    /** As {@link #expireAppTokens(String, Instant)}, only the tokens made with one of {@code sessionIds} (null: all). */
    public int expireAppTokens(String appId, Instant at, Set<String> sessionIds) {
        return jdbi.withHandle(h -> h.createUpdate("""
                update api_token t set expires_at = :at
                where t.app_id = :app and (t.expires_at is null or t.expires_at > :at)
                  and (cast(:sessions as text[]) is null or t.session_id = any(cast(:sessions as text[])))
                  and not exists (select 1 from integration i where i.token_id = t.id)
                  and not exists (select 1 from autoconfig a where a.token_id = t.id)
                  and t.poller_id is null
                """).bind("app", appId).bind("at", at)
                .bindByType("sessions", textArray(sessionIds), String[].class).execute());
    }

    /**
     * Makes a new key for the poller (a token that may only read it) and ends its earlier keys now, in one transaction;
     * returns the ids of the keys ended.
     */
    public List<String> rotatePollerKey(String appId, String pollerId, String id, byte[] hash, Instant now) {
        return jdbi.inTransaction(h -> {
            var ended = h.createQuery("""
                    update api_token set expires_at = :now
                    where poller_id = :poller and (expires_at is null or expires_at > :now)
                    returning id
                    """).bind("poller", pollerId).bind("now", now).mapTo(String.class).list();
            h.createUpdate("""
                    insert into api_token (id, token_hash, app_id, created_at, read_only, capabilities, poller_id)
                    values (:id, :hash, :app, :now, true, '{ViewBase}', :poller)
                    """).bind("id", id).bind("hash", hash).bind("app", appId).bind("now", now).bind("poller", pollerId)
                    .execute();
            return ended;
        });
    }

    /** Whether the token is an integration's key. */
    public boolean isIntegrationKey(String tokenId) {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from integration where token_id = :id)")
                .bind("id", tokenId).mapTo(Boolean.class).one());
    }

    /** Expires one token now. */
    public void expire(String tokenId, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                update api_token set expires_at = :now where id = :id and (expires_at is null or expires_at > :now)
                """).bind("id", tokenId).bind("now", now).execute());
    }

    /**
     * Stores an admin token only if no lasting one exists yet; an advisory lock makes nodes starting together
     * agree on one. Returns whether this call stored it.
     */
    public boolean insertFirstAdmin(String id, byte[] hash, Instant now) {
        return jdbi.inTransaction(h -> {
            h.execute("select pg_advisory_xact_lock(7243001)");
            boolean exists = h.createQuery("select exists (select 1 from api_token where app_id is null and expires_at is null)")
                    .mapTo(Boolean.class).one();
            if (exists) return false;
            h.createUpdate("insert into api_token (id, token_hash, app_id, created_at) values (:id, :hash, null, :now)")
                    .bind("id", id).bind("hash", hash).bind("now", now).execute();
            return true;
        });
    }

    /** A lasting admin token; the dashboard's sessions are admin tokens too, but end, and do not count. */
    public boolean anyAdminToken() {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from api_token where app_id is null and expires_at is null)")
                .mapTo(Boolean.class).one());
    }
}
