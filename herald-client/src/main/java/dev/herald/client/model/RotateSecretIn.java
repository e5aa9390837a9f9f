package dev.herald.client.model;

/** {@code key}: the new secret, or null to let Herald generate one. The old one keeps signing for the grace period. */
public record RotateSecretIn(String key, Long gracePeriodSeconds) {}
