package dev.herald.domain;

/**
 * Keyset pagination by id. {@code cursor} is the last id seen; a cursor starting with "-" pages backwards
 * (Svix's prevIterator).
 */
public record PageRequest(int limit, String cursor, boolean descending) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 250;

    public boolean backwards() {
        return cursor != null && cursor.startsWith("-");
    }

    public String cursorId() {
        if (cursor == null) return null;
        return backwards() ? cursor.substring(1) : cursor;
    }

    /** The order rows are read in: flipped when paging backwards, then reversed for the caller. */
    public boolean readDescending() {
        return descending != backwards();
    }
}
