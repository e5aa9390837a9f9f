package dev.herald.client.listen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.herald.client.webhook.VerifiedWebhook;
import dev.herald.client.webhook.WebhookVerificationException;
import dev.herald.client.webhook.WebhookVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Verifies each request, answers (the chosen status, or 400 when verification fails), then prints it. */
final class VerifyingHandler implements HttpHandler {
    private final WebhookVerifier verifier;
    private final int status;
    private final EventTypeResolver eventTypes;
    private final EventPrinter printer;

    VerifyingHandler(WebhookVerifier verifier, int status, EventTypeResolver eventTypes, EventPrinter printer) {
        this.verifier = verifier;
        this.status = status;
        this.eventTypes = eventTypes;
        this.printer = printer;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (var in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        VerifiedWebhook event;
        try {
            event = verifier.verify(body, exchange.getRequestHeaders());
        } catch (WebhookVerificationException e) {
            answer(exchange, 400, e.getMessage());
            printer.rejected(e.getMessage(), new String(body, StandardCharsets.UTF_8), 400);
            return;
        }
        // answer before looking the event type up: Herald is waiting, the terminal is not
        answer(exchange, status, "");
        printer.verified(eventTypes.resolve(event.id(), event.body()), event.id(), event.timestamp(), event.body(), status);
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
