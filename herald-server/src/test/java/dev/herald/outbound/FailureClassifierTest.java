package dev.herald.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

    private final FailureClassifier classifier = new FailureClassifier(15_000, 5_000);

    @Test
    void namesCommonNetworkFailuresBriefly() {
        assertThat(classifier.describe(new TimeoutException("Total timeout 15000 ms elapsed")))
                .isEqualTo("timeout after 15000 ms");
        assertThat(classifier.describe(new SocketTimeoutException("Connect Timeout")))
                .isEqualTo("connect timeout after 5000 ms");
        assertThat(classifier.describe(new ConnectException("Connection refused")))
                .isEqualTo("connection refused");
        assertThat(classifier.describe(new UnknownHostException("x.example.test: Name or service not known")))
                .isEqualTo("unknown host x.example.test");
        assertThat(classifier.describe(new RejectedExecutionException("Max requests queued per destination 10 exceeded")))
                .isEqualTo("too many requests queued");
    }

    @Test
    void looksThroughWrappersForTheCause() {
        IOException reset = new IOException("wrapped", new SocketException("Connection reset"));
        IOException closed = new IOException("wrapped", new EOFException());

        assertThat(classifier.describe(reset)).isEqualTo("connection reset");
        assertThat(classifier.describe(new IOException("bad response", new IllegalStateException("503: Early EOF"))))
                .isEqualTo("connection closed before the response completed");
        assertThat(classifier.describe(closed)).isEqualTo("connection closed before the response completed");
        assertThat(classifier.describe(new IOException(new BlockedAddressException("blocked address 10.0.0.1 (private range)"))))
                .isEqualTo("blocked address 10.0.0.1 (private range)");
    }

    @Test
    void keepsTheTlsDetailAndBoundsLength() {
        String detail = "PKIX path building failed " + "x".repeat(500);

        String message = classifier.describe(new IOException(new SSLHandshakeException(detail)));

        assertThat(message).startsWith("TLS handshake failed: PKIX path building failed").hasSize(200);
    }

    @Test
    void fallsBackToTypeAndMessage() {
        assertThat(classifier.describe(new IllegalStateException("boom"))).isEqualTo("IllegalStateException: boom");
    }

    /** Each message the classifier writes is read back as its kind (the reason label of herald_attempts_failed_total). */
    @Test
    void eachMessageIsReadBackAsItsReason() {
        record Case(Throwable failure, FailureReason reason) {}
        for (var c : java.util.List.of(
                new Case(new TimeoutException("Total timeout 15000 ms elapsed"), FailureReason.TIMEOUT),
                new Case(new SocketTimeoutException("Connect Timeout"), FailureReason.CONNECT_TIMEOUT),
                new Case(new ConnectException("Connection refused"), FailureReason.REFUSED),
                new Case(new ConnectException(), FailureReason.REFUSED),
                new Case(new java.net.NoRouteToHostException("No route to host"), FailureReason.REFUSED),
                new Case(new UnknownHostException("x.example.test: Name or service not known"), FailureReason.DNS),
                new Case(new SSLHandshakeException("PKIX path building failed"), FailureReason.TLS),
                new Case(new IOException("wrapped", new SocketException("Connection reset")), FailureReason.CONNECTION),
                new Case(new IOException("wrapped", new EOFException()), FailureReason.CONNECTION),
                new Case(new BlockedAddressException("blocked address 10.0.0.1 (private range)"), FailureReason.BLOCKED),
                new Case(new RejectedExecutionException("Max requests queued per destination 10 exceeded"), FailureReason.OTHER))) {
            String message = classifier.describe(c.failure());
            assertThat(FailureReason.of(0, message)).as(message).isEqualTo(c.reason());
        }
        assertThat(FailureReason.of(503, null)).isEqualTo(FailureReason.STATUS_5XX);
        assertThat(FailureReason.of(404, "ignored")).isEqualTo(FailureReason.STATUS_4XX);
        assertThat(FailureReason.of(301, null)).isEqualTo(FailureReason.STATUS_3XX);
        assertThat(FailureReason.of(199, null)).isEqualTo(FailureReason.STATUS_OTHER);
        assertThat(FailureReason.of(0, "blocked host name localhost (loopback)")).isEqualTo(FailureReason.BLOCKED);
        assertThat(FailureReason.of(0, "transformation could not be rendered: x")).isEqualTo(FailureReason.OTHER);
        assertThat(FailureReason.of(0, null)).isEqualTo(FailureReason.OTHER);
        // through HERALD_PROXY_URL, as WebhookClient writes it; and a ConnectException's other words
        assertThat(FailureReason.of(0, "via proxy http://squid:3128: connection refused")).isEqualTo(FailureReason.REFUSED);
        assertThat(FailureReason.of(0, "via proxy http://squid:3128: timeout after 15000 ms")).isEqualTo(FailureReason.TIMEOUT);
        assertThat(FailureReason.of(0, classifier.describe(new ConnectException("Connection timed out"))))
                .isEqualTo(FailureReason.CONNECT_TIMEOUT);
        assertThat(FailureReason.of(0, classifier.describe(new ConnectException("Network is unreachable"))))
                .isEqualTo(FailureReason.REFUSED);
        assertThat(FailureReason.STATUS_5XX.label()).isEqualTo("status_5xx");
    }
}
