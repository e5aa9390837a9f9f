package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transformation's {@code body}: any JSON value whose strings may hold templates.
 *
 * <ul>
 *   <li>A string that is exactly one tag, {@code "{{payload.amount}}"}, becomes the value itself, keeping
 *       its JSON type: a number stays a number, an object stays an object. Missing becomes "".</li>
 *   <li>Any other string with tags is interpolated into a string; objects and arrays print as compact JSON.</li>
 *   <li>Everything else, object keys included, is copied as written.</li>
 * </ul>
 * Since the output is built as a JSON tree, quotes or newlines in values can never break the document.
 */
abstract sealed class BodyTemplate {

    /** {@code {{name}}}, {@code {{{name}}}} or {@code {{&name}}} alone, with optional spaces inside. */
    private static final Pattern SINGLE_TAG =
            Pattern.compile("\\{\\{(?:\\{\\s*([^\\s{}]+)\\s*}|&?\\s*([^\\s{}#^/>!=&$%<?*][^\\s{}]*)\\s*)}}");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    abstract JsonNode render(JsonNode context, RenderBudget budget);

    static BodyTemplate compile(JsonNode body, String field) {
        if (body.isObject()) {
            List<String> names = new ArrayList<>();
            List<BodyTemplate> values = new ArrayList<>();
            for (Map.Entry<String, JsonNode> entry : body.properties()) {
                names.add(entry.getKey());
                values.add(compile(entry.getValue(), field + "." + entry.getKey()));
            }
            return new ObjectTemplate(names.toArray(String[]::new), values.toArray(BodyTemplate[]::new));
        }
        if (body.isArray()) {
            BodyTemplate[] elements = new BodyTemplate[body.size()];
            for (int i = 0; i < elements.length; i++) {
                elements[i] = compile(body.get(i), field + "[" + i + "]");
            }
            return new ArrayTemplate(elements);
        }
        if (body.isTextual() && !TextTemplate.isPlainText(body.textValue())) {
            Matcher single = SINGLE_TAG.matcher(body.textValue());
            if (single.matches()) {
                String name = single.group(1) != null ? single.group(1) : single.group(2);
                return new ValueTemplate(new ContextPath(name));
            }
            return new StringTemplate(TextTemplate.compile(body.textValue(), field));
        }
        return new Constant(body);
    }

    private static final class Constant extends BodyTemplate {
        private final JsonNode value;

        Constant(JsonNode value) {
            this.value = value.deepCopy();
        }

        @Override
        JsonNode render(JsonNode context, RenderBudget budget) {
            return value;
        }
    }

    /** A single tag: the context value itself, so its type survives. */
    private static final class ValueTemplate extends BodyTemplate {
        private static final TextNode EMPTY = TextNode.valueOf("");
        private final ContextPath path;

        ValueTemplate(ContextPath path) {
            this.path = path;
        }

        @Override
        JsonNode render(JsonNode context, RenderBudget budget) {
            JsonNode value = path.resolve(context);
            if (value == null || value.isMissingNode()) {
                return EMPTY;
            }
            return value.isNull() ? NullNode.getInstance() : value;
        }
    }

    private static final class StringTemplate extends BodyTemplate {
        private final TextTemplate template;

        StringTemplate(TextTemplate template) {
            this.template = template;
        }

        @Override
        JsonNode render(JsonNode context, RenderBudget budget) {
            return TextNode.valueOf(template.render(context, budget));
        }
    }

    private static final class ObjectTemplate extends BodyTemplate {
        private final String[] names;
        private final BodyTemplate[] values;

        ObjectTemplate(String[] names, BodyTemplate[] values) {
            this.names = names;
            this.values = values;
        }

        @Override
        JsonNode render(JsonNode context, RenderBudget budget) {
            ObjectNode object = NODES.objectNode();
            for (int i = 0; i < names.length; i++) {
                object.set(names[i], values[i].render(context, budget));
            }
            return object;
        }
    }

    private static final class ArrayTemplate extends BodyTemplate {
        private final BodyTemplate[] elements;

        ArrayTemplate(BodyTemplate[] elements) {
            this.elements = elements;
        }

        @Override
        JsonNode render(JsonNode context, RenderBudget budget) {
            ArrayNode array = NODES.arrayNode(elements.length);
            for (BodyTemplate element : elements) {
                array.add(element.render(context, budget));
            }
            return array;
        }
    }
}
