package dev.herald.client.model;

/** An endpoint's current signing secret ({@code whsec_…}). */
public record SecretOut(String key) {}
