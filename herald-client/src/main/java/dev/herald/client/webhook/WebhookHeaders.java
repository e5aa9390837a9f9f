package dev.herald.client.webhook;

import java.util.Collection;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The three signature headers, under Standard Webhooks' names ({@code webhook-*}) or Svix's ({@code svix-*}),
 * looked up case-insensitively whatever shape the receiving framework hands them over in.
 */
public final class WebhookHeaders {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";

    private final UnaryOperator<String> lookup;

    private WebhookHeaders(UnaryOperator<String> lookup) {
        this.lookup = lookup;
    }

    /** From a header getter such as a servlet's {@code request::getHeader} or Javalin's {@code ctx::header}. */
    public static WebhookHeaders from(UnaryOperator<String> getter) {
        return new WebhookHeaders(getter);
    }

    /** From a map of names to values (one value or a list), e.g. JDK {@code HttpHeaders.map()}. */
    public static WebhookHeaders from(Map<String, ?> headers) {
        return new WebhookHeaders(name -> {
            for (var entry : headers.entrySet()) {
                if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) return first(entry.getValue());
            }
            return null;
        });
    }

    private static String first(Object value) {
        if (value instanceof Collection<?> values) return values.isEmpty() ? null : String.valueOf(values.iterator().next());
        return value == null ? null : value.toString();
    }

    /** {@code webhook-<suffix>}, else {@code svix-<suffix>}; null when neither is there. */
    String get(String suffix) {
        String value = lookup.apply("webhook-" + suffix);
        if (value == null || value.isEmpty()) value = lookup.apply("svix-" + suffix);
        return value == null || value.isEmpty() ? null : value;
    }
}
