package dev.herald.store;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.app.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.security.Tokens;
import dev.herald.testing.ApiClient;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A dump of every row of every table shows no endpoint secret and no API token in plaintext. */
@ExtendWith(TestDatabase.class)
class SecretsAtRestTest {
    static final String SECRET_BODY = "c2VjcmV0LWF0LXJlc3Qtc2VjcmV0LWF0LXJlc3Q=";
    static final String SECRET = "whsec_" + SECRET_BODY;
    static final String ROTATED_BODY = "cm90YXRlZC1zZWNyZXQtcm90YXRlZC1zZWNyZXQh";
    static TestHerald herald;

    @BeforeAll
    static void start() {
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** Every row of every table in schema public, as PostgreSQL's own text form of the row. */
    static List<String> dump() {
        return TestDatabase.jdbi().withHandle(h -> {
            var rows = new ArrayList<String>();
            var tables = h.createQuery("select tablename from pg_tables where schemaname = 'public'")
                    .mapTo(String.class).list();
            for (String table : tables) {
                rows.addAll(h.createQuery("select t::text from \"" + table + "\" t").mapTo(String.class).list());
            }
            return rows;
        });
    }

    /** Forms the plaintext could take in a dump: as is, base64-decoded, and hex (bytea's text form). */
    static List<String> formsOf(String plaintext) {
        var forms = new ArrayList<String>();
        forms.add(plaintext);
        forms.add(HexFormat.of().formatHex(plaintext.getBytes(StandardCharsets.UTF_8)));
        return forms;
    }

    @Test
    void endpoint_secrets_are_not_stored_in_plaintext() {
        String app = herald.api.post("/api/v1/app", json("name", "Vault")).text("id");
        String base = "/api/v1/app/" + app + "/endpoint";
        var created = herald.api.post(base, json("url", "https://example.com/hook", "secret", SECRET));
        assertThat(created.status()).isEqualTo(201);
        String endpoint = created.text("id");
        String generated = herald.api.get(base + "/" + herald.api.post(base, json("url", "https://example.com/2"))
                .text("id") + "/secret").text("key");
        assertThat(herald.api.post(base + "/" + endpoint + "/secret/rotate", json("key", ROTATED_BODY)).status())
                .isEqualTo(204);
        assertThat(herald.api.get(base + "/" + endpoint + "/secret").text("key")).isEqualTo("whsec_" + ROTATED_BODY);

        var dump = dump();
        assertThat(dump).anyMatch(row -> row.contains(endpoint)).as("the dump reads the endpoint rows");
        var forbidden = new ArrayList<String>();
        forbidden.addAll(formsOf(SECRET_BODY));
        forbidden.addAll(formsOf(ROTATED_BODY));
        forbidden.addAll(formsOf(generated.substring("whsec_".length())));
        forbidden.add(HexFormat.of().formatHex(Base64.getDecoder().decode(SECRET_BODY)));
        forbidden.add(HexFormat.of().formatHex(Base64.getDecoder().decode(ROTATED_BODY)));
        forbidden.add(TestHerald.ADMIN_TOKEN);
        for (String row : dump) {
            for (String secret : forbidden) {
                assertThat(row).as("a stored row").doesNotContain(secret);
            }
        }
    }

    /**
     * An endpoint's custom headers carry its receiver's credentials (an Authorization, an API key): sealed at rest with
     * the signing secrets' key, the whole set as one value. They were a plaintext jsonb column, in every dump and backup.
     * Rows written before are sealed by the next node to start. The API shows them as before; delivery is
     * DeliveryBehaviourTest's (custom headers sent, a retry's too).
     */
    @Test
    void endpoint_headers_are_not_stored_in_plaintext_and_older_rows_are_sealed_at_start() {
        String app = herald.api.post("/api/v1/app", json("name", "Headers vault")).text("id");
        String base = "/api/v1/app/" + app + "/endpoint";
        String endpoint = herald.api.post(base, json("url", "https://example.com/hdr", "headers",
                java.util.Map.of("Authorization", "Bearer hdr-credential-1", "X-Api-Key", "hdr-key-2"))).text("id");
        assertThat(herald.api.patch(base + "/" + endpoint + "/headers", json("headers", java.util.Map.of("X-Api-Key", "hdr-key-3")))
                .status()).isEqualTo(204);
        var shown = herald.api.get(base + "/" + endpoint + "/headers").body();
        assertThat(shown.path("headers").path("X-Api-Key").asText()).isEqualTo("hdr-key-3");
        assertThat(shown.path("sensitive").toString()).contains("Authorization");

        // a row as a Herald before V31 wrote it
        String older = herald.api.post(base, json("url", "https://example.com/older")).text("id");
        TestDatabase.jdbi().useHandle(h -> h.execute(
                "update endpoint set headers = '{\"X-Legacy\": \"plain-legacy-9\"}', headers_key_id = null, headers_sealed = null where id = ?", older));
        // and one a Herald from before V31, still running in a rolling upgrade, changed after this one sealed it: the
        // newer (in the clear) is read, not the sealed one it left behind
        TestDatabase.jdbi().useHandle(h -> h.execute(
                "update endpoint set headers = '{\"X-Api-Key\": \"hdr-key-4\"}' where id = ?", endpoint));
        assertThat(herald.api.get(base + "/" + endpoint + "/headers").body().path("headers").path("X-Api-Key").asText())
                .isEqualTo("hdr-key-4");
        TestHerald.start().close(); // the next node to start seals them
        assertThat(herald.api.get(base + "/" + older + "/headers").body().path("headers").path("X-Legacy").asText())
                .isEqualTo("plain-legacy-9");
        assertThat(herald.api.get(base + "/" + endpoint + "/headers").body().path("headers").path("X-Api-Key").asText())
                .isEqualTo("hdr-key-4");

        var dump = dump();
        assertThat(dump).anyMatch(row -> row.contains(endpoint)).anyMatch(row -> row.contains(older));
        for (String row : dump) {
            for (String value : List.of("hdr-credential-1", "hdr-key-2", "hdr-key-3", "hdr-key-4", "plain-legacy-9")) {
                for (String form : formsOf(value)) assertThat(row).as("a stored row").doesNotContain(form);
            }
        }
    }

    @Test
    void a_short_admin_token_is_taken_and_warned_about_at_start() {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_ADMIN_TOKEN", "secret");
        var out = new ByteArrayOutputStream();
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Herald.class);
        logged.start();
        logger.addAppender(logged);
        try (var started = new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC())
                .start(new PrintStream(out, true, StandardCharsets.UTF_8))) {
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("WARNING: HERALD_ADMIN_TOKEN is 6 characters long");
            // in the log too, where a shipper reads it (stderr, HERALD_LOG_FORMAT=json)
            assertThat(logged.list).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
                    && e.getFormattedMessage().startsWith("HERALD_ADMIN_TOKEN is 6 characters long"));
            assertThat(new ApiClient("http://127.0.0.1:" + started.port(), "secret").get("/api/v1/app").status()).isEqualTo(200);
        } finally {
            logger.detachAppender(logged);
        }
        var longEnough = new ByteArrayOutputStream();
        try (var started = new Herald(HeraldConfig.fromEnvironment(TestHerald.defaultEnv()), Clock.systemUTC())
                .start(new PrintStream(longEnough, true, StandardCharsets.UTF_8))) {
            assertThat(TestHerald.ADMIN_TOKEN).hasSizeGreaterThanOrEqualTo(24);
            assertThat(longEnough.toString(StandardCharsets.UTF_8)).doesNotContain("WARNING");
        }
    }

    @Test
    void api_tokens_are_stored_as_sha256_hashes() {
        var env = TestHerald.defaultEnv();
        env.remove("HERALD_ADMIN_TOKEN");
        var out = new ByteArrayOutputStream();
        try (var bootstrapped = new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC())
                .start(new PrintStream(out, true, StandardCharsets.UTF_8))) {
            var matcher = Pattern.compile("(sk_[A-Za-z0-9]{43})").matcher(out.toString(StandardCharsets.UTF_8));
            assertThat(matcher.find()).as("the bootstrap token is shown once").isTrue();
            String token = matcher.group(1);

            var api = new ApiClient("http://127.0.0.1:" + bootstrapped.port(), token);
            assertThat(api.get("/api/v1/app").status()).isEqualTo(200);
            assertThat(api.withToken(token + "x").get("/api/v1/app").status()).isEqualTo(401);

            var tokens = TestDatabase.jdbi().withHandle(h -> h.createQuery("select token_hash from api_token")
                    .mapTo(byte[].class).list());
            assertThat(tokens).hasSize(1);
            assertThat(tokens.get(0)).hasSize(32).isEqualTo(Tokens.hash(token));
            for (String row : dump()) {
                assertThat(row).doesNotContain(token, token.substring(3),
                        HexFormat.of().formatHex(token.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    @Test
    void secrets_at_rest_are_bound_to_their_endpoint() {
        String app = herald.api.post("/api/v1/app", json("name", "Bound")).text("id");
        String base = "/api/v1/app/" + app + "/endpoint";
        String first = herald.api.post(base, json("url", "https://example.com/1", "secret", SECRET)).text("id");
        String second = herald.api.post(base, json("url", "https://example.com/2")).text("id");
        // copy the first endpoint's sealed secret onto the second: it must not open there
        TestDatabase.jdbi().useHandle(h -> h.createUpdate("""
                update endpoint_secret set ciphertext = (select ciphertext from endpoint_secret where endpoint_id = :first)
                where endpoint_id = :second
                """).bind("first", first).bind("second", second).execute());
        var stolen = herald.api.get(base + "/" + second + "/secret");
        assertThat(stolen.status()).isGreaterThanOrEqualTo(500);
        assertThat(stolen.raw()).doesNotContain(SECRET_BODY);
        assertThat(herald.api.get(base + "/" + first + "/secret").text("key")).isEqualTo(SECRET);
    }
}
