package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Walks a Svix-style list by its iterator, checking each page's shape on the way. */
final class Pages {
    private Pages() {}

    /** Every value of {@code field} in list order, page by page ({@code query} is e.g. "&order=ascending"). */
    static List<String> walk(ApiClient api, String path, int limit, String query, String field) {
        var seen = new ArrayList<String>();
        String iterator = null;
        for (int pages = 0; pages < 100; pages++) {
            String url = path + "?limit=" + limit + query
                    + (iterator == null ? "" : "&iterator=" + URLEncoder.encode(iterator, StandardCharsets.UTF_8));
            var page = api.get(url);
            assertThat(page.status()).as("%s -> %s", url, page).isEqualTo(200);
            var data = page.body().path("data");
            assertThat(data.size()).isLessThanOrEqualTo(limit);
            data.forEach(item -> seen.add(item.path(field).asText()));
            if (page.body().path("done").asBoolean()) return seen;
            assertThat(data.size()).as("a page that is not done is full: %s", page).isEqualTo(limit);
            iterator = page.text("iterator");
            assertThat(iterator).isNotEmpty();
        }
        throw new AssertionError("list never reported done");
    }
}
