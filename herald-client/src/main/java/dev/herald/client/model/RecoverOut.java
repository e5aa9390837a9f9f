package dev.herald.client.model;

import java.time.Instant;

public record RecoverOut(String id, String status, String task, Instant updatedAt) {}
