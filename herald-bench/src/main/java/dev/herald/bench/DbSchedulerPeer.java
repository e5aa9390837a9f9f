package dev.herald.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.herald.delivery.SignedRequestFactory;
import dev.herald.outbound.WebhookClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * What a Java team would build instead of Herald: db-scheduler on the same PostgreSQL, one one-time task
 * per delivery, the same HTTP client and signing, db-scheduler's own retry, and an attempt row per try.
 *
 * <p>Its pool is its own, a plain HikariCP pool with PostgreSQL's default session (until session 45 it borrowed
 * Herald's general pool: 16 connections for 64 scheduler threads and 16 publishers, each session set to plan every
 * statement afresh), with a connection for every thread that may want one; its polling is the setting db-scheduler's
 * README gives for high throughput (lock-and-fetch, refilled below one queued execution per thread, up to four).
 */
final class DbSchedulerPeer implements AutoCloseable {
    private final Scheduler scheduler;
    private final OneTimeTask<String> task;
    private final com.zaxxer.hikari.HikariDataSource pool;
    private final Jdbi jdbi;

    DbSchedulerPeer(String jdbcUrl, WebhookClient client, SignedRequestFactory requests, String url,
                    String secret, int threads, int publishers) {
        var config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("db-scheduler-peer");
        config.setMaximumPoolSize(threads + publishers + 4); // every scheduler thread and publisher, and its own fetches
        pool = new com.zaxxer.hikari.HikariDataSource(config);
        DataSource dataSource = pool;
        jdbi = Jdbi.create(pool);
        jdbi.useHandle(h -> {
            h.execute("""
                    create table if not exists scheduled_tasks (
                        task_name text not null, task_instance text not null, task_data bytea,
                        execution_time timestamp with time zone not null, picked boolean not null, picked_by text,
                        last_success timestamp with time zone, last_failure timestamp with time zone,
                        consecutive_failures int, last_heartbeat timestamp with time zone, version bigint not null,
                        priority smallint, primary key (task_name, task_instance))""");
            h.execute("create index if not exists st_execution_time_idx on scheduled_tasks (execution_time)");
            h.execute("create index if not exists st_last_heartbeat_idx on scheduled_tasks (last_heartbeat)");
            h.execute("create index if not exists st_priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc)");
            h.execute("""
                    create table if not exists peer_attempt (
                        id bigserial primary key, msg_id text not null, status int not null, created_at timestamptz not null)""");
        });
        URI target = URI.create(url);
        task = Tasks.oneTime("deliver", String.class)
                .onFailure(new FailureHandler.MaxRetriesFailureHandler<>(8,
                        new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(5))))
                .execute((instance, context) -> {
                    String payload = instance.getData();
                    String msgId = instance.getId();
                    var request = requests.build(target, msgId, Instant.now().getEpochSecond(), SignedRequestFactory.bytes(payload),
                            List.of(secret), Map.of());
                    var result = client.send(request).join();
                    jdbi.useHandle(h -> h.createUpdate("insert into peer_attempt (msg_id, status, created_at) values (:m, :s, now())")
                            .bind("m", msgId).bind("s", result.statusCode()).execute());
                    if (!result.isSuccess()) throw new IllegalStateException("delivery failed: " + result.statusCode());
                });
        scheduler = Scheduler.create(dataSource, task)
                .threads(threads)
                .pollingInterval(Duration.ofMillis(100))
                .pollUsingLockAndFetch(1.0, 4.0)
                .build();
        scheduler.start();
    }

    void publish(String msgId, String payload) {
        scheduler.schedule(task.instance(msgId, payload), Instant.now());
    }

    /** Attempt rows written: a delivery counts once its attempt is recorded, as Herald's do. */
    long attemptsRecorded() {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from peer_attempt").mapTo(Long.class).one());
    }

    @Override
    public void close() {
        scheduler.stop();
        pool.close();
    }
}
