package dev.herald.routing;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Compiles transformation strings with mustache.java, restricted to what transformations need and can
 * safely run: {@code {{name}}} interpolation (also written {@code {{{name}}}} or {@code {{&name}}}) and comments.
 *
 * <ul>
 *   <li>No HTML escaping: output goes into URLs, headers and JSON strings, never into HTML.</li>
 *   <li>No partials: they would read templates from the classpath or the file system.</li>
 *   <li>No sections, inverted sections or blocks: nested loops over payload arrays could multiply the output
 *       beyond any budget before a single character is written, and interpolation is all the spec asks.</li>
 * </ul>
 */
final class TemplateCompiler {

    private static final RestrictedFactory FACTORY = new RestrictedFactory();

    private TemplateCompiler() {}

    /** @throws MustacheException explaining why the template does not compile */
    static Mustache compile(String template, String name) {
        return FACTORY.compile(new StringReader(template), name);
    }

    private static final class RestrictedFactory extends DefaultMustacheFactory {

        RestrictedFactory() {
            setObjectHandler(new JsonContextHandler());
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Reader getReader(String resourceName) {
            throw new MustacheException("partials are not supported");
        }

        @Override
        public Mustache compilePartial(String name) {
            throw new MustacheException("partials are not supported");
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            return new InterpolationOnlyVisitor(this);
        }
    }

    private static final class InterpolationOnlyVisitor extends DefaultMustacheVisitor {

        InterpolationOnlyVisitor(DefaultMustacheFactory factory) {
            super(factory);
        }

        @Override
        public void iterable(TemplateContext tc, String variable, Mustache mustache) {
            throw unsupported("{{#" + variable + "}}", "sections");
        }

        @Override
        public void notIterable(TemplateContext tc, String variable, Mustache mustache) {
            throw unsupported("{{^" + variable + "}}", "inverted sections");
        }

        @Override
        public void partial(TemplateContext tc, String variable, String indent) {
            throw unsupported("{{>" + variable + "}}", "partials");
        }

        @Override
        public void dynamicPartial(TemplateContext tc, String variable, String indent) {
            throw unsupported("{{>*" + variable + "}}", "partials");
        }

        @Override
        public void extend(TemplateContext tc, String variable, Mustache mustache) {
            throw unsupported("{{<" + variable + "}}", "parent templates");
        }

        @Override
        public void name(TemplateContext tc, String variable, Mustache mustache) {
            throw unsupported("{{$" + variable + "}}", "blocks");
        }

        @Override
        public void checkName(TemplateContext tc, String variable, Mustache mustache) {
            throw unsupported("{{?" + variable + "}}", "blocks");
        }

        @Override
        public void pragma(TemplateContext tc, String pragma, String args) {
            throw unsupported("{{%" + pragma + "}}", "pragmas");
        }

        private static MustacheException unsupported(String tag, String kind) {
            return new MustacheException(tag + ": " + kind + " are not supported, only {{name}} interpolation");
        }
    }
}
