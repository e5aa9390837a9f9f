package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald's embedded PostgreSQL is started again when it stops by itself (the kernel's out-of-memory killer, a full disk:
 * {@code reliability.DiskFullTest}), on the same port and data, so that the pools reconnect and nothing is lost.
 */
@Tag("kill")
class EmbeddedPostgresSupervisionTest {
    @TempDir
    Path tempDir;
    /** Inside the temporary directory: the server keeps its password, binaries and lock beside the data directory. */
    Path dataDir;

    @BeforeEach
    void dataDirInsideTheTemporaryOne() {
        dataDir = tempDir.resolve("pg");
    }

    @Test
    void a_postmaster_killed_outright_is_started_again_with_its_data() throws Exception {
        try (var server = EmbeddedPostgresServer.start(dataDir, true).superviseRestarts()) {
            var jdbi = Jdbi.create(server.jdbcUrl());
            jdbi.useHandle(h -> h.execute("create table kept (n int); insert into kept values (42)"));

            long first = postmasterPid(dataDir);
            ProcessHandle.of(first).orElseThrow().destroyForcibly(); // SIGKILL: its backends are left behind a moment
            Receiver.await(Duration.ofSeconds(60), () -> {
                try {
                    return jdbi.withHandle(h -> h.createQuery("select n from kept").mapTo(Integer.class).one()) == 42;
                } catch (RuntimeException e) {
                    return false;
                }
            }, "the same URL to answer again, with the data");
            assertThat(postmasterPid(dataDir)).as("a new postmaster").isNotEqualTo(first);
            assertThat(server.isRunning()).isTrue();
            // the server's own account of it, in its log in the data directory
            Receiver.await(Duration.ofSeconds(10), () -> serverLog(dataDir).contains("automatic recovery in progress"),
                    "the server's log to tell of its recovery");
        }
        assertThat(dataDir.resolve("postmaster.pid")).as("stopped by close, not started again").doesNotExist();
    }

    private static String serverLog(Path dataDir) {
        try (var files = Files.list(dataDir.resolve(EmbeddedPostgresServer.LOG_DIRECTORY))) {
            var text = new StringBuilder();
            for (Path file : files.toList()) text.append(Files.readString(file));
            return text.toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static long postmasterPid(Path dataDir) throws Exception {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }
}
