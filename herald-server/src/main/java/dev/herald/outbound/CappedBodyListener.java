package dev.herald.outbound;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;

/**
 * Receives one response, keeping only the first {@link DeliveryResult#MAX_BODY_BYTES} of the body
 * so a huge or endless response cannot grow memory, and completes a future with the outcome.
 *
 * <p>Past the cap the body is read and dropped for a while, so a moderately large response still
 * ends cleanly and its connection can be reused; past {@link #MAX_DISCARDED_BYTES} the response is
 * aborted, since a receiver that keeps talking must not hold a connection until the timeout.
 */
final class CappedBodyListener implements Response.Listener {

    static final long MAX_DISCARDED_BYTES = 1024 * 1024;

    /** The abort cause that means "we have read enough", not a failure. */
    private static final class BodyCapReached extends Exception {
        BodyCapReached() {
            super("response body cap reached", null, false, false);
        }
    }

    private final long startNanos;
    private final CompletableFuture<DeliveryResult> outcome;
    private final Function<Throwable, String> describeFailure;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long receivedBytes;
    private volatile boolean headersComplete;

    CappedBodyListener(long startNanos, CompletableFuture<DeliveryResult> outcome, Function<Throwable, String> describeFailure) {
        this.startNanos = startNanos;
        this.outcome = outcome;
        this.describeFailure = describeFailure;
    }

    @Override
    public void onHeaders(Response response) {
        headersComplete = true;
    }

    @Override
    public void onContent(Response response, ByteBuffer content) {
        int room = DeliveryResult.MAX_BODY_BYTES - kept.size();
        int length = content.remaining();
        if (room > 0) {
            byte[] chunk = new byte[Math.min(room, length)];
            content.get(chunk);
            kept.writeBytes(chunk);
        }
        receivedBytes += length;
        if (receivedBytes > DeliveryResult.MAX_BODY_BYTES + MAX_DISCARDED_BYTES) {
            response.abort(new BodyCapReached());
        }
    }

    @Override
    public void onComplete(Result result) {
        long durationMs = (System.nanoTime() - startNanos) / 1_000_000;
        try {
            outcome.complete(toDeliveryResult(result, durationMs));
        } catch (RuntimeException e) {
            // whoever waits on the future must always get an answer
            outcome.complete(DeliveryResult.failure("internal error: " + e, durationMs));
        }
    }

    private DeliveryResult toDeliveryResult(Result result, long durationMs) {
        Response response = result.getResponse();
        // a status line followed by broken headers is no response at all
        int status = response == null || !headersComplete ? 0 : response.getStatus();
        Throwable failure = result.getFailure();
        if (status == 0) {
            return DeliveryResult.failure(describeFailure.apply(failure), durationMs);
        }
        String retryAfter = response.getHeaders().get(HttpHeader.RETRY_AFTER);
        boolean completed = failure == null || failure instanceof BodyCapReached;
        // with a failure here, the headers arrived but the body broke off
        String error = completed ? null : describeFailure.apply(failure);
        return new DeliveryResult(status, bodyText(response), durationMs, error, retryAfter);
    }

    private String bodyText(Response response) {
        return kept.toString(charsetOf(response));
    }

    private static Charset charsetOf(Response response) {
        String contentType = response.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String name = contentType == null ? null : MimeTypes.getCharsetFromContentType(contentType);
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException unknownCharset) {
            return StandardCharsets.UTF_8;
        }
    }
}
