package dev.herald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.herald.domain.ConflictException;
import dev.herald.domain.NotFoundException;
import dev.herald.store.SqlErrors;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place exceptions become Svix-shaped error bodies. No stack trace ever reaches a client. */
public final class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
    /** While the database is out of reach every request fails at once: a line each would flood the log. */
    private static final dev.herald.logging.LogThrottle UNAVAILABLE_LOG = new dev.herald.logging.LogThrottle(java.time.Duration.ofSeconds(10));
    private static final dev.herald.logging.LogThrottle REFUSED_VALUE_LOG = new dev.herald.logging.LogThrottle(java.time.Duration.ofSeconds(10));

    private ApiErrors() {}

    public static void register(JavalinConfig config) {
        config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
        config.routes.exception(ValidationException.class, (e, ctx) ->
                ctx.status(422).json(Map.of("detail", e.items())));
        config.routes.exception(NotFoundException.class, (e, ctx) -> error(ctx, 404, "not_found", e.getMessage()));
        config.routes.exception(ConflictException.class, (e, ctx) -> error(ctx, 409, e.code(), e.getMessage()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            int status = e.getStatus();
            // Javalin's 404 says "Endpoint GET /x not found": in a webhook service, an endpoint is something else
            String detail = switch (status) {
                case 413 -> "Request body is too large";
                case 404 -> "No such route: " + ctx.method() + " " + ctx.path();
                default -> e.getMessage();
            };
            error(ctx, status, codeFor(status), detail);
        });
        config.routes.exception(dev.herald.security.SecretBox.MissingKeyException.class, (e, ctx) -> {
            // a rolling key rotation: a node started with the new key can read it, so a retry elsewhere can succeed
            unavailable(ctx, "This node lacks the encryption key the secret is sealed with (" + e.getMessage()
                    + "); a node started with that key can read it");
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            if (SqlErrors.isUnavailable(e)) {
                long leftOut = UNAVAILABLE_LOG.admit();
                if (leftOut >= 0) {
                    log.warn("database unavailable while serving {} {}: {}{}", ctx.method(), ctx.path(), e.getMessage(),
                            leftOut == 0 ? "" : " (and " + leftOut + " more requests since the last such line)");
                }
                unavailable(ctx, "The database is unavailable; retry shortly");
                return;
            }
            if (SqlErrors.isForeignKeyViolation(e)) {
                // the application, endpoint or poller the request names was deleted while it ran
                error(ctx, 404, "not_found", "What this request refers to was deleted meanwhile");
                return;
            }
            if (isDataException(e)) {
                // a value PostgreSQL refuses (class 22) came from the request: a client error, never a 500
                // a client's mistake, answered 400: a line per 10 s at most, however fast a client repeats it
                long leftOut = REFUSED_VALUE_LOG.admit();
                if (leftOut >= 0) {
                    log.warn("database refused a value while serving {} {}: {}{}", ctx.method(), ctx.path(), rootCause(e).getMessage(),
                            dev.herald.logging.LogThrottle.leftOutNote(leftOut));
                }
                error(ctx, 400, "bad_request", "The request holds a value that cannot be stored");
                return;
            }
            if (rootCause(e) instanceof JsonProcessingException json) {
                validationOfJson(ctx, json);
                return;
            }
            log.error("unexpected error serving {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal_error", "Internal error");
        });
        config.routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) error(ctx, 404, "not_found", "Route not found");
        });
        config.routes.error(405, ctx -> error(ctx, 405, "method_not_allowed", "Method not allowed"));
        // requests Jetty refuses before routing (undecodable path, bad URI) get the same JSON shape, not HTML
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
    }

    /** Svix's error body, its fields always in Svix's order (a Map.of's order changes from one JVM run to the next). */
    public record ErrorOut(String code, String detail) {}

    static String codeFor(int status) {
        return switch (status) {
            case 401 -> "authentication_failed";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            default -> status < 500 ? "bad_request" : "internal_error";
        };
    }

    private static final class JsonErrorHandler extends ErrorHandler {
        /** Jetty writes an error body for GET, POST and HEAD only; a PUT, PATCH or DELETE refused gets one too. */
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int status, String message,
                                        Throwable cause, Callback callback) throws IOException {
            // Jetty's own 4xx reasons are safe to show; a 5xx message could describe internals
            boolean generic = status >= 500 || message == null || message.isBlank();
            String detail = generic ? HttpStatus.getMessage(status) : message;
            byte[] body = Json.MAPPER.writeValueAsBytes(new ErrorOut(codeFor(status), detail));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            // a request refused before routing may leave the connection unreadable (Jetty closes it after a bad
            // request line): say so, or an HTTP/1.1 client sends its next request on a connection already closing
            if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    static void validationOfJson(Context ctx, JsonProcessingException e) {
        ctx.status(422).json(Map.of("detail", List.of(
                new ValidationException.Item(List.of("body"), "Invalid JSON: " + Json.problemOf(e), "value_error.jsondecode"))));
    }

    /** 503 with Retry-After: the database cannot serve now; the same request may pass shortly. */
    static void unavailable(Context ctx, String detail) {
        ctx.header("Retry-After", "5");
        error(ctx, 503, "service_unavailable", detail);
    }

    static void error(Context ctx, int status, String code, String detail) {
        // a 401 must name the scheme (RFC 9110 §15.5.2): Jetty's HttpClient refuses one without it as a protocol violation
        if (status == 401) ctx.header("WWW-Authenticate", "Bearer");
        readUnreadBody(ctx);
        ctx.status(status).json(new ErrorOut(code, detail == null ? "" : detail));
    }

    /** The most of a refused request's body read before answering; a larger one is cut off (see {@link #readUnreadBody}). */
    static final long UNREAD_BODY_READ_AT_MOST = 16L * 1024 * 1024;

    /**
     * Reads and drops what is left of the request's body before an error answer. Answered with the body still coming (a
     * bad token, a body declared too large), HTTP/2 ends the stream under the upload, and clients such as Jetty's then
     * report "cancel_stream_error" instead of the answer; read first, the stream ends normally. Bounded: a body declared
     * larger than {@link #UNREAD_BODY_READ_AT_MOST} is not read, and no more than that is read of one of unknown length.
     */
    private static void readUnreadBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared == 0 || declared > UNREAD_BODY_READ_AT_MOST) return;
        try {
            var in = ctx.req().getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long left = UNREAD_BODY_READ_AT_MOST;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) left -= n;
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the body was taken as a reader: the answer goes out as it is
        }
    }

    private static boolean isDataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("22")) return true;
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
