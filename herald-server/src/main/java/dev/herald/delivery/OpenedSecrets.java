package dev.herald.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.security.SecretBox;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
    private final BiFunction<SecretBox.Sealed, String, Map<String, String>> headersOpener;
    private final Cache<String, String> opened;
    private final Cache<String, Map<String, String>> openedHeaders;

    /** {@code opener}: (sealed secret, endpoint id) → the secret; throws when it cannot be opened. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener) {
        this(opener, (sealed, endpointId) -> {
            throw new IllegalStateException("no opener of sealed headers");
        });
    }

    /** {@code headersOpener}: (an endpoint's sealed headers, endpoint id) → its headers, as {@code opener}. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener,
                  BiFunction<SecretBox.Sealed, String, Map<String, String>> headersOpener) {
        this(opener, headersOpener, MAX_CACHED, ForkJoinPool.commonPool());
    }

    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener, int maxCached, Executor maintenance) {
        this(opener, (sealed, endpointId) -> Map.of(), maxCached, maintenance);
    }

    /** {@code maintenance}: where evictions run (Caffeine's default is the common pool); tests run them at once. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener,
                  BiFunction<SecretBox.Sealed, String, Map<String, String>> headersOpener, int maxCached, Executor maintenance) {
        this.opener = opener;
        this.headersOpener = headersOpener;
        this.opened = Caffeine.newBuilder().maximumSize(maxCached).executor(maintenance).build();
        this.openedHeaders = Caffeine.newBuilder().maximumSize(maxCached).executor(maintenance).build();
    }

    /** The endpoint's secrets in the given order; throws (naming nothing secret) if one cannot be opened. */
    List<String> open(String endpointId, List<SecretBox.Sealed> sealed) {
        var secrets = new ArrayList<String>(sealed.size());
        for (var s : sealed) secrets.add(opened(opened, endpointId, s, opener));
        return secrets;
    }

    /** The endpoint's custom headers, sealed as its secrets are (EndpointStore); throws as {@link #open}. */
    Map<String, String> openHeaders(String endpointId, SecretBox.Sealed sealed) {
        return opened(openedHeaders, endpointId, sealed, headersOpener);
    }

    private static <T> T opened(Cache<String, T> cache, String endpointId, SecretBox.Sealed sealed,
                                BiFunction<SecretBox.Sealed, String, T> opener) {
        String key = endpointId + '\n' + sealed.keyId() + '\n' + Base64.getEncoder().encodeToString(sealed.ciphertext());
        // not computeIfAbsent: an opener that throws must reach the caller as it is, and nothing is cached for it
        T value = cache.getIfPresent(key);
        if (value == null) {
            value = opener.apply(sealed, endpointId);
            cache.put(key, value);
        }
        return value;
    }

    /** How many opened secrets are kept now (pending evictions done first). */
    long cached() {
        opened.cleanUp();
        return opened.estimatedSize();
    }
}
