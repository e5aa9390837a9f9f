package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An endpoint's {@code transformation}: {@code {"method"?, "url"?, "headers"?, "body"?}}, rewriting the
 * request Herald sends for each message with {@code {{name}}} templates filled from a
 * {@link TransformationContext} ({@code eventType}, {@code payload.user.id}, {@code payload.items.0.id}, …).
 *
 * <p>{@code url} and header values are interpolated as plain text, with no escaping; {@code body} is a
 * JSON template (see {@link BodyTemplate}). Every template is compiled once by {@link #parse}; instances are
 * immutable and safe to share between threads. One render produces at most {@link #MAX_RENDERED_CHARS}
 * characters, so a template cannot multiply a large payload without bound.
 */
public final class TransformationRenderer {

    /** Room for the largest payload Herald accepts (1 MiB by default) several times over. */
    public static final int MAX_RENDERED_CHARS = 4 * 1024 * 1024;

    private static final Set<String> FIELDS = Set.of("method", "url", "headers", "body");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH");
    private static final String DEFAULT_METHOD = "POST";
    /** RFC 9110 token characters: what a header name may contain. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private final String method;
    private final TextTemplate url;
    private final Map<String, TextTemplate> headers;
    private final BodyTemplate body;

    private TransformationRenderer(String method, TextTemplate url, Map<String, TextTemplate> headers, BodyTemplate body) {
        this.method = method;
        this.url = url;
        this.headers = headers;
        this.body = body;
    }

    /**
     * @throws InvalidTransformationException naming the field: not an object, an unknown field, a method other
     *     than POST/PUT/PATCH, a url or header value that is not a string, an invalid header name, or a
     *     template that does not compile (sections, partials and unclosed tags are rejected)
     */
    public static TransformationRenderer parse(JsonNode transformation) {
        if (transformation == null || !transformation.isObject()) {
            throw invalid("transformation must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> entry : transformation.properties()) {
            String field = entry.getKey();
            if (!FIELDS.contains(field)) {
                throw invalid("unknown field '" + field + "' in transformation; expected method, url, headers or body");
            }
        }
        return new TransformationRenderer(
                method(transformation.get("method")),
                url(transformation.get("url")),
                headers(transformation.get("headers")),
                body(transformation.get("body")));
    }

    /** Renders the request for one message; {@code context} usually comes from {@link TransformationContext#of}. */
    public RenderedRequest render(JsonNode context) {
        RenderBudget budget = new RenderBudget(MAX_RENDERED_CHARS);
        String renderedUrl = url == null ? null : url.render(context, budget);
        Map<String, String> renderedHeaders = new LinkedHashMap<>();
        headers.forEach((name, value) -> renderedHeaders.put(name, headerSafe(value.render(context, budget))));
        byte[] renderedBody = body == null ? null : CappedJsonWriter.write(body.render(context, budget), budget.limit());
        return new RenderedRequest(method, renderedUrl, Collections.unmodifiableMap(renderedHeaders), renderedBody);
    }

    private static String method(JsonNode node) {
        if (isAbsent(node)) {
            return DEFAULT_METHOD;
        }
        if (!node.isTextual() || !METHODS.contains(node.textValue())) {
            throw invalid("method must be one of POST, PUT or PATCH");
        }
        return node.textValue();
    }

    private static TextTemplate url(JsonNode node) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("url must be a string");
        }
        return TextTemplate.compile(node.textValue(), "url");
    }

    private static Map<String, TextTemplate> headers(JsonNode node) {
        Map<String, TextTemplate> headers = new LinkedHashMap<>();
        if (isAbsent(node)) {
            return headers;
        }
        if (!node.isObject()) {
            throw invalid("headers must be an object of header names to strings");
        }
        for (Map.Entry<String, JsonNode> header : node.properties()) {
            String name = header.getKey();
            if (!HEADER_NAME.matcher(name).matches()) {
                throw invalid("headers: '" + name + "' is not a valid header name");
            }
            if (!header.getValue().isTextual()) {
                throw invalid("headers." + name + " must be a string");
            }
            headers.put(name, TextTemplate.compile(header.getValue().textValue(), "headers." + name));
        }
        return headers;
    }

    private static BodyTemplate body(JsonNode node) {
        return isAbsent(node) ? null : BodyTemplate.compile(node, "body");
    }

    private static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull();
    }

    /** Control characters would split or corrupt the header line; a payload value must not be able to do that. */
    private static String headerSafe(String value) {
        StringBuilder safe = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                if (safe == null) {
                    safe = new StringBuilder(value);
                }
                safe.setCharAt(i, ' ');
            }
        }
        return safe == null ? value : safe.toString();
    }

    private static InvalidTransformationException invalid(String message) {
        return new InvalidTransformationException(message);
    }
}
