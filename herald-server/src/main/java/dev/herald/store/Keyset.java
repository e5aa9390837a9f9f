package dev.herald.store;

import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.statement.Query;

/**
 * Keyset pagination: the SQL takes {@code <cmp>} and {@code <dir>} (defined from the request, never from
 * user text) and {@code :cursor}/{@code :limit}; rows come back one more than asked to tell "done".
 */
final class Keyset {
    private Keyset() {}

    static Query apply(Query query, PageRequest page) {
        boolean desc = page.readDescending();
        return query.define("cmp", desc ? "<" : ">")
                .define("dir", desc ? "desc" : "asc")
                .bind("cursor", page.cursorId())
                .bind("limit", page.limit() + 1);
    }

    static <T> Page<T> page(List<T> rows, PageRequest page, Function<T, String> key) {
        boolean more = rows.size() > page.limit();
        List<T> data = new ArrayList<>(more ? rows.subList(0, page.limit()) : rows);
        if (page.backwards()) Collections.reverse(data);
        // an empty page has no iterator, as svix-server answers: echoing the one asked with kept a client that walks
        // until the iterator is null asking for the same empty page for ever
        if (data.isEmpty()) return new Page<>(data, null, null, true);
        String first = key.apply(data.get(0));
        String last = key.apply(data.get(data.size() - 1));
        // as svix-server: in either direction, whether the walk that way has ended (paging backwards: no earlier page).
        // Always false backwards, a client walking back until done asked for ever at the first page
        boolean done = !more;
        return new Page<>(data, last, "-" + first, done);
    }
}
