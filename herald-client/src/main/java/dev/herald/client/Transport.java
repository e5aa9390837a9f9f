package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * One HTTP exchange with Herald, retried as {@link Retries} says. Every POST carries an {@code idempotency-key}
 * (the caller's, or a fresh one) that stays the same across retries, so a retried publish never doubles.
 */
final class Transport {
    private static final String USER_AGENT = "herald-client/0.1.0";
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

    private final String baseUrl;
    private final String token;
    private final HttpClient http;
    private final Retries retries;
    private final Duration requestTimeout;
    /** A whole answer's deadline: the request timeout and a second (a very long timeout saturates, not overflows). */
    private final Duration deadline;
    private final boolean ownsClient;

    Transport(String baseUrl, String token, HttpClient http, boolean ownsClient, Retries retries, Duration requestTimeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.http = http;
        this.retries = retries;
        this.requestTimeout = requestTimeout;
        this.deadline = requestTimeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : requestTimeout.plusSeconds(1);
        this.ownsClient = ownsClient;
    }

    /** A path with each value URL-encoded into its {@code {}} slot: ids and uids may hold any character. */
    static String path(String template, String... values) {
        var out = new StringBuilder();
        int from = 0;
        for (String value : values) {
            int slot = template.indexOf("{}", from);
            if (value == null || value.isEmpty()) throw new IllegalArgumentException("a path id is missing in " + template);
            // "." and ".." would be dot-segments, removed on the way with the segment before them (another resource)
            String encoded = value.equals(".") || value.equals("..") ? value.replace(".", "%2E")
                    : URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            out.append(template, from, slot).append(encoded);
            from = slot + 2;
        }
        return out.append(template.substring(from)).toString();
    }

    <T> T get(String path, Map<String, String> query, JavaType type) {
        return read(send("GET", path + queryString(query), null, null, true), type);
    }

    /**
     * A GET that changes something on the server (a consumer's read moves its place, a lease is taken): tried again
     * only when it never reached the server (the connection refused, 429). A retry after a lost answer would read the
     * page after the one lost, and its messages would be skipped.
     */
    <T> T getOnce(String path, Map<String, String> query, JavaType type) {
        return read(send("GET", path + queryString(query), null, null, false), type);
    }

    <T> T post(String path, Object body, String idempotencyKey, JavaType type) {
        String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        return read(send("POST", path, body, key, true), type);
    }

    <T> T put(String path, Object body, JavaType type) {
        return read(send("PUT", path, body, null, true), type);
    }

    void delete(String path) {
        send("DELETE", path, null, null, true);
    }

    /** A failed exchange in words: the JDK's refused connection is a ConnectException with no message at all. */
    private static String reason(IOException e) {
        if (e instanceof java.net.ConnectException && e.getMessage() == null) return "connection refused or unreachable";
        if (e instanceof java.net.http.HttpTimeoutException) return "no answer in time (" + e.getMessage() + ")";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private HttpResponse<String> send(String method, String path, Object body, String idempotencyKey, boolean repeatable) {
        String json = body == null ? null : HeraldJson.write(body);
        boolean answerLost = false; // an earlier try may have been carried out, its answer never read
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = exchange(request(method, path, json, idempotencyKey, attempt));
            } catch (IOException e) {
                if (!(e instanceof java.net.ConnectException)) answerLost = true;
                if (!repeatable && !(e instanceof java.net.ConnectException)) {
                    throw new HeraldConnectionException(method + " " + baseUrl + path + " failed and is not tried again (it"
                            + " may have been served, and a second one would read on from there): " + reason(e), e);
                }
                if (attempt >= retries.maxRetries()) {
                    throw new HeraldConnectionException(method + " " + baseUrl + path + " failed after " + (attempt + 1)
                            + (attempt == 0 ? " try: " : " tries: ") + reason(e), e);
                }
                pause(retries.delayBefore(attempt + 1, null));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HeraldConnectionException(method + " " + path + " interrupted", e);
            }
            int status = response.statusCode();
            if (status < 300) return response;
            // a DELETE tried again after its answer was lost finds what it deleted gone: done, not "not found" (after a
            // refused connection or a 429 alone, nothing was deleted: a 404 is one)
            if (status == 404 && "DELETE".equals(method) && answerLost) return response;
            if (Retries.retryableStatus(status) && (repeatable || status == 429) && attempt < retries.maxRetries()) {
                pause(retries.delayBefore(attempt + 1, retryAfter(response)));
                continue;
            }
            throw ErrorBodies.toException(status, response.body());
        }
    }

    /**
     * One exchange, the whole answer within the request timeout. The request's own timeout ends at the answer's head on
     * JDK 21 to 25 (JDK-8208693): an answer whose body stalled (a proxy, a half-open connection) held the call, and a
     * relay's or an app's shutdown behind it, for ever.
     */
    private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException(); // as send did: an interrupted thread sends nothing
        var answer = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            // past the request's own timeout (which ends a slow head first): the answer completes on a pool thread,
            // and a busy pool must not turn an answer that came in time into a timeout
            return answer.get(deadline.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            throw new java.net.http.HttpTimeoutException("no whole answer within " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException runtime) throw runtime;
            if (cause instanceof Error error) throw error;
            throw new IOException(cause);
        }
    }

    private HttpRequest request(String method, String path, String json, String idempotencyKey, int attempt) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("accept", "application/json")
                .header("user-agent", USER_AGENT);
        if (token != null) builder.header("authorization", "Bearer " + token);
        if (idempotencyKey != null) builder.header("idempotency-key", idempotencyKey);
        if (attempt > 0) builder.header("svix-retry-count", Integer.toString(attempt));
        if (json != null) {
            builder.header("content-type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        } else {
            builder.method(method, "POST".equals(method)
                    ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static <T> T read(HttpResponse<String> response, JavaType type) {
        if (type == null || response.statusCode() == 204 || response.body() == null || response.body().isEmpty()) return null;
        try {
            return HeraldJson.mapper().readValue(response.body(), type);
        } catch (IOException e) {
            throw new HeraldException("Herald's response could not be read as " + type.getRawClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) return "";
        var joiner = new StringJoiner("&", "?", "");
        query.forEach((name, value) -> {
            if (value != null) joiner.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return joiner.length() == 1 ? "" : joiner.toString();
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("retry-after").map(value -> retryAfter(value, Instant.now())).orElse(null);
    }

    /** Retry-After as seconds or as an HTTP date (RFC 9110), or null when it is neither; never longer than a day. */
    static Duration retryAfter(String value, Instant now) {
        String text = value.trim();
        Duration wait;
        try {
            long seconds = Long.parseLong(text);
            if (seconds < 0) return null;
            wait = Duration.ofSeconds(Math.min(seconds, LONGEST_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException neither) {
                return null;
            }
        }
        if (wait.isNegative()) return Duration.ZERO;
        return wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait;
    }

    /** Ends the HTTP client when it is the one this transport was built with (a caller's own is the caller's to end). */
    void close() {
        if (ownsClient) http.close();
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeraldConnectionException("interrupted while waiting to retry", e);
        }
    }
}
