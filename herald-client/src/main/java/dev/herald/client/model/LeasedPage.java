package dev.herald.client.model;

import java.util.List;

/** What a leased poll answers (Svix's PollerV2PollOut); {@code done}: nothing more waits after these. */
public record LeasedPage(List<LeasedMessage> data, boolean done) {}
