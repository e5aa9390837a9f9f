package dev.herald.api;

import java.util.List;

/** 422 with Svix's body: {@code {"detail": [{"loc": [...], "msg": ..., "type": ...}]}}. */
public final class ValidationException extends RuntimeException {
    public record Item(List<String> loc, String msg, String type) {}

    private final List<Item> items;

    public ValidationException(List<Item> items) {
        super(items.isEmpty() ? "invalid" : items.get(0).msg());
        this.items = List.copyOf(items);
    }

    public static ValidationException of(String field, String msg, String type) {
        return new ValidationException(List.of(new Item(List.of("body", field), msg, type)));
    }

    public static ValidationException query(String param, String msg) {
        return new ValidationException(List.of(new Item(List.of("query", param), msg, "value_error")));
    }

    /** A bad request header, located as Svix locates it: {@code ["header", name]}. */
    public static ValidationException header(String name, String msg) {
        return new ValidationException(List.of(new Item(List.of("header", name), msg, "value_error")));
    }

    public List<Item> items() {
        return items;
    }
}
