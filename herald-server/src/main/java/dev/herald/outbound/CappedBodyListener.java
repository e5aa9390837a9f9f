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

    CappedBodyListener(long startNanos, CompletableFuture<DeliveryResult> outcome, Function<Throwable, String> describeFailure) {
        this.startNanos = startNanos;
        this.outcome = outcome;
        this.describeFailure = describeFailure;
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
        Response response = result.getResponse();
        int status = response == null ? 0 : response.getStatus();
        Throwable failure = result.getFailure();
        if (failure == null || (failure instanceof BodyCapReached && status > 0)) {
            outcome.complete(DeliveryResult.response(status, bodyText(response), durationMs));
        } else if (status > 0) {
            // the status line arrived but the exchange broke afterwards
            outcome.complete(new DeliveryResult(status, bodyText(response), durationMs, describeFailure.apply(failure)));
        } else {
            outcome.complete(DeliveryResult.failure(describeFailure.apply(failure), durationMs));
        }
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
