package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.domain.BackgroundTask;
import dev.herald.store.ApplicationStore;
import dev.herald.store.UsageStatsStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Svix's statistics API (admin only), background tasks whose figures are read with
 * {@code GET /api/v1/background-task/{id}}:
 * <ul>
 *   <li>{@code POST /api/v1/stats/usage/app} counts the message destinations (deliveries) of each application over a
 *       period: the task's {@code data.appStats}, a list of Svix's ApplicationStats ({@code appId}, {@code appUid},
 *       {@code messageDestinations});</li>
 *   <li>{@code PUT /api/v1/stats/usage/event-types} lists the event types each application's endpoints subscribe to:
 *       {@code data.event_types}, a list of {@code appId}, {@code explicitlySubscribedEventTypes} and
 *       {@code hasCatchAllEndpoint}, spelled as Svix documents the result.</li>
 * </ul>
 */
public final class StatisticsRoutes {
    /** Svix's AppUsageStatsOut: the task, and the ids or uids asked for that name no application. */
    public record AppUsageStatsOut(String id, String status, String task, Set<String> unresolvedAppIds, Instant updatedAt) {}

    /** Svix's AggregateEventTypesOut: the task. */
    public record AggregateEventTypesOut(String id, String status, String task) {}

    /** Svix's ApplicationStats. */
    public record ApplicationStats(String appId, String appUid, long messageDestinations) {}

    private final ApplicationStore apps;
    private final UsageStatsStore usage;
    private final BackgroundTaskRoutes tasks;

    public StatisticsRoutes(ApplicationStore apps, UsageStatsStore usage, BackgroundTaskRoutes tasks) {
        this.apps = apps;
        this.usage = usage;
        this.tasks = tasks;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/stats/usage/app", this::appUsage);
        routes.put("/api/v1/stats/usage/event-types", this::eventTypes);
    }

    /** Every application's subscribed event types (see {@link UsageStatsStore#subscribedEventTypes}); takes no body. */
    void eventTypes(Context ctx) {
        Auth.requireAdmin(ctx);
        var task = tasks.run(null, BackgroundTask.EVENT_TYPE_AGGREGATE, Map.of(),
                heartbeat -> Map.of("event_types", usage.subscribedEventTypes()));
        ctx.status(202).json(new AggregateEventTypesOut(task.id(), task.status(), task.task()));
    }

    /**
     * Svix's AppUsageStatsIn: {@code since} and {@code until} required, {@code appIds} (ids or uids) optional. Without
     * {@code appIds} every application with a delivery in the period is counted; with them each one found is, with 0
     * when it had none, and when none is found the request is refused (422), as Svix does.
     */
    void appUsage(Context ctx) {
        Auth.requireAdmin(ctx);
        var body = Body.of(ctx);
        Instant since = body.requiredTimestamp("since");
        Instant until = body.requiredTimestamp("until");
        Set<String> asked = body.stringSet("appIds", 250, null, 256);
        if (since != null && until != null && until.isBefore(since)) body.fail("until", "until must not be before since", "value_error");
        body.validate();

        var resolved = new LinkedHashMap<String, Application>();
        var unresolved = new LinkedHashSet<String>();
        if (asked != null) {
            for (String key : asked) {
                apps.find(key).filter(a -> !a.operational()).ifPresentOrElse(a -> resolved.put(a.id(), a), () -> unresolved.add(key));
            }
            if (resolved.isEmpty()) {
                throw ValidationException.of("appIds", "none of the given appIds was found", "value_error");
            }
        }
        var input = new LinkedHashMap<String, Object>();
        input.put("since", since.toString());
        input.put("until", until.toString());
        if (asked != null) input.put("appIds", List.copyOf(resolved.keySet()));
        var task = tasks.run(null, BackgroundTask.APPLICATION_STATS, input, heartbeat -> Map.of("appStats",
                stats(usage.messageDestinations(since, until, asked == null ? null : resolved.keySet()), resolved)));
        ctx.status(202).json(new AppUsageStatsOut(task.id(), task.status(), task.task(), unresolved, task.updatedAt()));
    }

    /** Each application asked for, 0 when it had no delivery; without a list, each one that had any. */
    private static List<ApplicationStats> stats(Map<String, UsageStatsStore.AppDestinations> counts, Map<String, Application> asked) {
        var out = new ArrayList<ApplicationStats>();
        if (asked.isEmpty()) {
            counts.values().forEach(c -> out.add(new ApplicationStats(c.appId(), c.appUid(), c.destinations())));
        } else {
            asked.values().forEach(a -> out.add(new ApplicationStats(a.id(), a.uid(),
                    counts.containsKey(a.id()) ? counts.get(a.id()).destinations() : 0L)));
        }
        return out;
    }
}
