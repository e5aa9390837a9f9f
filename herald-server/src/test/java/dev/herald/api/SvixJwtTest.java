package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.svix.Svix;
import com.svix.SvixOptions;
import com.svix.models.ApplicationIn;
import dev.herald.config.ConfigException;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_JWT_SECRET: the tokens svix-server makes with the same jwt_secret (HS256 JWTs, as its `jwt generate` and its
 * app tokens are shaped: iss svix-server, sub the organization or, with an org claim, the application) are taken; any
 * other JWT is a 401.
 */
@ExtendWith(TestDatabase.class)
class SvixJwtTest {
    // long enough to sign HS512 too: a token of another algorithm with the right secret is refused for its algorithm
    static final String SECRET = "kPafCtH7KC351nWXQb2pEGa6IRW3OsYpzQJldB8X-8KjzRXrKkd9YFcNyqLSIY8JwiaCeRc6WK4UkMnSW";
    static final String ORG = "org_23rb8YdGqMT0qIzpgGwdXfHirMu";
    static TestHerald herald;

    @BeforeAll
    static void start() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_JWT_SECRET", SECRET);
        herald = TestHerald.start(env, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void an_organization_token_speaks_for_everything_even_through_the_sdk() throws Exception {
        String token = token(SECRET, JWSAlgorithm.HS256, ORG, null, Duration.ofDays(3650), Duration.ZERO);
        var options = new SvixOptions();
        options.setServerUrl(herald.baseUrl());
        var svix = new Svix(token, options);
        var app = svix.getApplication().create(new ApplicationIn().name("from svix-server"));
        assertThat(svix.getApplication().get(app.getId()).getName()).isEqualTo("from svix-server");
        assertThat(herald.api.withToken(token).get("/api/v1/event-type").status()).isEqualTo(200);
    }

    @Test
    void an_application_token_speaks_for_its_application_alone() {
        String mine = herald.api.post("/api/v1/app", json("name", "mine")).text("id");
        String other = herald.api.post("/api/v1/app", json("name", "other")).text("id");
        var client = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, mine, ORG, Duration.ofDays(28), Duration.ZERO));
        assertThat(client.get("/api/v1/app/" + mine + "/endpoint").status()).isEqualTo(200);
        assertThat(client.post("/api/v1/app/" + mine + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(202);
        assertThat(client.get("/api/v1/app/" + other + "/endpoint").status()).isEqualTo(404); // as Svix: not its to see
        assertThat(client.get("/api/v1/app").status()).isEqualTo(403);
        // stored nowhere, it cannot be ended early: logout says so rather than answer 204 and leave it working
        var logout = client.post("/api/v1/auth/logout", "");
        assertThat(logout.status()).isEqualTo(403);
        assertThat(logout.text("detail")).isEqualTo("A svix-server token cannot be logged out: it ends at its exp");
        assertThat(client.get("/api/v1/app/" + mine + "/endpoint").status()).isEqualTo(200);
    }

    /** svix-server's app tokens carry the feature flags they were given; without the claim, none (not every type). */
    @Test
    void an_application_token_sees_the_flagged_types_its_feature_flags_claim_names() {
        String mine = herald.api.post("/api/v1/app", json("name", "flags")).text("id");
        herald.api.post("/api/v1/event-type", json("name", "beta.thing", "description", "d", "featureFlag", "beta"));
        herald.api.post("/api/v1/event-type", json("name", "plain.thing", "description", "d"));
        var plain = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, mine, ORG, Duration.ofDays(1), Duration.ZERO));
        assertThat(plain.get("/api/v1/event-type?limit=250").raw()).contains("plain.thing").doesNotContain("beta.thing");
        assertThat(plain.get("/api/v1/event-type/beta.thing").status()).isEqualTo(404);
        var autoConfig = plain.post("/api/v1/app/" + mine + "/autoconfig", json("featureFlags", java.util.List.of("beta")));
        assertThat(autoConfig.status()).as(autoConfig.raw()).isEqualTo(422);

        var beta = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, mine, ORG, Duration.ofDays(1), Duration.ZERO,
                Map.of("feature_flags", java.util.List.of("beta"))));
        assertThat(beta.get("/api/v1/event-type/beta.thing").status()).isEqualTo(200);

        var malformed = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, mine, ORG, Duration.ofDays(1), Duration.ZERO,
                Map.of("feature_flags", "beta")));
        assertThat(malformed.get("/api/v1/event-type").status()).as("a feature_flags claim that is no list").isEqualTo(401);
    }

    /** An answer kept for one token's idempotency-key is that token's: another JWT with the same key is served afresh. */
    @Test
    void idempotent_answers_are_kept_per_jwt() {
        String app = herald.api.post("/api/v1/app", json("name", "portal")).text("id");
        String other = herald.api.post("/api/v1/app", json("name", "elsewhere")).text("id");
        var org = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, ORG, null, Duration.ofDays(1), Duration.ZERO));
        var first = org.send("POST", "/api/v1/auth/app-portal-access/" + app, "{}", "idempotency-key", "shared-key");
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        var appToken = herald.api.withToken(token(SECRET, JWSAlgorithm.HS256, other, ORG, Duration.ofDays(1), Duration.ZERO));
        var second = appToken.send("POST", "/api/v1/auth/app-portal-access/" + app, "{}", "idempotency-key", "shared-key");
        assertThat(second.status()).as("not the organization token's answer: " + second.raw()).isEqualTo(403);
    }

    @Test
    void every_other_jwt_is_refused() throws Exception {
        Map<String, String> refused = Map.of(
                "expired", token(SECRET, JWSAlgorithm.HS256, ORG, null, Duration.ofMinutes(-5), Duration.ZERO),
                "not yet valid", token(SECRET, JWSAlgorithm.HS256, ORG, null, Duration.ofDays(1), Duration.ofMinutes(10)),
                "another secret", token(SECRET + "-not", JWSAlgorithm.HS256, ORG, null, Duration.ofDays(1), Duration.ZERO),
                "HS512 with the secret", token(SECRET, JWSAlgorithm.HS512, ORG, null, Duration.ofDays(1), Duration.ZERO),
                "no subject", token(SECRET, JWSAlgorithm.HS256, null, null, Duration.ofDays(1), Duration.ZERO),
                "alg none", unsigned(ORG),
                "payload changed", tampered(token(SECRET, JWSAlgorithm.HS256, "app_1", ORG, Duration.ofDays(1), Duration.ZERO)));
        refused.forEach((what, token) -> {
            var response = herald.api.withToken(token).get("/api/v1/app");
            assertThat(response.status()).as(what).isEqualTo(401);
            assertThat(response.text("code")).as(what).isEqualTo("authentication_failed");
        });
        // without HERALD_JWT_SECRET no JWT is taken
        try (var plain = TestHerald.start()) {
            String valid = token(SECRET, JWSAlgorithm.HS256, ORG, null, Duration.ofDays(1), Duration.ZERO);
            assertThat(plain.api.withToken(valid).get("/api/v1/app").status()).isEqualTo(401);
        }
    }

    /**
     * svix-server takes a secret of any length (its examples use "test value"), and the tokens made with one must work
     * here too: they were refused at start (JOSE libraries insist on 256 bits).
     */
    @Test
    void a_short_secret_is_taken_as_svix_server_takes_it() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_JWT_SECRET", "test value");
        try (var herald = TestHerald.start(env, Clock.systemUTC())) {
            long now = Instant.now().getEpochSecond();
            String claims = "{\"iat\":" + now + ",\"exp\":" + (now + 3600) + ",\"nbf\":" + now
                    + ",\"iss\":\"svix-server\",\"sub\":\"" + ORG + "\"}";
            assertThat(herald.api.withToken(hs256("test value", claims)).get("/api/v1/app").status()).isEqualTo(200);
            assertThat(herald.api.withToken(hs256("other value", claims)).get("/api/v1/app").status()).isEqualTo(401);
        }
    }

    /** An HS256 token signed with the JDK's HMAC, which takes a key of any length. */
    private static String hs256(String secret, String claimsJson) throws Exception {
        var encoder = java.util.Base64.getUrlEncoder().withoutPadding();
        String input = encoder.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + encoder.encodeToString(claimsJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + encoder.encodeToString(mac.doFinal(input.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** A token as svix-server makes them: typ JWT, iat, nbf, exp, iss svix-server, sub, and org for an application's. */
    static String token(String secret, JWSAlgorithm alg, String subject, String org, Duration validFor, Duration notBeforeIn) {
        return token(secret, alg, subject, org, validFor, notBeforeIn, Map.of());
    }

    static String token(String secret, JWSAlgorithm alg, String subject, String org, Duration validFor, Duration notBeforeIn,
                        Map<String, Object> more) {
        try {
            Instant now = Instant.now();
            var claims = new JWTClaimsSet.Builder().issuer("svix-server").subject(subject)
                    .issueTime(Date.from(now)).notBeforeTime(Date.from(now.plus(notBeforeIn)))
                    .expirationTime(Date.from(now.plus(validFor)));
            if (org != null) claims.claim("org", org);
            more.forEach(claims::claim);
            var jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(String subject) {
        var encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + encoder.encodeToString(("{\"sub\":\"" + subject + "\",\"iss\":\"svix-server\"}").getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The same signature over a payload that names the organization instead of one application. */
    private static String tampered(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(",\"org\":\"" + ORG + "\"", "").replace("\"org\":\"" + ORG + "\",", "");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }
}
