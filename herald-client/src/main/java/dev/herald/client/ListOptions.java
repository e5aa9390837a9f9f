package dev.herald.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a list is fetched: the page size (Herald allows up to 250) and optional filters passed as query
 * parameters (e.g. {@code event_types}, {@code channel}, {@code status}, {@code order}).
 */
public record ListOptions(int pageSize, Map<String, String> filters) {
    public static final int DEFAULT_PAGE_SIZE = 50;

    public ListOptions {
        if (pageSize < 1 || pageSize > 250) throw new IllegalArgumentException("pageSize must be between 1 and 250");
        filters = Map.copyOf(filters);
    }

    public static ListOptions defaults() {
        return new ListOptions(DEFAULT_PAGE_SIZE, Map.of());
    }

    public ListOptions withPageSize(int pageSize) {
        return new ListOptions(pageSize, filters);
    }

    public ListOptions with(String parameter, String value) {
        var copy = new LinkedHashMap<>(filters);
        copy.put(parameter, value);
        return new ListOptions(pageSize, copy);
    }

    Map<String, String> query(String iterator) {
        var query = new LinkedHashMap<>(filters);
        query.put("limit", Integer.toString(pageSize));
        if (iterator != null) query.put("iterator", iterator);
        return query;
    }
}
