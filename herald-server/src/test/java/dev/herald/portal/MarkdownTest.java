package dev.herald.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A connector's instructions rendered for the portal: only absolute http(s) and mailto addresses survive. */
class MarkdownTest {
    @Test
    void http_https_and_mailto_links_are_kept_and_open_apart() {
        String html = Markdown.toHtml("[a](https://example.com/x) [b](http://example.com/) [c](mailto:ops@example.com)");
        assertThat(html).contains("href=\"https://example.com/x\"").contains("href=\"http://example.com/\"")
                .contains("href=\"mailto:ops@example.com\"").contains("rel=\"noopener noreferrer nofollow\"");
    }

    @Test
    void data_javascript_and_relative_addresses_are_emptied() {
        for (String url : new String[] {"data:text/html;base64,PHNjcmlwdD4=", "javascript:alert(1)", "/portal/app_1/endpoints",
                "../x", "//evil.example/x", "JaVaScRiPt:alert(1)", "vbscript:x"}) {
            String html = Markdown.toHtml("[x](" + url + ") ![i](" + url + ")");
            assertThat(html).as(url).contains("href=\"\"").contains("src=\"\"").doesNotContain(url.substring(0, 4));
        }
    }

    @Test
    void html_in_the_instructions_is_escaped() {
        assertThat(Markdown.toHtml("<script>alert(1)</script>")).contains("&lt;script&gt;").doesNotContain("<script>");
    }
}
