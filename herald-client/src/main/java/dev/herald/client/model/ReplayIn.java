package dev.herald.client.model;

import java.time.Instant;

/** Replay to an endpoint the messages of [{@code since}, {@code until}) it never had; {@code until} may be null. */
public record ReplayIn(Instant since, Instant until) {}
