package dev.herald.client.model;

import java.util.List;

/** One page of a list, as Svix shapes it; {@code iterator} fetches the next page until {@code done}. */
public record ListResponse<T>(List<T> data, String iterator, String prevIterator, boolean done) {
    public ListResponse {
        // a page answered with "data": null (or none) reads as an empty page, not a NullPointerException later
        data = data == null ? List.of() : data;
    }
}
