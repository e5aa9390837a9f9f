package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A migration that shipped never changes, not even a comment: Flyway keeps each applied migration's checksum, and every
 * database that ran the earlier text refuses to start under a build with the new one ("checksum mismatch"), with no
 * command of Herald's to repair it. V28 was edited four times after its first commit (found by a review). A change goes
 * in a new migration; a new migration adds its line to shipped-migrations.txt.
 */
class ShippedMigrationsTest {
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    @Test
    void every_migration_is_as_it_shipped() throws Exception {
        Map<String, String> shipped = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/shipped-migrations.txt"))) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split(" ");
            shipped.put(parts[0], parts[1]);
        }
        Map<String, String> present = new TreeMap<>();
        try (var files = Files.list(MIGRATIONS)) {
            for (Path file : files.toList()) {
                present.put(file.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        for (var entry : shipped.entrySet()) {
            assertThat(present).as("%s shipped: it may not be removed or renamed", entry.getKey()).containsKey(entry.getKey());
            assertThat(present.get(entry.getKey()))
                    .as("%s shipped and was changed: put the change in a new migration", entry.getKey())
                    .isEqualTo(entry.getValue());
        }
        assertThat(shipped.keySet()).as("a new migration: add its line (name and SHA-256) to shipped-migrations.txt")
                .containsAll(present.keySet());
    }
}
