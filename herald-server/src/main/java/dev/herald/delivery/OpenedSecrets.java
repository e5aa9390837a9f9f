package dev.herald.delivery;

import dev.herald.security.SecretBox;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Opens the sealed signing secrets a claim returns, remembering what it opened. The cache is keyed by the sealed
 * value itself (endpoint, key id, ciphertext), so it can never serve a stale secret: a rotated or expired secret
 * simply stops being asked for. It only saves decrypting the same secret for every claimed batch.
 */
final class OpenedSecrets {
    /** Far more endpoints than one node sends to at once; past it the cache starts over. */
    static final int MAX_CACHED = 10_000;

    private final BiFunction<SecretBox.Sealed, String, String> opener;
    private final ConcurrentHashMap<String, String> opened = new ConcurrentHashMap<>();

    /** {@code opener}: (sealed secret, endpoint id) → the secret; throws when it cannot be opened. */
    OpenedSecrets(BiFunction<SecretBox.Sealed, String, String> opener) {
        this.opener = opener;
    }

    /** The endpoint's secrets in the given order; throws (naming nothing secret) if one cannot be opened. */
    List<String> open(String endpointId, List<SecretBox.Sealed> sealed) {
        var secrets = new ArrayList<String>(sealed.size());
        for (var s : sealed) {
            String key = endpointId + '\n' + s.keyId() + '\n' + Base64.getEncoder().encodeToString(s.ciphertext());
            String secret = opened.get(key);
            if (secret == null) {
                secret = opener.apply(s, endpointId);
                if (opened.size() >= MAX_CACHED) opened.clear();
                opened.put(key, secret);
            }
            secrets.add(secret);
        }
        return secrets;
    }
}
