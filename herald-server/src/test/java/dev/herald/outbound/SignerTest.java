package dev.herald.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignerTest {

    // the example from the Standard Webhooks specification
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330L;
    private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void signsEachSecretByItsKindNewestFirst() {
        // Svix's own Ed25519 test key and the signature its tests expect of the specification's message
        String svixKey = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
        String svixSignature = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";
        assertThat(Signer.signatureHeader(List.of(svixKey, SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(svixSignature + " " + SPEC_SIGNATURE);
        assertThat(Signer.signatureHeader(List.of(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(SPEC_SIGNATURE);
        assertThatThrownBy(() -> Signer.signatureHeader(List.of(), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void matchesSpecificationVector() {
        byte[] key = Signer.keyFromSecret(SPEC_SECRET);

        assertThat(Signer.signature(key, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void secretPrefixIsOptional() {
        assertThat(Signer.keyFromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
                .isEqualTo(Signer.keyFromSecret(SPEC_SECRET))
                .isEqualTo(Base64.getDecoder().decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }

    @Test
    void rejectsSecretsThatAreNotBase64OrEmpty() {
        assertThatThrownBy(() -> Signer.keyFromSecret("whsec_not*base64!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signer.keyFromSecret("whsec_")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Signer.keyFromSecret(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headerHasOneSignaturePerKeyInOrder() {
        String newSecret = Signer.generateSecret();

        String header = Signer.signatureHeader(List.of(SPEC_SECRET, newSecret), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);

        assertThat(header.split(" ")).containsExactly(
                SPEC_SIGNATURE, Signer.signature(Signer.keyFromSecret(newSecret), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY));
        assertThatThrownBy(() -> Signer.signatureHeader(List.of(), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generatedSecretsAreFresh24ByteKeys() {
        String first = Signer.generateSecret();
        String second = Signer.generateSecret();

        assertThat(first).startsWith("whsec_").isNotEqualTo(second);
        assertThat(Signer.keyFromSecret(first)).hasSize(24);
    }

    @Test
    void svixLibraryAcceptsOurSignatures() throws Exception {
        String secret = Signer.generateSecret();
        String body = "{\"type\":\"invoice.paid\",\"amount\":42}";
        long now = Instant.now().getEpochSecond();
        String header = Signer.signatureHeader(List.of(secret), "msg_1", now, utf8(body));

        assertThatCode(() -> new com.svix.Webhook(secret).verify(body, headers("msg_1", now, header)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new com.svix.Webhook(secret).verify(body + " ", headers("msg_1", now, header)))
                .isInstanceOf(com.svix.exceptions.WebhookVerificationException.class);
    }

    @Test
    void standardWebhooksLibraryAcceptsOurSignaturesDuringKeyRotation() throws Exception {
        String oldSecret = Signer.generateSecret();
        String newSecret = Signer.generateSecret();
        String body = "{\"type\":\"invoice.paid\"}";
        long now = Instant.now().getEpochSecond();
        String header = Signer.signatureHeader(List.of(oldSecret, newSecret), "msg_2", now, utf8(body));
        HttpHeaders httpHeaders = HttpHeaders.of(headers("msg_2", now, header), (name, value) -> true);

        // a receiver that only knows either secret still verifies
        for (String secret : List.of(oldSecret, newSecret)) {
            assertThatCode(() -> new com.standardwebhooks.Webhook(secret).verify(body, httpHeaders))
                    .doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> new com.standardwebhooks.Webhook(Signer.generateSecret()).verify(body, httpHeaders))
                .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
    }

    @Test
    void libraryAndSignerAgreeOnSpecVector() throws Exception {
        String librarySignature = new com.standardwebhooks.Webhook(SPEC_SECRET)
                .sign(SPEC_ID, SPEC_TIMESTAMP, new String(SPEC_BODY, StandardCharsets.UTF_8));

        assertThat(librarySignature).isEqualTo(SPEC_SIGNATURE);
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of(
                Signer.HEADER_ID, List.of(id),
                Signer.HEADER_TIMESTAMP, List.of(Long.toString(timestamp)),
                Signer.HEADER_SIGNATURE, List.of(signature));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
