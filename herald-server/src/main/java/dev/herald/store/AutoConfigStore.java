package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.AutoConfig;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.security.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * AutoConfig subscriptions (V25). Each has a key, an application token in {@code api_token} by hash, that changes with it
 * in one transaction (create, rotate, delete), and a signing secret sealed here, bound to the endpoint id it is for.
 */
public final class AutoConfigStore {
    /**
     * An AutoConfig key is stored as a read-only token: what it may do (make and change its one endpoint, read it when
     * it is a polling endpoint) is decided by Auth from its subscription, and a node of a version before V25, which
     * knows nothing of subscriptions, lets it change nothing.
     */
    private static final String[] KEY_CAPABILITIES = {"ViewBase"};

    private final Jdbi jdbi;
    private final SecretBox secretBox;

    public AutoConfigStore(Jdbi jdbi, SecretBox secretBox) {
        this.jdbi = jdbi;
        this.secretBox = secretBox;
    }

    /** The key to store with a subscription: its token id and hash, and the feature flags it bears (null: none). */
    public record Key(String tokenId, byte[] hash, Set<String> featureFlags) {}

    /**
     * Stores the subscription with its key, unless the application has {@code maxPerApp} already (each is for one
     * endpoint); counted under a row lock on the application, as endpoints are.
     */
    public AutoConfig insert(AutoConfig config, String secret, Key key, int maxPerApp) {
        var sealed = secretBox.seal(secret, config.sinkId());
        return jdbi.inTransaction(h -> {
            AppLimit.check(h, config.appId(), "autoconfig", maxPerApp, "An application may have at most " + maxPerApp
                    + " AutoConfig tokens (one for each endpoint it may have)");
            insertToken(h, key, config.appId(), config.createdAt());
            return h.createQuery("""
                    insert into autoconfig (id, app_id, sink_id, kind, token_id, secret_key_id, secret_ciphertext,
                                            created_at, updated_at)
                    values (:id, :appId, :sinkId, null, :tokenId, :keyId, :ciphertext, :createdAt, :updatedAt)
                    returning *
                    """)
                    .bindMethods(config)
                    .bind("tokenId", key.tokenId()).bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                    .map(AutoConfigStore::map).one();
        });
    }

    public Optional<AutoConfig> find(String appId, String id) {
        return jdbi.withHandle(h -> h.createQuery("select * from autoconfig where app_id = :app and id = :id")
                .bind("app", appId).bind("id", id).map(AutoConfigStore::map).findOne());
    }

    /** The subscription for the application's endpoint {@code sinkId}. */
    public Optional<AutoConfig> findBySink(String appId, String sinkId) {
        return jdbi.withHandle(h -> h.createQuery("select * from autoconfig where app_id = :app and sink_id = :sink")
                .bind("app", appId).bind("sink", sinkId).map(AutoConfigStore::map).findOne());
    }

    public Page<AutoConfig> list(String appId, PageRequest page) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from autoconfig
                where app_id = :app and (cast(:cursor as text) is null or id <cmp> :cursor)
                order by id <dir>
                limit :limit
                """), page).bind("app", appId).map(AutoConfigStore::map).list());
        return Keyset.page(rows, page, AutoConfig::id);
    }

    /** The secret the subscription's endpoint signs with, opened. */
    public String secret(AutoConfig config) {
        return jdbi.withHandle(h -> h.createQuery("select secret_key_id, secret_ciphertext from autoconfig where id = :id")
                .bind("id", config.id())
                .map((rs, ctx) -> secretBox.open(
                        new SecretBox.Sealed(rs.getString("secret_key_id"), rs.getBytes("secret_ciphertext")), config.sinkId()))
                .one());
    }

    /**
     * Records which kind of endpoint the subscription became, unless it already became one: true when it is now
     * {@code kind}, false when it is the other kind.
     */
    public boolean bind(AutoConfig config, String kind, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("""
                update autoconfig set kind = coalesce(kind, :kind), updated_at = :now where id = :id returning kind
                """).bind("kind", kind).bind("now", now).bind("id", config.id()).mapTo(String.class).one())
                .equals(kind);
    }

    /** Deletes the subscription and its key; the deleted key's token id, if it existed. Its endpoint stays. */
    public Optional<String> delete(String appId, String id) {
        return jdbi.inTransaction(h -> {
            Optional<String> tokenId = h.createQuery("delete from autoconfig where app_id = :app and id = :id returning token_id")
                    .bind("app", appId).bind("id", id).mapTo(String.class).findOne();
            tokenId.ifPresent(t -> h.createUpdate("delete from api_token where id = :id").bind("id", t).execute());
            return tokenId;
        });
    }

    /**
     * A new key (with the old one's feature flags) and a new secret; the old key's token is deleted in the same
     * transaction. Returns the old token's id,
     * or empty when there is no such subscription.
     */
    public Optional<String> rotate(AutoConfig config, String secret, String tokenId, byte[] hash, Instant now) {
        var sealed = secretBox.seal(secret, config.sinkId());
        return jdbi.inTransaction(h -> {
            // the new key bears the old one's feature flags, whoever rotates it
            var old = h.createQuery("""
                    select a.token_id, t.feature_flags from autoconfig a left join api_token t on t.id = a.token_id
                    where a.app_id = :app and a.id = :id for update of a
                    """).bind("app", config.appId()).bind("id", config.id())
                    .map((rs, ctx) -> new Key(rs.getString("token_id"), null, JsonColumns.stringSet(rs, "feature_flags")))
                    .findOne();
            if (old.isEmpty()) return Optional.<String>empty();
            insertToken(h, new Key(tokenId, hash, old.get().featureFlags()), config.appId(), now);
            h.createUpdate("""
                    update autoconfig set token_id = :tokenId, secret_key_id = :keyId, secret_ciphertext = :ciphertext,
                                          updated_at = :now
                    where id = :id
                    """)
                    .bind("tokenId", tokenId).bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                    .bind("now", now).bind("id", config.id()).execute();
            h.createUpdate("delete from api_token where id = :id").bind("id", old.get().tokenId()).execute();
            return Optional.of(old.get().tokenId());
        });
    }

    /** Re-seals every secret under the current encryption key; returns how many changed. */
    public int reencryptAll() {
        return jdbi.inTransaction(h -> {
            var rows = h.createQuery("""
                    select id, sink_id, secret_key_id, secret_ciphertext from autoconfig where secret_key_id <> :current for update
                    """)
                    .bind("current", secretBox.currentKeyId())
                    .map((rs, ctx) -> new Object[] {rs.getString("id"), rs.getString("sink_id"),
                            new SecretBox.Sealed(rs.getString("secret_key_id"), rs.getBytes("secret_ciphertext"))})
                    .list();
            for (Object[] row : rows) {
                String sinkId = (String) row[1];
                var resealed = secretBox.seal(secretBox.open((SecretBox.Sealed) row[2], sinkId), sinkId);
                h.createUpdate("update autoconfig set secret_key_id = :keyId, secret_ciphertext = :c where id = :id")
                        .bind("keyId", resealed.keyId()).bind("c", resealed.ciphertext()).bind("id", row[0]).execute();
            }
            return rows.size();
        });
    }

    private static void insertToken(Handle h, Key key, String appId, Instant createdAt) {
        h.createUpdate("""
                insert into api_token (id, token_hash, app_id, created_at, read_only, capabilities, feature_flags)
                values (:id, :hash, :app, :createdAt, true, :capabilities, :flags)
                """)
                .bind("id", key.tokenId()).bind("hash", key.hash()).bind("app", appId).bind("createdAt", createdAt)
                .bindByType("capabilities", KEY_CAPABILITIES, String[].class)
                .bindByType("flags", textArray(key.featureFlags()), String[].class)
                .execute();
    }

    static AutoConfig map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AutoConfig(rs.getString("id"), rs.getString("app_id"), rs.getString("sink_id"), rs.getString("kind"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
