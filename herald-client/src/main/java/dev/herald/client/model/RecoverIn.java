package dev.herald.client.model;

import java.time.Instant;

/** Resend every failed message of an endpoint in [{@code since}, {@code until}); {@code until} may be null. */
public record RecoverIn(Instant since, Instant until) {}
