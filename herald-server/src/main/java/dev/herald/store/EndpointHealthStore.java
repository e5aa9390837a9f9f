package dev.herald.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Disabling endpoints, in the same transaction as the attempts that cause it: an exhausted delivery disables the
 * endpoint once its failing clock (written with the attempts, see {@code DeliveryQueue.complete}) has run past the
 * limit; 410 Gone disables at once.
 */
public final class EndpointHealthStore {
    /** An endpoint just disabled, with what the operational webhook reports. */
    public record Disabled(String endpointId, String endpointUid, String appId, String appUid, Instant failingSince) {}

    /** Disables those of {@code endpointIds} failing since {@code threshold} or earlier. */
    public List<Disabled> disableFailingSince(Handle h, Collection<String> endpointIds, Instant threshold, Instant now) {
        if (endpointIds.isEmpty()) return List.of();
        return disable(h, endpointIds, threshold, now);
    }

    /** Disables unconditionally (410 Gone). */
    public List<Disabled> disableNow(Handle h, Collection<String> endpointIds, Instant now) {
        if (endpointIds.isEmpty()) return List.of();
        return disable(h, endpointIds, null, now);
    }

    private List<Disabled> disable(Handle h, Collection<String> endpointIds, Instant threshold, Instant now) {
        return h.createQuery("""
                with disabled as (
                    update endpoint set disabled = true, updated_at = :now
                    where id = any(:ids) and not disabled
                      and (cast(:threshold as timestamptz) is null or failing_since <= :threshold)
                    returning id, uid, app_id, failing_since
                )
                select d.*, a.uid as app_uid from disabled d join application a on a.id = d.app_id
                """)
                .bindByType("ids", endpointIds.toArray(String[]::new), String[].class)
                .bindByType("threshold", threshold, Instant.class)
                .bind("now", now)
                .map((rs, ctx) -> new Disabled(rs.getString("id"), rs.getString("uid"), rs.getString("app_id"),
                        rs.getString("app_uid"), JsonColumns.instant(rs, "failing_since")))
                .list();
    }
}
