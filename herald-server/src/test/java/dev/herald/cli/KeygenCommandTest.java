package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.webhook.Ed25519Keys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KeygenCommandTest {
    private static final Pattern WORD = Pattern.compile("(wh(sk|pk|sec)_[A-Za-z0-9+/=]+)");

    @Test
    void prints_a_key_pair_and_the_public_key_that_belongs_to_it() {
        var out = new ByteArrayOutputStream();
        assertThat(KeygenCommand.run("ed25519", new PrintStream(out, true, StandardCharsets.UTF_8), System.err)).isZero();
        var found = WORD.matcher(out.toString(StandardCharsets.UTF_8)).results().map(m -> m.group(1)).toList();
        assertThat(found).hasSize(2);
        assertThat(found.get(0)).startsWith("whsk_");
        // the check Herald makes of a key it is given (halves that belong together), and the public key it shows
        assertThat(Ed25519Keys.signingKey(found.get(0)).publicKeyText()).isEqualTo(found.get(1));

        var second = new ByteArrayOutputStream();
        KeygenCommand.run("ed25519", new PrintStream(second, true, StandardCharsets.UTF_8), System.err);
        assertThat(second.toString(StandardCharsets.UTF_8)).doesNotContain(found.get(0));
    }

    @Test
    void prints_an_hmac_secret_and_refuses_other_types() {
        var out = new ByteArrayOutputStream();
        assertThat(KeygenCommand.run("hmac256", new PrintStream(out, true, StandardCharsets.UTF_8), System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("whsec_[A-Za-z0-9+/=]{32}");
        var err = new ByteArrayOutputStream();
        assertThat(KeygenCommand.run("rsa", System.out, new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--type must be ed25519 or hmac256");
    }
}
