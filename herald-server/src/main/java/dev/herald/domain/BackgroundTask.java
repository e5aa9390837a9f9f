package dev.herald.domain;

import java.time.Instant;

/**
 * A recovery or purge task in Svix's shape: what it did ({@code task}, e.g. {@code endpoint.replay}), how it ended
 * ({@code running}, {@code finished} or {@code failed}) and its figures ({@code dataJson}, a JSON object).
 */
public record BackgroundTask(String id, String appId, String task, String status, String dataJson, Instant createdAt,
                             Instant updatedAt) {
    public static final String ENDPOINT_REPLAY = "endpoint.replay";
    public static final String ENDPOINT_RECOVER = "endpoint.recover";
    public static final String ENDPOINT_BULK_REPLAY = "endpoint.bulk-replay";
    public static final String APPLICATION_PURGE_CONTENT = "application.purge_content";
    /** Svix's usage statistics of the environment's applications: a task of no one application. */
    public static final String APPLICATION_STATS = "application.stats";
    /** Svix's listing of the event types each application's endpoints subscribe to: also of no one application. */
    public static final String EVENT_TYPE_AGGREGATE = "event-type.aggregate";
    public static final String RUNNING = "running";
    public static final String FINISHED = "finished";
    public static final String FAILED = "failed";
}
