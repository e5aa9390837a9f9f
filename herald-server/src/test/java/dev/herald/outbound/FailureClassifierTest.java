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
}
