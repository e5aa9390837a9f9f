package dev.herald.portal;

import org.commonmark.node.Link;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * A connector's instructions (Markdown, as Svix writes them) as HTML that is safe in a page: any HTML in them is
 * escaped, link and image addresses pass commonmark's URL sanitizer (http, https, mailto), links open apart and do not
 * tell the other site where they came from, and a single line break stays one (plain-text instructions read as typed).
 */
public final class Markdown {
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
            .escapeHtml(true)
            .sanitizeUrls(true)
            .softbreak("<br>\n")
            .attributeProviderFactory(context -> (node, tag, attributes) -> {
                if (node instanceof Link) {
                    attributes.put("rel", "noopener noreferrer nofollow");
                    attributes.put("target", "_blank");
                }
            })
            .build();

    private Markdown() {}

    public static String toHtml(String markdown) {
        return RENDERER.render(PARSER.parse(markdown));
    }
}
