package dev.herald.client.model;

import java.util.List;

/** A page read from a polling endpoint (Svix's PollingEndpointOut): pass {@code iterator} back to read on. */
public record PollingPage(List<MessageOut> data, String iterator, boolean done) {}
