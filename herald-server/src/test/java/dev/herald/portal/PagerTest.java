package dev.herald.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The older/newer links of a list newest first, where a page reached backwards says done when no newer one is left. */
class PagerTest {

    private static Map<String, Object> links(PageRequest request, Page<String> page) {
        var params = new HashMap<String, Object>();
        Pages.pager(params, request, page, "/list", "");
        return params;
    }

    @Test
    void the_first_page_has_only_older() {
        var params = links(new PageRequest(2, null, true), new Page<>(List.of("c", "b"), "b", "-c", false));
        assertThat(params.get("older")).isEqualTo("/list?iterator=b");
        assertThat(params.get("newer")).isNull();
    }

    @Test
    void back_at_the_newest_page_older_stays_and_newer_goes() {
        var params = links(new PageRequest(2, "-a", true), new Page<>(List.of("c", "b"), "b", "-c", true));
        assertThat(params.get("older")).as("the pages it came back from").isEqualTo("/list?iterator=b");
        assertThat(params.get("newer")).as("none newer left").isNull();
    }

    @Test
    void back_in_the_middle_both_stay() {
        var params = links(new PageRequest(2, "-a", true), new Page<>(List.of("c", "b"), "b", "-c", false));
        assertThat(params.get("older")).isEqualTo("/list?iterator=b");
        assertThat(params.get("newer")).isEqualTo("/list?iterator=-c");
    }

    @Test
    void the_last_page_forward_has_no_older() {
        var params = links(new PageRequest(2, "b", true), new Page<>(List.of("a"), "a", "-a", true));
        assertThat(params.get("older")).isNull();
        assertThat(params.get("newer")).isEqualTo("/list?iterator=-a");
    }
}
