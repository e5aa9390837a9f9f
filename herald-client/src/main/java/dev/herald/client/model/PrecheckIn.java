package dev.herald.client.model;

import java.util.Set;

/** Would a message of this type (and channels, may be null) reach any endpoint now? */
public record PrecheckIn(String eventType, Set<String> channels) {}
