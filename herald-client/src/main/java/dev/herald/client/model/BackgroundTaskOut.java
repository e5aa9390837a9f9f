package dev.herald.client.model;

import java.time.Instant;
import java.util.Map;

/**
 * A recovery or purge task: {@code task} says which ({@code endpoint.replay}, {@code endpoint.recover},
 * {@code application.purge_content}), {@code status} how it ended, {@code data} its figures (e.g. messagesQueued).
 */
public record BackgroundTaskOut(Map<String, Object> data, String id, String status, String task, Instant updatedAt) {}
