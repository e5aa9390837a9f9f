package dev.herald.store;

import dev.herald.domain.Application;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Usage figures for Svix's statistics API: message destinations (deliveries) per application over a period, and the
 * event types each application's endpoints subscribe to.
 */
public final class UsageStatsStore {
    private final Jdbi jdbi;

    public UsageStatsStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** An application's deliveries over the period, with its uid (null when it has none). */
    public record AppDestinations(String appId, String appUid, long destinations) {}

    /**
     * Deliveries of the messages created in {@code [since, until)}, per application, for {@code appIds} (null: every
     * application that had any), by application id. Messages are found by their time (a BRIN range) and their deliveries
     * by message. Herald's own application ({@code herald:operational}) is left out.
     */
    public Map<String, AppDestinations> messageDestinations(Instant since, Instant until, Collection<String> appIds) {
        return jdbi.withHandle(h -> {
            Database.allowLongStatements(h); // one count over every message of the period
            var counts = new LinkedHashMap<String, AppDestinations>();
            h.createQuery("""
                    select a.id, a.uid, count(*) as destinations
                    from message m
                    join delivery d on d.msg_id = m.id
                    join application a on a.id = m.app_id
                    where m.created_at >= :since and m.created_at < :until
                      and (cast(:apps as text[]) is null or m.app_id = any(cast(:apps as text[])))
                      and a.uid is distinct from :operational
                    group by a.id, a.uid
                    order by a.id
                    """)
                    .bind("since", since).bind("until", until)
                    .bindByType("apps", appIds == null ? null : appIds.toArray(String[]::new), String[].class)
                    .bind("operational", Application.OPERATIONAL_UID)
                    .map((rs, ctx) -> new AppDestinations(rs.getString("id"), rs.getString("uid"), rs.getLong("destinations")))
                    .forEach(row -> counts.put(row.appId(), row));
            return counts;
        });
    }

    /** Svix's per-application event type figures: the types named by its endpoints, and whether one takes every type. */
    public record AppEventTypes(String appId, List<String> explicitlySubscribedEventTypes, boolean hasCatchAllEndpoint) {}

    /**
     * Every application (Herald's own excepted), in id order, with the event types its enabled endpoints name in
     * {@code filterTypes} (sorted, each once) and whether one of them has no {@code filterTypes}, so takes every type.
     * Disabled endpoints receive nothing, so they subscribe to nothing.
     */
    public List<AppEventTypes> subscribedEventTypes() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select a.id,
                               coalesce((select array_agg(distinct t.name order by t.name)
                                         from endpoint e cross join unnest(e.filter_types) as t(name)
                                         where e.app_id = a.id and not e.disabled), '{}') as types,
                               exists (select 1 from endpoint e
                                       where e.app_id = a.id and not e.disabled
                                         and (e.filter_types is null or cardinality(e.filter_types) = 0)) as catch_all
                        from application a
                        where a.uid is distinct from :operational
                        order by a.id
                        """)
                .bind("operational", Application.OPERATIONAL_UID)
                .map((rs, ctx) -> new AppEventTypes(rs.getString("id"),
                        Arrays.asList((String[]) rs.getArray("types").getArray()), rs.getBoolean("catch_all")))
                .list());
    }
}
