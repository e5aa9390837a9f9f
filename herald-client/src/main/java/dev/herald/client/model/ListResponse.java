package dev.herald.client.model;

import java.util.List;

/** One page of a list, as Svix shapes it; {@code iterator} fetches the next page until {@code done}. */
public record ListResponse<T>(List<T> data, String iterator, String prevIterator, boolean done) {}
