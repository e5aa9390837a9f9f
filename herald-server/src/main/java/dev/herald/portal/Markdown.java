package dev.herald.portal;

import org.commonmark.node.Link;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.DefaultUrlSanitizer;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.UrlSanitizer;

/**
 * A connector's instructions (Markdown, as Svix writes them) as HTML that is safe in a page: any HTML in them is
 * escaped, link and image addresses must be absolute http, https (or, for links, mailto) ones, links open apart and do not
 * tell the other site where they came from, and a single line break stays one (plain-text instructions read as typed).
 */
public final class Markdown {
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
            .escapeHtml(true)
            .sanitizeUrls(true)
            .urlSanitizer(new AbsoluteUrls())
            .softbreak("<br>\n")
            .attributeProviderFactory(context -> (node, tag, attributes) -> {
                if (node instanceof Link) {
                    attributes.put("rel", "noopener noreferrer nofollow");
                    attributes.put("target", "_blank");
                }
            })
            .build();

    private Markdown() {}

    /**
     * commonmark's own sanitizer also passes {@code data:} addresses and relative ones ({@code /portal/…}, which would
     * act as this origin's own pages): an address that does not start with an allowed scheme becomes empty.
     */
    private static final class AbsoluteUrls implements UrlSanitizer {
        private final UrlSanitizer cleaned = new DefaultUrlSanitizer(java.util.List.of("http", "https", "mailto"));

        @Override
        public String sanitizeLinkUrl(String url) {
            return absolute(cleaned.sanitizeLinkUrl(url), "http://", "https://", "mailto:");
        }

        @Override
        public String sanitizeImageUrl(String url) {
            return absolute(cleaned.sanitizeImageUrl(url), "http://", "https://");
        }

        private static String absolute(String url, String... schemes) {
            String lower = url.strip().toLowerCase(java.util.Locale.ROOT);
            for (String scheme : schemes) {
                if (lower.startsWith(scheme)) return url;
            }
            return "";
        }
    }

    public static String toHtml(String markdown) {
        return RENDERER.render(PARSER.parse(markdown));
    }
}
