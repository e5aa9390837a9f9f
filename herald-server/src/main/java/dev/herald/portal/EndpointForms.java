package dev.herald.portal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.Body;
import dev.herald.api.Json;
import dev.herald.portal.PortalViews.EndpointForm;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The portal's endpoint form (add, edit, connect a service): what it sent, as the API's JSON, and the form again
 * with the API's objections beside the fields they name.
 */
final class EndpointForms {
    private final Pages pages;

    EndpointForms(Pages pages) {
        this.pages = pages;
    }

    /** What the endpoint form sent. */
    record Fields(String url, String description, Set<String> types, String rateLimit, String channels) {
        static Fields read(Context ctx) {
            return new Fields(Pages.form(ctx, "url"), Pages.form(ctx, "description"),
                    new LinkedHashSet<>(ctx.formParams("filterTypes")), Pages.form(ctx, "rateLimit").trim(),
                    Pages.form(ctx, "channels"));
        }

        /** As the API's JSON; {@code whole}: every field, so that an emptied one is emptied. */
        ObjectNode json(boolean whole) {
            ObjectNode in = Json.MAPPER.createObjectNode();
            in.put("url", url);
            if (whole || !description.isEmpty()) in.put("description", description);
            // none ticked: every type, which the API says as null (it refuses an empty list)
            if (!types.isEmpty()) types.forEach(in.putArray("filterTypes")::add);
            else if (whole) in.putNull("filterTypes");
            // digits go as a number; anything else as typed, for the API to refuse beside the field
            if (rateLimit.matches("[0-9]{1,18}")) in.put("rateLimit", Long.parseLong(rateLimit));
            else if (!rateLimit.isEmpty()) in.put("rateLimit", rateLimit);
            else if (whole) in.putNull("rateLimit");
            var names = Pages.commaList(channels);
            if (!names.isEmpty()) names.forEach(in.putArray("channels")::add);
            else if (whole) in.putNull("channels");
            return in;
        }

        Body body(boolean whole) {
            return asBody(json(whole));
        }
    }

    static Body asBody(ObjectNode json) {
        return Body.of(json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The catalog's types to tick, and those already ticked that it leaves out (flagged or archived since): an edit
     * that did not show them would drop them, and an endpoint left with none takes every type.
     */
    static List<String> choices(List<String> catalog, Set<String> ticked) {
        var choices = new ArrayList<>(catalog);
        ticked.stream().filter(t -> !choices.contains(t)).sorted().forEach(choices::add);
        return choices;
    }

    /** Runs a form's change; the API's objections come back in the form ({@code id}, posting to {@code action}). */
    void submit(Context ctx, Fields form, String id, String action, String label, List<String> catalog, Pages.Work change) {
        submit(ctx, form, id, action, label, catalog, "every type", change);
    }

    /** As above; {@code noneTicked}: what the form says an endpoint with no type ticked takes. */
    void submit(Context ctx, Fields form, String id, String action, String label, List<String> catalog, String noneTicked,
                Pages.Work change) {
        Pages.submit(change, (status, errors) -> formAgain(ctx, status, form, id, action, label, catalog, noneTicked, errors));
    }

    private void formAgain(Context ctx, int status, Fields fields, String id, String action, String label,
                           List<String> catalog, String noneTicked, Map<String, String> errors) {
        pages.render(ctx, status, "endpointForm", Map.of("id", id, "action", action, "submit", label, "noneTicked", noneTicked,
                "form", new EndpointForm(fields.url(), fields.description(), fields.types(), fields.rateLimit(),
                        fields.channels(), choices(catalog, fields.types()), errors)));
    }
}
