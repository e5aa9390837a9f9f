package dev.herald.domain;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Svix's AppPortalCapability: what an application token given a list of capabilities may do. Every such token may
 * read ({@link #VIEW_BASE}, which the list must hold); each other capability adds one kind of change. A token made
 * without a list may do everything an application token may.
 */
public enum Capability {
    /** Read the application's endpoints, messages and attempts, but not an endpoint's secret. */
    VIEW_BASE("ViewBase"),
    VIEW_ENDPOINT_SECRET("ViewEndpointSecret"),
    /** Rotate an endpoint's secret, and see it. */
    MANAGE_ENDPOINT_SECRET("ManageEndpointSecret"),
    MANAGE_TRANSFORMATIONS("ManageTransformations"),
    /** Send messages again (resend, recover, replay) and send example messages. */
    CREATE_ATTEMPTS("CreateAttempts"),
    /** Create, change, pause and delete endpoints: every field and setting of one, its secret and transformation too. */
    MANAGE_ENDPOINT("ManageEndpoint");

    public final String wireName;

    Capability(String wireName) {
        this.wireName = wireName;
    }

    public static Optional<Capability> byWireName(String name) {
        for (Capability c : values()) {
            if (c.wireName.equals(name)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** What holding these allows, the capabilities they include added (managing a secret includes seeing it). */
    public static Set<Capability> effective(Set<Capability> held) {
        var all = EnumSet.noneOf(Capability.class);
        all.addAll(held);
        if (held.contains(MANAGE_ENDPOINT)) {
            all.addAll(EnumSet.of(VIEW_ENDPOINT_SECRET, MANAGE_ENDPOINT_SECRET, MANAGE_TRANSFORMATIONS));
        }
        if (all.contains(MANAGE_ENDPOINT_SECRET)) all.add(VIEW_ENDPOINT_SECRET);
        return all;
    }
}
