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
    // the messages' beginnings, which reasonOf reads back
    private static final String UNKNOWN_HOST = "unknown host ";
    private static final String TLS = "TLS ";
    private static final String CONNECT_TIMEOUT = "connect timeout after ";
    private static final String TIMEOUT = "timeout after ";
    private static final String NO_ROUTE = "no route to host";
    private static final String CONNECT_FAILED = "connection failed";
    private static final String REFUSED = "connection refused";
    private static final String RESET = "connection reset";
    private static final String CLOSED = "connection closed before the response completed";
    private static final String INVALID_RESPONSE = "invalid HTTP response";
    static final String HEADERS_TOO_LARGE = "response headers larger than "
            + WebhookClientSettings.MAX_RESPONSE_HEADERS_BYTES / 1024 + " KiB";
    /** The address guard's refusals: "blocked address 10.0.0.1 (private range)", "blocked host name …" (AddressGuard). */
    private static final String BLOCKED = "blocked ";
    /** A ConnectException's own words, lower-cased, besides "connection refused" (the kernel's, as the JDK passes them). */
    private static final String CONNECT_TIMED_OUT = "connection timed out";
    private static final String UNREACHABLE = "network is unreachable";
    /** WebhookClient's prefix for a failure on the way through HERALD_PROXY_URL. */
    static final String VIA_PROXY = "via proxy ";

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
            return UNKNOWN_HOST + hostOf(unknown);
        }
        if (find(failure, SSLHandshakeException.class) instanceof SSLHandshakeException tls) {
            return shorten(TLS + "handshake failed: " + tls.getMessage());
        }
        if (find(failure, SSLException.class) instanceof SSLException tls) {
            return shorten(TLS + "error: " + tls.getMessage());
        }
        if (find(failure, SocketTimeoutException.class) != null) {
            return CONNECT_TIMEOUT + connectTimeoutMs + " ms";
        }
        if (find(failure, TimeoutException.class) != null) {
            return TIMEOUT + totalTimeoutMs + " ms";
        }
        if (find(failure, NoRouteToHostException.class) != null) {
            return NO_ROUTE;
        }
        if (find(failure, ConnectException.class) instanceof ConnectException connect) {
            return connect.getMessage() == null ? CONNECT_FAILED : lowerCase(connect.getMessage());
        }
        if (find(failure, RejectedExecutionException.class) != null) {
            return "too many requests queued";
        }
        if (mentions(failure, "connection reset") || mentions(failure, "broken pipe")) {
            return RESET;
        }
        // Jetty turns a reset while reading into end-of-stream, so RST and FIN look the same here
        if (find(failure, EOFException.class) != null
                || find(failure, ClosedChannelException.class) != null
                || mentions(failure, "early eof")) {
            return CLOSED;
        }
        // Jetty's parser: "Response Header Bytes Too Large", with the response's status as its code
        if (mentions(failure, "header bytes too large")) {
            return HEADERS_TOO_LARGE;
        }
        if (find(failure, HttpResponseException.class) != null) {
            return INVALID_RESPONSE;
        }
        if (find(failure, SocketException.class) instanceof SocketException socket) {
            return shorten(lowerCase(String.valueOf(socket.getMessage())));
        }
        return shorten(failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    /** The kind of failure a message {@link #describe} wrote names (anything else: {@link FailureReason#OTHER}). */
    static FailureReason reasonOf(String message) {
        if (message == null) return FailureReason.OTHER;
        // WebhookClient's "via proxy http://proxy:3128: connection refused": the reason is the part after it
        if (message.startsWith(VIA_PROXY) && message.indexOf(": ", VIA_PROXY.length()) > 0) {
            message = message.substring(message.indexOf(": ", VIA_PROXY.length()) + 2);
        }
        if (message.startsWith(BLOCKED)) return FailureReason.BLOCKED;
        if (message.startsWith(UNKNOWN_HOST)) return FailureReason.DNS;
        if (message.startsWith(TLS)) return FailureReason.TLS;
        if (message.startsWith(CONNECT_TIMEOUT)) return FailureReason.CONNECT_TIMEOUT;
        if (message.startsWith(TIMEOUT)) return FailureReason.TIMEOUT;
        if (message.equals(CONNECT_TIMED_OUT)) return FailureReason.CONNECT_TIMEOUT;
        if (message.startsWith(REFUSED) || message.equals(NO_ROUTE) || message.equals(CONNECT_FAILED)
                || message.equals(UNREACHABLE)) return FailureReason.REFUSED;
        if (message.equals(RESET) || message.equals(CLOSED) || message.equals(INVALID_RESPONSE)
                || message.equals(HEADERS_TOO_LARGE)) return FailureReason.CONNECTION;
        return FailureReason.OTHER;
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
