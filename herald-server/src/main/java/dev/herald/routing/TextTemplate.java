package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.Writer;

/** One transformation string ({@code url}, a header value, a string in the body), compiled once. */
final class TextTemplate {

    private final Mustache mustache;
    private final String source;

    private TextTemplate(Mustache mustache, String source) {
        this.mustache = mustache;
        this.source = source;
    }

    /** @throws InvalidTransformationException naming {@code field} when the template does not compile */
    static TextTemplate compile(String source, String field) {
        try {
            return new TextTemplate(TemplateCompiler.compile(source, field), source);
        } catch (MustacheException e) {
            throw new InvalidTransformationException(field + " is not a valid template: " + rootMessage(e));
        }
    }

    /** True when the string has no tag at all, so it can be used as it is. */
    static boolean isPlainText(String source) {
        return !source.contains("{{");
    }

    String render(JsonNode context, RenderBudget budget) {
        BudgetedWriter writer = new BudgetedWriter(budget);
        try {
            mustache.execute(writer, context);
        } catch (MustacheException e) {
            // mustache wraps whatever a value or the writer throws; the budget's verdict is what matters
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof TransformationRenderException limit) {
                    throw limit;
                }
            }
            throw new TransformationRenderException("cannot render template " + source + ": " + rootMessage(e));
        }
        return writer.text();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** Collects the output, charging every character to the render's budget as it is written. */
    private static final class BudgetedWriter extends Writer {
        private final StringBuilder text = new StringBuilder();
        private final RenderBudget budget;

        BudgetedWriter(RenderBudget budget) {
            this.budget = budget;
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            budget.spend(length);
            text.append(chars, offset, length);
        }

        @Override
        public void write(String string, int offset, int length) {
            budget.spend(length);
            text.append(string, offset, offset + length);
        }

        String text() {
            return text.toString();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
