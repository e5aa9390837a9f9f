package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.queue.ClaimedDelivery;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppSharesTest {
    private final AppShares shares = new AppShares(2);

    private static ClaimedDelivery delivery(String app, String endpoint) {
        return new ClaimedDelivery(1, "msg_1", endpoint, app, 0, 1, "t", "{}", null, "https://example.com", java.util.Map.of(),
                false, null, null, null, null, null, null, null, List.of(), false, null);
    }

    @Test
    void an_application_at_its_share_is_refused_and_left_out_until_one_of_its_deliveries_ends() {
        var a1 = delivery("app_a", "ep_1");
        var a2 = delivery("app_a", "ep_2");
        assertThat(shares.take(a1)).isTrue();
        var excluded = new ArrayList<String>();
        shares.excludeFull(excluded);
        assertThat(excluded).as("below its share").isEmpty();
        assertThat(shares.take(a2)).isTrue();
        assertThat(shares.take(delivery("app_a", "ep_3"))).as("past its share").isFalse();
        assertThat(shares.take(delivery("app_b", "ep_9"))).as("another application's").isTrue();

        excluded = new ArrayList<>(List.of("ep_2"));
        shares.excludeFull(excluded);
        assertThat(excluded).containsExactlyInAnyOrder("ep_1", "ep_2", "ep_3"); // held, and refused; none twice

        assertThat(shares.release(a1)).as("back under its share: claim again").isTrue();
        excluded = new ArrayList<>();
        shares.excludeFull(excluded);
        assertThat(excluded).isEmpty();
        assertThat(shares.release(a2)).as("it was not at its share").isFalse();
        assertThat(shares.take(delivery("app_a", "ep_3"))).isTrue();
    }
}
