package dev.herald.client.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.client.testing.MutableClock;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    // the example of the Standard Webhooks specification
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330L;
    private static final String SPEC_BODY = "{\"test\": 2432232314}";
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(SPEC_TIMESTAMP));
    private final WebhookVerifier verifier = WebhookVerifier.of(SPEC_SECRET).withClock(clock);

    @Test
    void accepts_the_specification_example() throws Exception {
        VerifiedWebhook event = verifier.verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE));

        assertThat(event.id()).isEqualTo(SPEC_ID);
        assertThat(event.timestamp()).isEqualTo(Instant.ofEpochSecond(SPEC_TIMESTAMP));
        assertThat(event.body()).isEqualTo(SPEC_BODY);
    }

    @Test
    void signer_produces_the_specification_signature() {
        assertThat(WebhookSigner.of(SPEC_SECRET).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void whsec_prefix_is_optional() throws Exception {
        var bare = WebhookVerifier.of(SPEC_SECRET.substring("whsec_".length())).withClock(clock);

        assertThatCode(() -> bare.verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE)))
                .doesNotThrowAnyException();
    }

    @Test
    void accepts_svix_header_names_and_any_header_case() {
        Map<String, String> svix = Map.of("Svix-Id", SPEC_ID, "SVIX-TIMESTAMP", Long.toString(SPEC_TIMESTAMP),
                "svix-signature", SPEC_SIGNATURE);

        assertThatCode(() -> verifier.verify(SPEC_BODY, svix)).doesNotThrowAnyException();
    }

    @Test
    void one_matching_signature_among_several_is_enough() {
        String other = WebhookSigner.of(newSecret()).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        String header = other + " v1a,notours " + SPEC_SIGNATURE;

        assertThatCode(() -> verifier.verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, header)))
                .doesNotThrowAnyException();
    }

    @Test
    void refuses_a_changed_body_or_a_wrong_secret() {
        assertThatThrownBy(() -> verifier.verify(SPEC_BODY + " ", headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE)))
                .isInstanceOf(InvalidSignatureException.class);
        assertThatThrownBy(() -> WebhookVerifier.of(newSecret()).withClock(clock)
                .verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE)))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void refuses_signatures_that_are_not_v1_or_not_base64() {
        String unsigned = SPEC_SIGNATURE.substring(3);
        for (String header : List.of(unsigned, "v2," + unsigned, "v1,***", "")) {
            assertThatThrownBy(() -> verifier.verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, header)))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void names_the_missing_header() {
        var noTimestamp = Map.of("webhook-id", SPEC_ID, "webhook-signature", SPEC_SIGNATURE);

        assertThatThrownBy(() -> verifier.verify(SPEC_BODY, noTimestamp))
                .isInstanceOfSatisfying(MissingHeaderException.class,
                        e -> assertThat(e.header()).isEqualTo("webhook-timestamp"));
    }

    @Test
    void refuses_a_timestamp_that_is_not_a_number() {
        assertThatThrownBy(() -> verifier.verify(SPEC_BODY, headers(SPEC_ID, "2021-02-25", SPEC_SIGNATURE)))
                .isInstanceOf(MalformedTimestampException.class);
    }

    @Test
    void tolerates_five_minutes_either_way_and_no_more() {
        var signed = headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE);

        clock.advance(Duration.ofMinutes(5));
        assertThatCode(() -> verifier.verify(SPEC_BODY, signed)).doesNotThrowAnyException();
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> verifier.verify(SPEC_BODY, signed))
                .isInstanceOf(StaleTimestampException.class).hasMessageContaining("older");

        clock.advance(Duration.ofMinutes(-10).minusSeconds(1));
        assertThatCode(() -> verifier.verify(SPEC_BODY, signed)).doesNotThrowAnyException();
        clock.advance(Duration.ofSeconds(-1));
        assertThatThrownBy(() -> verifier.verify(SPEC_BODY, signed))
                .isInstanceOf(StaleTimestampException.class).hasMessageContaining("newer");
    }

    @Test
    void tolerance_can_be_changed() {
        clock.advance(Duration.ofMinutes(30));

        assertThatCode(() -> verifier.withTolerance(Duration.ofHours(1))
                .verify(SPEC_BODY, headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE))).doesNotThrowAnyException();
    }

    @Test
    void verifies_what_the_svix_library_signs() throws Exception {
        String secret = newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"type\":\"invoice.paid\",\"amount\":1.10}";
        String signature = new com.svix.Webhook(secret).sign("msg_svix", now, body);

        assertThatCode(() -> WebhookVerifier.of(secret).verify(body, headers("msg_svix", now, signature)))
                .doesNotThrowAnyException();
    }

    @Test
    void verifies_what_the_standard_webhooks_library_signs() throws Exception {
        String secret = newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"emoji\":\"\u2603\"}";
        String signature = new com.standardwebhooks.Webhook(secret).sign("msg_sw", now, body);

        assertThatCode(() -> WebhookVerifier.of(secret).verify(body.getBytes(StandardCharsets.UTF_8),
                headers("msg_sw", now, signature))).doesNotThrowAnyException();
    }

    @Test
    void the_svix_library_verifies_what_we_sign() throws Exception {
        String secret = newSecret();
        long now = Instant.now().getEpochSecond();
        String body = "{\"type\":\"invoice.paid\"}";
        var headers = WebhookSigner.of(secret).headers("msg_1", now, body.getBytes(StandardCharsets.UTF_8));
        Map<String, List<String>> svixHeaders = Map.of(
                "svix-id", List.of(headers.get("webhook-id")),
                "svix-timestamp", List.of(headers.get("webhook-timestamp")),
                "svix-signature", List.of(headers.get("webhook-signature")));

        assertThatCode(() -> new com.svix.Webhook(secret).verify(body, svixHeaders))
                .doesNotThrowAnyException();
    }

    @Test
    void the_standard_webhooks_library_verifies_what_we_sign_with_several_keys() throws Exception {
        String oldSecret = newSecret();
        String newSecret = newSecret();
        long now = Instant.now().getEpochSecond();
        byte[] body = "{\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8);
        // what Herald sends during a rotation: one v1 entry per live secret
        String header = WebhookSigner.of(oldSecret).sign("msg_2", now, body) + " " + WebhookSigner.of(newSecret).sign("msg_2", now, body);
        var httpHeaders = HttpHeaders.of(Map.of("webhook-id", List.of("msg_2"),
                "webhook-timestamp", List.of(Long.toString(now)), "webhook-signature", List.of(header)), (n, v) -> true);

        for (String secret : List.of(oldSecret, newSecret)) {
            assertThatCode(() -> new com.standardwebhooks.Webhook(secret).verify(new String(body, StandardCharsets.UTF_8), httpHeaders))
                    .doesNotThrowAnyException();
            assertThatCode(() -> WebhookVerifier.of(secret).verify(body, httpHeaders.map())).doesNotThrowAnyException();
        }
    }

    @Test
    void rejects_secrets_that_are_not_base64() {
        assertThatThrownBy(() -> WebhookVerifier.of("whsec_not*base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebhookVerifier.of("whsec_")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void takes_headers_from_a_getter() {
        Map<String, String> raw = Map.of("webhook-id", SPEC_ID, "webhook-timestamp", Long.toString(SPEC_TIMESTAMP),
                "webhook-signature", SPEC_SIGNATURE);

        assertThatCode(() -> verifier.verify(SPEC_BODY.getBytes(StandardCharsets.UTF_8), WebhookHeaders.from(raw::get)))
                .doesNotThrowAnyException();
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return headers(id, Long.toString(timestamp), signature);
    }

    private static Map<String, List<String>> headers(String id, String timestamp, String signature) {
        return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(timestamp), "webhook-signature", List.of(signature));
    }

    private static String newSecret() {
        byte[] key = new byte[24];
        new java.security.SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
