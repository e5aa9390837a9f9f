package dev.herald.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded mode's key file: made once, readable by its owner alone, and refused when damaged. */
class EncryptionKeyFileTest {
    @Test
    void made_once_owner_only_and_read_back(@TempDir Path dir) throws Exception {
        byte[] key = EncryptionKeyFile.loadOrCreate(dir);
        assertThat(key).hasSize(32);
        Path file = dir.resolve("encryption.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.exists(dir.resolve("encryption.key.tmp"))).isFalse();
        assertThat(EncryptionKeyFile.loadOrCreate(dir)).isEqualTo(key);
    }

    @Test
    void a_leftover_temporary_file_does_not_stop_the_first_start(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("encryption.key.tmp"), "half");
        assertThat(EncryptionKeyFile.loadOrCreate(dir)).hasSize(32);
    }

    @Test
    void an_emptied_or_damaged_file_stops_the_start_naming_it(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("encryption.key");
        Files.writeString(file, "");
        assertThatThrownBy(() -> EncryptionKeyFile.loadOrCreate(dir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("32-byte key");
        Files.writeString(file, "not base64 at all!\n");
        assertThatThrownBy(() -> EncryptionKeyFile.loadOrCreate(dir)).hasMessageContaining("32-byte key");
        Files.writeString(file, "c2hvcnQ=\n");
        assertThatThrownBy(() -> EncryptionKeyFile.loadOrCreate(dir)).hasMessageContaining("32-byte key");
    }
}
