package dev.herald.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https endpoint must prove who it is: a receiver whose certificate no trusted authority signed (here one made
 * for the test, naming 127.0.0.1) gets no request, and the attempt says why. Svix verifies certificates too; a client
 * that trusted any would hand every signed payload to whoever answers for the name.
 */
class TlsVerificationTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;
    private HttpsServer receiver;
    private final AtomicInteger requests = new AtomicInteger();
    private WebhookClient client;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setHttpsConfigurator(new HttpsConfigurator(selfSigned(dir.resolve("receiver.p12"))));
        receiver.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        client = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(5)),
                new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system());
    }

    @AfterEach
    void stop() {
        client.close();
        receiver.stop(0);
    }

    @Test
    void a_receiver_with_an_untrusted_certificate_gets_nothing() {
        URI url = URI.create("https://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        DeliveryResult result = client.send(OutboundRequest.post(url, Map.of(), "{}".getBytes(UTF_8)))
                .orTimeout(10, TimeUnit.SECONDS).join();

        assertThat(result.statusCode()).isZero();
        assertThat(result.errorMessage()).startsWith("TLS handshake failed");
        assertThat(requests).hasValue(0);
    }

    /** HERALD_DANGEROUS_DISABLE_TLS_VERIFICATION, Svix's dangerous_disable_tls_verification: the operator's choice. */
    @Test
    void told_to_trust_any_certificate_the_client_delivers_to_it() {
        var env = new java.util.HashMap<String, String>();
        env.put("HERALD_DANGEROUS_DISABLE_TLS_VERIFICATION", "true");
        assertThat(dev.herald.config.HeraldConfig.fromEnvironment(env).dangerousDisableTlsVerification()).isTrue();
        assertThat(dev.herald.config.HeraldConfig.fromEnvironment(Map.of()).dangerousDisableTlsVerification()).isFalse();

        URI url = URI.create("https://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        try (var trusting = new WebhookClient(WebhookClientSettings.defaults("1.2.3").withTotalTimeout(Duration.ofSeconds(5))
                .withTrustAnyCertificate(true), new AddressGuard(List.of("127.0.0.0/8")), HostResolver.system())) {
            DeliveryResult result = trusting.send(OutboundRequest.post(url, Map.of(), "{}".getBytes(UTF_8)))
                    .orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(result.statusCode()).as(String.valueOf(result.errorMessage())).isEqualTo(200);
        }
        assertThat(requests).hasValue(1);
    }

    /** A key and a certificate for 127.0.0.1 signed by itself, made with the running JDK's keytool. */
    static SSLContext selfSigned(Path keystore) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "receiver", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(Files.size(keystore)).isPositive();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
