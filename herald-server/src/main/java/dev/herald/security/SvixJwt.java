package dev.herald.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The bearer tokens of Svix's own server (svix-server): HS256 JWTs signed with its {@code jwt_secret}. An organization
 * token ({@code sub} its organization, as {@code svix-server jwt generate} makes) speaks for everything; an application
 * token ({@code org} and {@code sub} the application's id) for that application. Given the same secret
 * ({@code HERALD_JWT_SECRET}), Herald takes the tokens a team moving from svix-server already holds. Only HS256 is
 * taken: a token naming another algorithm (none among them) is refused, whatever its signature.
 */
public final class SvixJwt {
    /** Clocks of the node that made a token and of this one may differ a little. */
    static final Duration LEEWAY = Duration.ofSeconds(60);

    /**
     * What a valid token says: its subject, the organization of an application token (null for an organization's), and
     * the feature flags it was given (svix-server's {@code feature_flags} claim; none when absent).
     */
    public record Claims(String subject, String organization, Instant expiresAt, java.util.Set<String> featureFlags) {
        public boolean application() {
            return organization != null;
        }
    }

    private final javax.crypto.spec.SecretKeySpec key;
    private final Clock clock;

    /**
     * Any secret svix-server takes: it checks HS256 with a key of any length, and teams run it with short ones (its
     * examples' {@code "test value"}); such a secret is taken, with a warning, since refusing it would leave their
     * tokens unusable here (JOSE libraries insist on 256 bits, so the signature is checked with the JDK's HMAC).
     *
     * @throws IllegalArgumentException for an empty secret
     */
    public SvixJwt(String secret, Clock clock) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) throw new IllegalArgumentException("must not be empty");
        if (bytes.length < 32) {
            org.slf4j.LoggerFactory.getLogger(SvixJwt.class).warn("HERALD_JWT_SECRET is {} bytes, under HS256's 32:"
                    + " taken, as svix-server takes it, but a short secret can be guessed; use a long random one", bytes.length);
        }
        this.key = new javax.crypto.spec.SecretKeySpec(bytes, "HmacSHA256");
        this.clock = clock;
    }

    private boolean signedWithSecret(SignedJWT jwt) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] expected = mac.doFinal(jwt.getSigningInput());
            return java.security.MessageDigest.isEqual(expected, jwt.getSignature().decode());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the token has a JWT's shape (a Herald token never does), so it is checked here and nowhere else. */
    public static boolean looksLikeJwt(String token) {
        return token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The token's claims, when it is an HS256 JWT signed with the secret, in force now and naming a subject. */
    public Optional<Claims> verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !signedWithSecret(jwt)) return Optional.empty();
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            Instant expires = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
            if (expires != null && !now.isBefore(expires.plus(LEEWAY))) return Optional.empty();
            if (claims.getNotBeforeTime() != null && now.plus(LEEWAY).isBefore(claims.getNotBeforeTime().toInstant())) {
                return Optional.empty();
            }
            String subject = claims.getSubject();
            if (subject == null || subject.isBlank()) return Optional.empty();
            // a claim of another shape is refused, as svix-server's deserialization refuses it
            var flags = claims.getStringListClaim("feature_flags");
            if (flags != null && flags.contains(null)) return Optional.empty();
            return Optional.of(new Claims(subject, claims.getStringClaim("org"), expires,
                    flags == null ? java.util.Set.of() : java.util.Set.copyOf(flags)));
        } catch (ParseException | IllegalStateException e) {
            return Optional.empty();
        }
    }
}
