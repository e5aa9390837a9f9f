package dev.herald.client.webhook;

import java.time.Instant;

/** A request whose signature checked out. {@code id} is stable across retries: deduplicate on it. */
public record VerifiedWebhook(String id, Instant timestamp, String body) {}
