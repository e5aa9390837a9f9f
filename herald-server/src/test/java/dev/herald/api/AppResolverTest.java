package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.herald.store.ApplicationStore;
import dev.herald.testing.TestDatabase;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The publish path's application cache: an id is trusted for long, a uid for a second, against the real database. */
@ExtendWith(TestDatabase.class)
class AppResolverTest {
    private final Jdbi jdbi = TestDatabase.jdbi();
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final AppResolver resolver = new AppResolver(new ApplicationStore(jdbi), ticker);

    private void app(String id, String uid) {
        jdbi.useHandle(h -> h.execute("insert into application (id, uid, name, created_at, updated_at) values (?, ?, 'A', now(), now())", id, uid));
    }

    private void pass(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void a_uid_given_to_another_application_is_followed_after_a_second() {
        app("app_a", "acme");
        assertThat(resolver.cachedId("acme")).isEqualTo("app_a");
        jdbi.useHandle(h -> h.execute("update application set uid = 'acme-old' where id = 'app_a'"));
        app("app_b", "acme");
        pass(AppResolver.UID_CACHED_FOR.plusMillis(1));
        assertThat(resolver.cachedId("acme")).isEqualTo("app_b");
        assertThat(resolver.cachedId("acme-old")).isEqualTo("app_a");
    }

    @Test
    void an_id_is_kept_long_and_a_missing_key_is_never_kept() {
        assertThat(resolver.cachedId("app_later")).as("not there yet").isNull();
        app("app_later", null);
        assertThat(resolver.cachedId("app_later")).as("a miss was not cached").isEqualTo("app_later");
        jdbi.useHandle(h -> h.execute("delete from application where id = 'app_later'"));
        pass(Duration.ofMinutes(30));
        // no lookup for half an hour: the message insert is what refuses a deleted application (404)
        assertThat(resolver.cachedId("app_later")).isEqualTo("app_later");
        pass(AppResolver.ID_CACHED_FOR);
        assertThat(resolver.cachedId("app_later")).isNull();
    }
}
