package dev.herald.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for API tests: sends JSON, returns status, headers and the parsed body. */
public final class ApiClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public ApiClient withToken(String otherToken) {
        return new ApiClient(baseUrl, otherToken);
    }

    public record Response(int status, JsonNode body, String raw, java.net.http.HttpHeaders headers) {
        public String text(String field) {
            return body.path(field).asText();
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response put(String path, String json) {
        return send("PUT", path, json);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json);
    }

    public Response send(String method, String path, String json) {
        return send(method, path, json, new String[0]);
    }

    public Response send(String method, String path, String json, String... headers) {
        return sendBytes(method, path, json == null ? null : json.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    /** Sends raw bytes as the body (for invalid UTF-8 and other byte-level abuse). */
    public Response sendBytes(String method, String path, byte[] body, String... headers) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        for (int i = 0; i + 1 < headers.length; i += 2) builder.header(headers[i], headers[i + 1]);
        builder.header("Content-Type", "application/json");
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            var response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed = MissingNode.getInstance();
            if (!response.body().isEmpty()) {
                try {
                    parsed = MAPPER.readTree(response.body());
                } catch (IOException e) {
                    parsed = MissingNode.getInstance();
                }
            }
            return new Response(response.statusCode(), parsed, response.body(), response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a request line as given, over a plain socket: for targets {@link URI} refuses (a broken percent-escape), which
     * the JDK's client cannot send. One request, no body, the connection closed after the answer.
     */
    public Response raw(String method, String target) {
        URI base = URI.create(baseUrl);
        try (var socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
            String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            if (head.contains("transfer-encoding: chunked")) body = unchunked(body);
            JsonNode parsed = MissingNode.getInstance();
            if (!body.isEmpty()) parsed = MAPPER.readTree(body);
            return new Response(status, parsed, body, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unchunked(String chunked) {
        var out = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) return out.toString();
            out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /** Builds JSON from alternating keys and values; values are written as JSON (strings quoted). */
    public static String json(Object... keysAndValues) {
        var node = MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], MAPPER.valueToTree(keysAndValues[i + 1]));
        }
        return node.toString();
    }
}
