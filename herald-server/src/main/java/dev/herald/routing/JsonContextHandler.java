package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.mustachejava.Binding;
import com.github.mustachejava.Code;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.reflect.AbstractObjectHandler;
import com.github.mustachejava.util.Wrapper;
import java.util.List;

/**
 * Lets mustache look names up in a Jackson context node, and only there: a dotted name walks object
 * fields and array indexes, never Java methods or fields, so a template cannot reach {@code payload.class}.
 *
 * <p>Values print as their text; objects and arrays as compact JSON; null and missing values as nothing.
 */
final class JsonContextHandler extends AbstractObjectHandler {

    @Override
    public Binding createBinding(String name, TemplateContext tc, Code code) {
        if (name == null) {
            // plain text and the template's root carry no name and are never looked up
            return scopes -> null;
        }
        ContextPath path = new ContextPath(name);
        return scopes -> lookup(path, scopes);
    }

    @Override
    public Wrapper find(String name, List<Object> scopes) {
        ContextPath path = new ContextPath(name);
        return callScopes -> lookup(path, callScopes);
    }

    @Override
    public String stringify(Object object) {
        if (object instanceof JsonNode node) {
            return node.isValueNode() ? node.asText() : node.toString();
        }
        return String.valueOf(object);
    }

    /** The innermost scope is the context node; null (nothing is written) for missing values and JSON null. */
    private static Object lookup(ContextPath path, List<Object> scopes) {
        if (scopes.isEmpty() || !(scopes.get(scopes.size() - 1) instanceof JsonNode context)) {
            return null;
        }
        JsonNode value = path.resolve(context);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }
}
