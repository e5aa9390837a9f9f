package dev.herald.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.security.SecretBox;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BiFunction;

/**
 * Opens the sealed signing secrets a claim returns, remembering what it opened. The cache is keyed by the sealed
 * value itself (endpoint, key id, ciphertext), so it can never serve a stale secret: a rotated or expired secret
 * simply stops being asked for. It only saves decrypting the same secret for every claimed batch.
 */
final class OpenedSecrets {
    /**
     * More endpoints than one node sends to at once; past it the least useful entries go one by one. (Until session 15
     * the whole cache was cleared when full, so above this many active endpoints every claim decrypted again.)
     */
    static final int MAX_CACHED = 50_000;

    private final BiFunction<SecretBox.Sealed, String, String> opener;
    private final Cache<String, String> opened;

    /** {@code opener}: (sealed secret, endpoint id) → the secret; throws when it cannot be opened. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener) {
        this(opener, MAX_CACHED, ForkJoinPool.commonPool());
    }

    /** {@code maintenance}: where evictions run (Caffeine's default is the common pool); tests run them at once. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener, int maxCached, Executor maintenance) {
        this.opener = opener;
        this.opened = Caffeine.newBuilder().maximumSize(maxCached).executor(maintenance).build();
    }

    /** The endpoint's secrets in the given order; throws (naming nothing secret) if one cannot be opened. */
    List<String> open(String endpointId, List<SecretBox.Sealed> sealed) {
        var secrets = new ArrayList<String>(sealed.size());
        for (var s : sealed) {
            String key = endpointId + '\n' + s.keyId() + '\n' + Base64.getEncoder().encodeToString(s.ciphertext());
            // not computeIfAbsent: an opener that throws must reach the caller as it is, and nothing is cached for it
            String secret = opened.getIfPresent(key);
            if (secret == null) {
                secret = opener.apply(s, endpointId);
                opened.put(key, secret);
            }
            secrets.add(secret);
        }
        return secrets;
    }

    /** How many opened secrets are kept now (pending evictions done first). */
    long cached() {
        opened.cleanUp();
        return opened.estimatedSize();
    }
}
