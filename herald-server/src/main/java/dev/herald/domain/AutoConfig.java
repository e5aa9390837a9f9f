package dev.herald.domain;

import java.time.Instant;

/**
 * Svix's AutoConfig subscription: a token with which a customer's code makes and updates one endpoint of the
 * application, {@code sinkId}, itself. {@code kind} is null until the first subscribe, then "http" or "poller".
 */
public record AutoConfig(String id, String appId, String sinkId, String kind, Instant createdAt, Instant updatedAt) {
    public static final String HTTP = "http";
    public static final String POLLER = "poller";
}
