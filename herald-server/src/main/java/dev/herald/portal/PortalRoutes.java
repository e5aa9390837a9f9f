package dev.herald.portal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.ApiException;
import dev.herald.api.AppResolver;
import dev.herald.api.AttemptRoutes;
import dev.herald.api.Auth;
import dev.herald.api.BackgroundTaskRoutes;
import dev.herald.api.Body;
import dev.herald.api.EndpointRoutes;
import dev.herald.api.Json;
import dev.herald.api.Lists;
import dev.herald.api.MessageRoutes;
import dev.herald.api.PollerRoutes;
import dev.herald.api.PortalAccessRoutes;
import dev.herald.api.ValidationException;
import dev.herald.domain.Application;
import dev.herald.domain.BackgroundTask;
import dev.herald.domain.Capability;
import dev.herald.domain.EventType;
import dev.herald.domain.Ids;
import dev.herald.domain.PageRequest;
import dev.herald.portal.PortalViews.Delivery;
import dev.herald.portal.PortalViews.EndpointForm;
import dev.herald.portal.PortalViews.Shell;
import dev.herald.store.AttemptStore;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import dev.herald.store.MessageStore;
import dev.herald.store.PollerStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The app portal, where an application's owner (a customer) manages its endpoints, reads its messages and their
 * attempts, and resends or recovers what failed: the page an app-portal-access link ({@code /portal/{app_id}#token=…})
 * opens. Server-rendered (jte), with htmx for the buttons and forms. Every read and change goes through the same
 * stores and the same route methods as the API, so a form is checked exactly as a POST to the API is.
 */
public final class PortalRoutes {
    private static final String BASE = "/portal/{app_id}";
    static final String PORTAL_PATH = "X-Portal-Path";
    private static final int ATTEMPTS_SHOWN = 50;

    /** A portal page's work once its session is known. */
    @FunctionalInterface
    private interface PageHandler {
        void handle(Context ctx, Application app);
    }

    private final PortalSession session;
    private final PortalAssets assets = new PortalAssets();
    private final Pages pages;
    private final EndpointRoutes endpointRoutes;
    private final MessageRoutes messageRoutes;
    private final AttemptRoutes attemptRoutes;
    private final PortalAccessRoutes access;
    private final BackgroundTaskRoutes tasks;
    private final EndpointStore endpoints;
    private final MessageStore messages;
    private final AttemptStore attempts;
    private final EventTypeStore eventTypes;
    private final PollingPages polling;
    private final AutoConfigPages autoConfig;
    private final TransformationPages transformation;
    private final EndpointForms forms;
    /** How long an endpoint may fail before Herald disables it (HERALD_DISABLE_AFTER), to tell its owner. */
    private final java.time.Duration disableAfter;
    private final ConnectorPages connectors;

    public PortalRoutes(Auth auth, AppResolver apps, EndpointRoutes endpointRoutes, MessageRoutes messageRoutes,
                        AttemptRoutes attemptRoutes, PortalAccessRoutes access, BackgroundTaskRoutes tasks,
                        EndpointStore endpoints, MessageStore messages, AttemptStore attempts, EventTypeStore eventTypes,
                        PollerRoutes pollerRoutes, PollerStore pollers, dev.herald.api.AutoConfigRoutes autoConfigRoutes,
                        dev.herald.api.TransformationRoutes transformationRoutes, dev.herald.store.ConnectorStore connectorStore,
                        Clock clock, java.time.Duration disableAfter, List<String> frameAncestors) {
        this.session = new PortalSession(auth, apps, clock, !frameAncestors.isEmpty());
        this.pages = new Pages("Ask the service that sent you here for a new link to its webhook portal.", frameAncestors);
        this.endpointRoutes = endpointRoutes;
        this.messageRoutes = messageRoutes;
        this.attemptRoutes = attemptRoutes;
        this.access = access;
        this.tasks = tasks;
        this.endpoints = endpoints;
        this.messages = messages;
        this.attempts = attempts;
        this.eventTypes = eventTypes;
        this.polling = new PollingPages(pages, pollerRoutes, pollers, clock, access);
        this.autoConfig = new AutoConfigPages(pages, autoConfigRoutes);
        this.transformation = new TransformationPages(pages, endpointRoutes, transformationRoutes, eventTypes);
        this.forms = new EndpointForms(pages);
        this.disableAfter = disableAfter;
        this.connectors = new ConnectorPages(pages, forms, endpointRoutes, connectorStore);
    }

    public void register(RoutesConfig routes) {
        routes.get(PortalAssets.PATH + "{name}", assets::serve);
        routes.get(BASE, ctx -> {
            pages.headers(ctx);
            pages.render(ctx, 200, "signin", Map.of());
        });
        // the portal's own path (a link may name the application by uid): where the cookie is sent, so where to go
        routes.post(BASE + "/session", ctx -> page(ctx, false, (c, app) -> c.header(PORTAL_PATH, "/portal/" + app.id()).status(204)));
        routes.post(BASE + "/logout", ctx -> page(ctx, true, this::signOut));
        routes.get(BASE + "/endpoints", ctx -> page(ctx, true, this::endpointList));
        routes.post(BASE + "/endpoints", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, this::createEndpoint));
        routes.get(BASE + "/endpoints/{endpoint_id}", ctx -> page(ctx, true, this::endpoint));
        routes.post(BASE + "/endpoints/{endpoint_id}", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, this::editEndpoint));
        routes.get(BASE + "/endpoints/{endpoint_id}/secret", ctx -> change(ctx, Capability.VIEW_ENDPOINT_SECRET, this::secret));
        routes.post(BASE + "/endpoints/{endpoint_id}/secret/rotate",
                ctx -> change(ctx, Capability.MANAGE_ENDPOINT_SECRET, this::rotateSecret));
        routes.post(BASE + "/endpoints/{endpoint_id}/example", ctx -> change(ctx, Capability.CREATE_ATTEMPTS, this::sendExample));
        routes.post(BASE + "/endpoints/{endpoint_id}/enable",
                ctx -> change(ctx, Capability.MANAGE_ENDPOINT, (c, app) -> setDisabled(c, app, false)));
        routes.post(BASE + "/endpoints/{endpoint_id}/disable",
                ctx -> change(ctx, Capability.MANAGE_ENDPOINT, (c, app) -> setDisabled(c, app, true)));
        routes.post(BASE + "/endpoints/{endpoint_id}/delete", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, this::deleteEndpoint));
        routes.post(BASE + "/endpoints/{endpoint_id}/recover", ctx -> change(ctx, Capability.CREATE_ATTEMPTS, this::recover));
        routes.post(BASE + "/endpoints/{endpoint_id}/headers",
                ctx -> change(ctx, Capability.MANAGE_ENDPOINT, (c, app) -> setHeader(c, app, false)));
        routes.post(BASE + "/endpoints/{endpoint_id}/headers/delete",
                ctx -> change(ctx, Capability.MANAGE_ENDPOINT, (c, app) -> setHeader(c, app, true)));
        routes.post(BASE + "/endpoints/{endpoint_id}/transformation",
                ctx -> change(ctx, Capability.MANAGE_TRANSFORMATIONS, transformation::save));
        routes.post(BASE + "/endpoints/{endpoint_id}/transformation/on",
                ctx -> change(ctx, Capability.MANAGE_TRANSFORMATIONS, (c, app) -> transformation.setEnabled(c, app, true)));
        routes.post(BASE + "/endpoints/{endpoint_id}/transformation/off",
                ctx -> change(ctx, Capability.MANAGE_TRANSFORMATIONS, (c, app) -> transformation.setEnabled(c, app, false)));
        routes.post(BASE + "/endpoints/{endpoint_id}/transformation/try",
                ctx -> change(ctx, Capability.MANAGE_TRANSFORMATIONS, transformation::tryIt));
        routes.get(BASE + "/connectors/{connector_id}", ctx -> change(ctx, Capability.MANAGE_ENDPOINT,
                (c, app) -> connectors.show(c, app, shell(c, app, "endpoints"), catalog(c))));
        routes.post(BASE + "/connectors/{connector_id}", ctx -> change(ctx, Capability.MANAGE_ENDPOINT,
                (c, app) -> connectors.connect(c, app, catalog(c))));
        routes.get(BASE + "/messages", ctx -> page(ctx, true, this::messageList));
        routes.get(BASE + "/event-types", ctx -> page(ctx, true, this::eventTypeList));
        routes.get(BASE + "/polling", ctx -> page(ctx, true, (c, app) -> polling.list(c, app, shell(c, app, "polling"), catalog(c))));
        routes.post(BASE + "/polling", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, (c, app) -> polling.create(c, app, () -> catalog(c))));
        routes.get(BASE + "/polling/{poller_id}", ctx -> page(ctx, true, (c, app) -> polling.show(c, app, shell(c, app, "polling"))));
        routes.post(BASE + "/polling/{poller_id}/key", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, polling::rotateKey));
        routes.post(BASE + "/polling/{poller_id}/delete", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, polling::delete));
        routes.get(BASE + "/autoconfig", ctx -> page(ctx, true, (c, app) -> autoConfig.list(c, app, shell(c, app, "autoconfig"))));
        routes.post(BASE + "/autoconfig", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, autoConfig::create));
        routes.post(BASE + "/autoconfig/{autoconfig_id}/rotate", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, autoConfig::rotate));
        routes.post(BASE + "/autoconfig/{autoconfig_id}/delete", ctx -> change(ctx, Capability.MANAGE_ENDPOINT, autoConfig::delete));
        routes.get(BASE + "/messages/{msg_id}", ctx -> page(ctx, true, this::message));
        routes.post(BASE + "/messages/{msg_id}/endpoints/{endpoint_id}/resend",
                ctx -> change(ctx, Capability.CREATE_ATTEMPTS, this::resend));
    }

    /** Runs a page once its session is known ({@code signedIn}: from the cookie; otherwise the sign-in page's token). */
    private void page(Context ctx, boolean signedIn, PageHandler handler) {
        pages.answer(ctx, () -> handler.handle(ctx, signedIn ? session.signedIn(ctx) : session.signIn(ctx, ctx.formParam("token"))));
    }

    /**
     * A change (or the secret): refused to a token without the capability it needs (Svix's capabilities, or its
     * readOnly portal), as the API refuses it.
     */
    private void change(Context ctx, Capability needed, PageHandler handler) {
        page(ctx, true, (c, app) -> {
            var owner = PortalSession.owner(c);
            if (!owner.can(needed)) {
                throw new ApiException(403, "insufficient access", owner.readOnly() ? "This portal is read-only"
                        : "This portal may not do this (it lacks the " + needed.wireName + " capability)");
            }
            handler.handle(c, app);
        });
    }

    /**
     * The browser forgets the link whatever its token is; the token ends too when it can (an integration's key and a
     * svix-server JWT cannot be ended here: they go on working elsewhere, as the API's logout says).
     */
    private void signOut(Context ctx, Application app) {
        var owner = PortalSession.owner(ctx);
        session.signOut(ctx, app);
        if (access.cannotEnd(owner) == null) access.end(owner);
        ctx.header("HX-Redirect", "/portal/" + app.id() + "/endpoints");
        ctx.status(204);
    }

    private void endpointList(Context ctx, Application app) {
        var list = endpoints.allOf(app.id()); // all: HERALD_MAX_ENDPOINTS_PER_APP may allow more than a page of 250
        pages.render(ctx, 200, "endpoints", Map.of("shell", shell(ctx, app, "endpoints"), "endpoints", list,
                "form", EndpointForm.empty(catalog(ctx)), "connectors", connectors.visible(ctx, catalog(ctx)),
                "failing", endpoints.failingOf(app.id())));
    }

    /** The form as an EndpointIn, through the API's own checks; on an objection the form comes back with it. */
    private void createEndpoint(Context ctx, Application app) {
        var form = EndpointForms.Fields.read(ctx);
        forms.submit(ctx, form, "new-endpoint", "/portal/" + app.id() + "/endpoints", "Add endpoint", catalog(ctx), () -> {
            var created = endpointRoutes.create(app, form.body(false));
            ctx.header("HX-Redirect", "/portal/" + app.id() + "/endpoints/" + created.id());
            ctx.status(201);
        });
    }

    /** The same form as an EndpointPatch of the fields it shows: none ticked is every event type again. */
    private void editEndpoint(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        var form = EndpointForms.Fields.read(ctx);
        forms.submit(ctx, form, "edit-endpoint", "/portal/" + app.id() + "/endpoints/" + endpoint.id(), "Save", catalog(ctx), () -> {
            endpointRoutes.patch(app, endpoint, form.body(true));
            ctx.header("HX-Refresh", "true");
            ctx.status(204);
        });
    }

    private void rotateSecret(Context ctx, Application app) {
        endpointRoutes.rotateSecret(endpointRoutes.find(ctx, app));
        pages.render(ctx, 200, "notice", Map.of("text", "Rotated: webhooks are signed with the new secret from now on, and with "
                + "the old one beside it for 24 hours, so a receiver can switch without failing any.", "error", false));
    }

    /** Svix's send-example: the event type's example (or a stub) to this endpoint alone. */
    private void sendExample(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        var in = Json.MAPPER.createObjectNode().put("eventType", Pages.form(ctx, "eventType"));
        var sent = attemptRoutes.sendExample(app, endpoint, Body.of(in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                PortalSession.owner(ctx).featureFlags());
        pages.render(ctx, 202, "notice", Map.of("text", "Sent: a test " + sent.eventType() + " message (" + sent.id()
                + ") is on its way; its attempt shows below and under Messages.", "error", false));
    }

    private void endpoint(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        var recent = attempts.list(app.id(), new PageRequest(ATTEMPTS_SHOWN, null, true),
                new AttemptStore.AttemptFilter(null, endpoint.id(), null, null, null, null, null, null, null)).data();
        var subscribed = endpoint.filterTypes() == null ? java.util.Set.<String>of() : endpoint.filterTypes();
        var edit = new EndpointForm(endpoint.url(), endpoint.description(), subscribed,
                endpoint.rateLimit() == null ? "" : String.valueOf(endpoint.rateLimit()),
                endpoint.channels() == null ? "" : String.join(", ", endpoint.channels()), EndpointForms.choices(catalog(ctx), subscribed), Map.of());
        var params = new HashMap<String, Object>();
        params.put("shell", shell(ctx, app, "endpoints"));
        params.put("endpoint", endpoint);
        params.put("stats", attemptRoutes.stats(endpoint, null, null));
        params.put("attempts", recent);
        params.put("edit", edit);
        try {
            params.put("headers", EndpointRoutes.HeadersOut.of(endpoints.headersOf(endpoint)));
            params.put("headersError", null);
        } catch (dev.herald.security.SecretBox.MissingKeyException e) {
            // a rolling key rotation: the page, but not the headers, on a node without the key that sealed them
            params.put("headers", EndpointRoutes.HeadersOut.of(Map.of()));
            params.put("headersError", "This node lacks the encryption key these headers are sealed with; reload to be"
                    + " served by another");
        }
        params.put("switchedOff", transformation.switchedOff(endpoint));
        var failingSince = endpoints.failingSince(endpoint.id()).orElse(null);
        params.put("failingSince", failingSince);
        // HERALD_DISABLE_AFTER=0s: no time to show, a delivery that uses up its retries disables it (DeliveryRecorder)
        params.put("disabledBy", failingSince == null || disableAfter.isZero() ? null : failingSince.plus(disableAfter));
        pages.render(ctx, 200, "endpoint", params);
    }

    /**
     * Sets one custom header ({@code name}, {@code value}) or removes one, through the API's header patch; answers the
     * headers again, with the API's objection above them if it had one.
     */
    private void setHeader(Context ctx, Application app, boolean remove) {
        var endpoint = endpointRoutes.find(ctx, app);
        String name = Pages.form(ctx, "name").trim();
        ObjectNode in = Json.MAPPER.createObjectNode();
        if (remove) in.putArray("deleteHeaders").add(name);
        else in.putObject("headers").put(name, Pages.form(ctx, "value"));
        String error = null;
        int status = 200;
        try {
            endpointRoutes.patchHeaders(endpoint, Body.of(in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (ValidationException e) {
            error = e.items().get(0).msg();
            status = 422;
        }
        var now = endpointRoutes.find(ctx, app);
        var params = new HashMap<String, Object>();
        params.put("here", "/portal/" + app.id() + "/endpoints/" + now.id());
        params.put("headers", EndpointRoutes.HeadersOut.of(endpoints.headersOf(now)));
        params.put("manage", true);
        params.put("error", error);
        pages.render(ctx, status, "endpointHeaders", params);
    }

    private void secret(Context ctx, Application app) {
        pages.render(ctx, 200, "secret", Map.of("secret", endpointRoutes.secret(endpointRoutes.find(ctx, app))));
    }

    private void setDisabled(Context ctx, Application app, boolean disabled) {
        var endpoint = endpointRoutes.find(ctx, app);
        endpointRoutes.patch(app, endpoint, Body.of(("{\"disabled\":" + disabled + "}").getBytes()));
        ctx.header("HX-Refresh", "true");
        ctx.status(204);
    }

    private void deleteEndpoint(Context ctx, Application app) {
        endpointRoutes.delete(app, endpointRoutes.find(ctx, app));
        ctx.header("HX-Redirect", "/portal/" + app.id() + "/endpoints");
        ctx.status(204);
    }

    /** Svix's recover from the form's {@code since}, a UTC date and time as a datetime-local field gives it. */
    private void recover(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        String typed = Pages.form(ctx, "since");
        java.time.Instant from;
        try {
            from = LocalDateTime.parse(typed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw ValidationException.of("since", "a date and time is needed, e.g. 2026-12-01T09:00", "value_error.datetime");
        }
        var in = Json.MAPPER.createObjectNode().put("since", from.toString());
        var task = attemptRoutes.recover(app, endpoint, Body.of(in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        var record = tasks.find(task.id(), app.id()).orElseThrow();
        String since = PortalFormat.time(from);
        if (BackgroundTask.FAILED.equals(record.status())) {
            // the request was answered; the task it started is what failed
            pages.render(ctx, 200, "notice", Map.of("text", "The recovery failed; try again in a moment.", "error", true));
            return;
        }
        String text = "Started: the messages whose delivery here, made since " + since + ", failed are being queued again.";
        if (BackgroundTask.FINISHED.equals(record.status())) {
            long queued = messagesQueued(record);
            text = queued == 0 ? "No delivery made here since " + since + " failed."
                    : "Done: " + queued + (queued == 1 ? " message" : " messages") + " whose delivery here, made since " + since + ", failed"
                    + (queued == 1 ? " is" : " are") + " being sent again.";
        }
        pages.render(ctx, 202, "notice", Map.of("text", text, "error", false));
    }

    private static long messagesQueued(BackgroundTask task) {
        try {
            return Json.MAPPER.readTree(task.dataJson()).path("messagesQueued").asLong();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a task's stored figures are not JSON", e);
        }
    }

    private void messageList(Context ctx, Application app) {
        // a message by its id or its event id (the sender's own id for it), as the API's GET …/msg/{id} finds one
        String find = ctx.queryParam("find") == null ? "" : ctx.queryParam("find").trim();
        if (!find.isEmpty() && MessageRoutes.EVENT_ID.matcher(find).matches() && find.length() <= 256) {
            var found = messages.find(app.id(), find);
            if (found.isPresent()) {
                ctx.redirect("/portal/" + app.id() + "/messages/" + found.get().id());
                return;
            }
        }
        var request = Lists.request(ctx, true, Ids.MESSAGE);
        var types = MessageRoutes.eventTypes(ctx);
        var page = messages.list(app.id(), request, new MessageStore.MessageFilter(types, null, null, null, null));
        String filter = types == null ? "" : "&event_types=" + java.net.URLEncoder.encode(String.join(",", types),
                java.nio.charset.StandardCharsets.UTF_8);
        var params = new LinkedHashMap<String, Object>();
        params.put("shell", shell(ctx, app, "messages"));
        params.put("messages", page.data());
        Pages.pager(params, request, page, "/portal/" + app.id() + "/messages", filter);
        params.put("eventTypes", catalog(ctx));
        params.put("selected", types == null ? "" : String.join(",", types));
        params.put("find", find);
        pages.render(ctx, 200, "messages", params);
    }

    private void message(Context ctx, Application app) {
        var message = messageRoutes.find(ctx, app);
        var byId = new java.util.HashMap<String, dev.herald.domain.Endpoint>();
        for (var e : endpoints.allOf(app.id())) byId.put(e.id(), e); // one statement, not one an endpoint
        var deliveries = attempts.statesOfMessage(message.id()).stream()
                .filter(s -> byId.containsKey(s.endpointId()))
                .map(s -> new Delivery(s.endpointId(), byId.get(s.endpointId()).url(), s.status(), s.nextAttempt()))
                .toList();
        var log = attempts.list(app.id(), new PageRequest(PageRequest.MAX_LIMIT, null, true),
                new AttemptStore.AttemptFilter(message.id(), null, null, null, null, null, null, null, null)).data();
        pages.render(ctx, 200, "message", Map.of("shell", shell(ctx, app, "messages"), "message", message,
                "deliveries", deliveries, "attempts", log));
    }

    private void resend(Context ctx, Application app) {
        var message = messageRoutes.find(ctx, app);
        attemptRoutes.resend(app, message, endpointRoutes.find(ctx, app));
        pages.render(ctx, 202, "notice", Map.of("text", "Queued: it will be sent again in a moment.", "error", false));
    }

    private List<String> catalog(Context ctx) {
        return catalogTypes(ctx).stream().map(EventType::name).toList();
    }

    /**
     * The event types the customer may see: not archived, and without a feature flag unless the portal's token bears
     * one of the type's flags (as the API's list shows them to that token). All of them: one page (250) left the rest out
     * of the forms, the catalog and the test event.
     */
    private List<EventType> catalogTypes(Context ctx) {
        List<EventType> read = ctx.attribute(CATALOG_READ);
        if (read != null) return read; // a page asks more than once (the form, the connectors)
        var flags = PortalSession.owner(ctx).featureFlags();
        read = eventTypes.all(false).stream().filter(type -> type.visibleWith(flags)).toList();
        ctx.attribute(CATALOG_READ, read);
        return read;
    }

    /** The request's attribute holding the catalog read for it. */
    private static final String CATALOG_READ = "herald.portal.catalog";

    /** The event catalog: what each type means and what its payload looks like (the schema's example, or a stub). */
    private void eventTypeList(Context ctx, Application app) {
        var types = catalogTypes(ctx);
        var examples = new LinkedHashMap<String, String>();
        for (var type : types) {
            String example = AttemptRoutes.examplePayload(type, 0);
            examples.put(type.name(), example == null ? null : PortalFormat.pretty(example));
        }
        var params = new HashMap<String, Object>();
        params.put("shell", shell(ctx, app, "event-types"));
        params.put("types", types);
        params.put("examples", examples);
        pages.render(ctx, 200, "eventTypes", params);
    }

    private static Shell shell(Context ctx, Application app, String section) {
        return new Shell(app.id(), app.name(), section, PortalSession.owner(ctx));
    }

}
