package dev.herald.client;

import dev.herald.client.model.ListResponse;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Every item of a list, fetched a page at a time as iteration reaches it. Iterating again starts over
 * with a fresh request; nothing is fetched until the first item is asked for.
 */
public final class Paged<T> implements Iterable<T> {
    private final Function<String, ListResponse<T>> fetchPage;

    Paged(Function<String, ListResponse<T>> fetchPage) {
        this.fetchPage = fetchPage;
    }

    /** Just the first page, for callers that keep their own cursor. */
    public ListResponse<T> firstPage() {
        return fetchPage.apply(null);
    }

    public Stream<T> stream() {
        return StreamSupport.stream(spliterator(), false);
    }

    public List<T> toList() {
        return stream().toList();
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private ListResponse<T> page;
            private int index;

            @Override
            public boolean hasNext() {
                while (page == null || index >= page.data().size()) {
                    if (page != null && (page.done() || page.iterator() == null)) return false;
                    page = fetchPage.apply(page == null ? null : page.iterator());
                    index = 0;
                    // an empty page ends the list even if done is false: asking again would loop forever
                    if (page.data().isEmpty()) return false;
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException();
                return page.data().get(index++);
            }
        };
    }
}
