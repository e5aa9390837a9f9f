package dev.herald.store;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Bearer tokens by hash; the plaintext never reaches the database. */
public final class TokenStore {
    private final Jdbi jdbi;

    public TokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Who a token speaks for: {@code appId} null means admin; {@code readOnly}: it may read, not change. */
    public record TokenOwner(String tokenId, String appId, Instant expiresAt, boolean readOnly) {
        public TokenOwner(String tokenId, String appId) {
            this(tokenId, appId, null, false);
        }

        public boolean admin() {
            return appId == null;
        }
    }

    public void insert(String id, byte[] hash, String appId, Instant createdAt, Instant expiresAt) {
        insert(id, hash, appId, createdAt, expiresAt, false);
    }

    public void insert(String id, byte[] hash, String appId, Instant createdAt, Instant expiresAt, boolean readOnly) {
        jdbi.useHandle(h -> h.createUpdate("""
                insert into api_token (id, token_hash, app_id, created_at, expires_at, read_only)
                values (:id, :hash, :appId, :createdAt, :expiresAt, :readOnly)
                """)
                .bind("id", id).bind("hash", hash).bind("appId", appId)
                .bind("createdAt", createdAt).bind("expiresAt", expiresAt).bind("readOnly", readOnly)
                .execute());
    }

    public Optional<TokenOwner> findLive(byte[] hash, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                select id, app_id, expires_at, read_only from api_token
                where token_hash = :hash and (expires_at is null or expires_at > :now)
                """)
                .bind("hash", hash).bind("now", now)
                .map((rs, ctx) -> new TokenOwner(rs.getString("id"), rs.getString("app_id"), JsonColumns.instant(rs, "expires_at"),
                        rs.getBoolean("read_only")))
                .findOne());
    }

    /**
     * Expires the application's tokens at {@code at} (sooner ones keep their own expiry); returns how many. Integration
     * keys are not among them: they end by rotation or with their integration.
     */
    public int expireAppTokens(String appId, Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("""
                update api_token t set expires_at = :at
                where t.app_id = :app and (t.expires_at is null or t.expires_at > :at)
                  and not exists (select 1 from integration i where i.token_id = t.id)
                """).bind("app", appId).bind("at", at).execute());
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
