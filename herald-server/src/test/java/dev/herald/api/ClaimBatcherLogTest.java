package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.store.IdempotencyStore;
import java.sql.SQLException;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * While the database is away every batch of idempotency claims fails, and the Svix SDKs (and herald-client) send a key
 * with every POST: a warning per batch was hundreds of lines a second, while the 503s they led to were logged once per
 * 10 s.
 */
class ClaimBatcherLogTest {
    @Test
    void failed_batches_are_logged_once_per_interval_not_once_each() {
        var logged = new ListAppender<ILoggingEvent>();
        var logger = (Logger) LoggerFactory.getLogger(ClaimBatcher.class);
        logged.start();
        logger.addAppender(logged);
        Jdbi down = Jdbi.create(() -> {
            throw new SQLException("connection refused", "08001");
        });
        try (var batcher = new ClaimBatcher(new IdempotencyStore(down))) {
            for (int i = 0; i < 50; i++) {
                // a failed batch is no claim: the request then decides alone (claimExisting)
                assertThat(batcher.claimNew(new IdempotencyStore.NewClaim("tok_1", "key-" + i, new byte[32], Instant.now()))).isFalse();
            }
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1)
                .first().satisfies(e -> assertThat(e.getFormattedMessage()).contains("claimed alone", "connection refused"));
    }
}
