package dev.herald.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.testing.CapturedLogs;
import dev.herald.client.testing.MutableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A relay's failing passes, as its log shows them: one whole, then a line a minute, then the recovery. */
class RepeatedFailureLogTest {
    static final String LOGGER = "herald.test.pass-failures";

    private CapturedLogs logs;
    private List<LogRecord> records;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
    private final RepeatedFailureLog passes = new RepeatedFailureLog(System.getLogger(LOGGER), System.Logger.Level.ERROR,
            "outbox relay pass", clock, Duration.ofSeconds(1));

    @BeforeEach
    void capture() {
        logs = new CapturedLogs(LOGGER);
        records = logs.records();
    }

    @AfterEach
    void release() {
        logs.close();
    }

    @Test
    void a_run_of_failures_is_logged_whole_once_then_once_a_minute_then_its_end() {
        var away = new SQLException("Connection refused", "08001");
        for (int pass = 0; pass < 59; pass++) {
            passes.failed(away);
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
            assertThat(r.getThrown()).isSameAs(away);
        });

        clock.advance(Duration.ofSeconds(1));
        passes.failed(new SQLException("the database system is starting up", "57P03"));
        assertThat(records).hasSize(2);
        assertThat(records.get(1).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
        assertThat(records.get(1).getThrown()).isNull();
        assertThat(records.get(1).getMessage()).contains("outbox relay pass still failing: 59 more since the last line", "60 since 2026-12-07T12:00:00Z",
                "starting up");

        passes.failed(away);
        passes.succeeded();
        assertThat(records).hasSize(3);
        assertThat(records.get(2).getLevel()).isEqualTo(java.util.logging.Level.INFO);
        assertThat(records.get(2).getMessage()).contains("outbox relay pass works again, after 61 failed");

        // a success without failures says nothing; the next failure starts a new run, logged whole
        passes.succeeded();
        passes.failed(away);
        assertThat(records).hasSize(4);
        assertThat(records.get(3).getThrown()).isSameAs(away);
    }
}
