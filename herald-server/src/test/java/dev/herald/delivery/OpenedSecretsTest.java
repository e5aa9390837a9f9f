package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.security.SecretBox;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenedSecretsTest {
    final byte[] key = new byte[32];
    {
        new SecureRandom().nextBytes(key);
    }
    final SecretBox box = new SecretBox(key, List.of());
    final AtomicInteger opens = new AtomicInteger();

    String open(SecretBox.Sealed sealed, String endpointId) {
        opens.incrementAndGet();
        return box.open(sealed, endpointId);
    }

    @Test
    void opens_each_sealed_secret_once_and_returns_them_in_the_given_order() {
        var secrets = new OpenedSecrets(this::open);
        var current = box.seal("whsec_current", "ep_1");
        var old = box.seal("whsec_old", "ep_1");

        assertThat(secrets.open("ep_1", List.of(current, old))).containsExactly("whsec_current", "whsec_old");
        assertThat(secrets.open("ep_1", List.of(current, old))).containsExactly("whsec_current", "whsec_old");
        assertThat(secrets.open("ep_1", List.of(current))).containsExactly("whsec_current");
        assertThat(opens).hasValue(2);
    }

    @Test
    void a_secret_that_cannot_be_opened_throws_each_time_and_nothing_is_kept_for_it() {
        var secrets = new OpenedSecrets(this::open);
        var boundElsewhere = box.seal("whsec_x", "ep_other");

        assertThatThrownBy(() -> secrets.open("ep_1", List.of(boundElsewhere))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> secrets.open("ep_1", List.of(boundElsewhere))).isInstanceOf(RuntimeException.class);
        assertThat(opens).hasValue(2);
        assertThat(secrets.cached()).isZero();
    }

    @Test
    void past_its_size_it_lets_single_entries_go_instead_of_starting_over() {
        int max = 100;
        var secrets = new OpenedSecrets(this::open, max, Runnable::run);
        for (int i = 0; i <= max; i++) {
            String endpoint = "ep_" + i;
            secrets.open(endpoint, List.of(box.seal("whsec_" + i, endpoint)));
        }

        assertThat(opens).hasValue(max + 1);
        // cleared when full (as until session 15), it would hold one
        assertThat(secrets.cached()).isEqualTo(max);
    }
}
