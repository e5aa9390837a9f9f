package dev.herald.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Idempotency keys: the first request with a key claims it (insert), runs, and stores its response;
 * a repeat with the same request replays it. The claim is an insert on the primary key, so two
 * concurrent duplicates cannot both run.
 */
public final class IdempotencyStore {
    private final Jdbi jdbi;

    public IdempotencyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public sealed interface Claim {}

    public record Acquired() implements Claim {}

    public record Replay(int status, String response) implements Claim {}

    public record InProgress() implements Claim {}

    public record Mismatch() implements Claim {}

    /**
     * @param expiredBefore keys claimed before this are forgotten
     * @param abandonedBefore keys claimed before this and still without an answer are taken over: the request
     *     that claimed them died with its node (a live one releases or completes its key)
     */
    public Claim claim(String scope, String key, byte[] requestHash, Instant now, Instant expiredBefore,
                       Instant abandonedBefore) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("""
                    delete from idempotency_key
                    where scope = :scope and key = :key
                      and (created_at < :expired or (status is null and created_at < :abandoned))
                    """)
                    .bind("scope", scope).bind("key", key).bind("expired", expiredBefore).bind("abandoned", abandonedBefore)
                    .execute();
            int inserted = h.createUpdate("""
                    insert into idempotency_key (scope, key, request_hash, created_at)
                    values (:scope, :key, :hash, :now) on conflict do nothing
                    """).bind("scope", scope).bind("key", key).bind("hash", requestHash).bind("now", now).execute();
            if (inserted == 1) return new Acquired();
            Optional<Claim> existing = h.createQuery("""
                    select request_hash, status, response from idempotency_key where scope = :scope and key = :key
                    """).bind("scope", scope).bind("key", key)
                    .map((rs, ctx) -> {
                        if (!Arrays.equals(rs.getBytes("request_hash"), requestHash)) return (Claim) new Mismatch();
                        int status = rs.getInt("status");
                        if (rs.wasNull()) return new InProgress();
                        return new Replay(status, rs.getString("response"));
                    }).findOne();
            return existing.orElse(new InProgress());
        });
    }

    public void complete(String scope, String key, int status, String response) {
        jdbi.useHandle(h -> h.createUpdate("""
                update idempotency_key set status = :status, response = :response where scope = :scope and key = :key
                """).bind("scope", scope).bind("key", key).bind("status", status).bind("response", response).execute());
    }

    public void release(String scope, String key) {
        jdbi.useHandle(h -> h.createUpdate("delete from idempotency_key where scope = :scope and key = :key and status is null")
                .bind("scope", scope).bind("key", key).execute());
    }

    public int purge(Instant expiredBefore) {
        return jdbi.withHandle(h -> h.createUpdate("delete from idempotency_key where created_at < :expired")
                .bind("expired", expiredBefore).execute());
    }
}
