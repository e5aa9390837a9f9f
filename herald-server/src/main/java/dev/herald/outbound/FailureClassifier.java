package dev.herald.outbound;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.client.HttpResponseException;

/**
 * Turns a failed exchange into a short message an operator can act on, e.g. "connection refused"
 * instead of a Jetty exception chain. The whole cause chain is inspected because Jetty wraps
 * socket errors in its own exceptions.
 */
final class FailureClassifier {

    private static final int MAX_MESSAGE_LENGTH = 200;

    private final long totalTimeoutMs;
    private final long connectTimeoutMs;

    FailureClassifier(long totalTimeoutMs, long connectTimeoutMs) {
        this.totalTimeoutMs = totalTimeoutMs;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    String describe(Throwable failure) {
        // checked most specific first: a TLS failure is often also a closed connection
        if (find(failure, BlockedAddressException.class) instanceof BlockedAddressException blocked) {
            return blocked.getMessage();
        }
        if (find(failure, UnknownHostException.class) instanceof UnknownHostException unknown) {
            return "unknown host " + hostOf(unknown);
        }
        if (find(failure, SSLHandshakeException.class) instanceof SSLHandshakeException tls) {
            return shorten("TLS handshake failed: " + tls.getMessage());
        }
        if (find(failure, SSLException.class) instanceof SSLException tls) {
            return shorten("TLS error: " + tls.getMessage());
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            return "connect timeout after " + connectTimeoutMs + " ms";
        }
        if (find(failure, TimeoutException.class) != null) {
            return "timeout after " + totalTimeoutMs + " ms";
        }
        if (find(failure, NoRouteToHostException.class) != null) {
            return "no route to host";
        }
        if (find(failure, ConnectException.class) instanceof ConnectException connect) {
            return connect.getMessage() == null ? "connection failed" : lowerCase(connect.getMessage());
        }
        if (find(failure, RejectedExecutionException.class) != null) {
            return "too many requests queued";
        }
        if (mentions(failure, "connection reset") || mentions(failure, "broken pipe")) {
            return "connection reset";
        }
        // Jetty turns a reset while reading into end-of-stream, so RST and FIN look the same here
        if (find(failure, EOFException.class) != null
                || find(failure, ClosedChannelException.class) != null
                || mentions(failure, "early eof")) {
            return "connection closed before the response completed";
        }
        if (find(failure, HttpResponseException.class) != null) {
            return "invalid HTTP response";
        }
        if (find(failure, SocketException.class) instanceof SocketException socket) {
            return shorten(lowerCase(String.valueOf(socket.getMessage())));
        }
        return shorten(failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    static Throwable find(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    private static boolean mentions(Throwable failure, String text) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** The JDK says "x.example: Name or service not known"; the host is the useful part. */
    private static String hostOf(UnknownHostException e) {
        String message = String.valueOf(e.getMessage());
        int colon = message.indexOf(": ");
        return colon > 0 ? message.substring(0, colon) : message;
    }

    private static String lowerCase(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static String shorten(String message) {
        return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
    }
}
