package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.security.Tokens;
import dev.herald.store.TokenStore.TokenOwner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The token lookups Auth keeps: unknown tokens, which anyone can send by the thousand, must not push out the lookups
 * of tokens in use (they were cleared whole once 10,000 lookups were kept, each unknown token one of them).
 */
class AuthCacheTest {
    static final String LIVE = "sk_live_token_of_a_tenant_0123456789";

    final List<String> lookedUp = new CopyOnWriteArrayList<>();
    final byte[] liveHash = Tokens.hash(LIVE);
    final Auth.TokenLookup store = (hash, now) -> {
        boolean live = Arrays.equals(hash, liveHash);
        lookedUp.add(live ? "live" : "unknown");
        return live ? Optional.of(new TokenOwner("tok_1", "app_1", null, null, null, null, null)) : Optional.empty();
    };

    @Test
    void a_flood_of_unknown_tokens_leaves_a_live_tokens_lookup_cached() {
        var auth = new Auth(store, Optional.empty(), Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC), null);
        assertThat(auth.resolve(LIVE)).isPresent();
        for (int i = 0; i < 25_000; i++) {
            assertThat(auth.resolve("sk_unknown_" + i)).isEmpty();
        }
        assertThat(auth.resolve(LIVE)).isPresent();
        assertThat(lookedUp.stream().filter("live"::equals).count()).as("the live token looked up once").isEqualTo(1);
        assertThat(auth.resolve("sk_unknown_24999")).isEmpty();
        assertThat(lookedUp).as("a recent unknown token is kept too").hasSize(25_001);
    }

    @Test
    void a_cached_lookup_ends_after_its_time_and_when_forgotten() {
        var clock = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-12-07T12:00:00Z"));
        Clock moving = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return clock.get(); }
        };
        var auth = new Auth(store, Optional.empty(), moving, null);
        auth.resolve(LIVE);
        auth.resolve(LIVE);
        assertThat(lookedUp).containsExactly("live");
        clock.set(clock.get().plus(Duration.ofSeconds(31)));
        auth.resolve(LIVE);
        assertThat(lookedUp).containsExactly("live", "live");
        auth.forget(owner -> "app_1".equals(owner.appId()));
        auth.resolve(LIVE);
        assertThat(lookedUp).containsExactly("live", "live", "live");
    }
}
