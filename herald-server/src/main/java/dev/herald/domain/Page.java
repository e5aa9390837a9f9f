package dev.herald.domain;

import java.util.List;

/** One page of a keyset-paginated list, in Svix's shape. */
public record Page<T>(List<T> data, String iterator, String prevIterator, boolean done) {}
