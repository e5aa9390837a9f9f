package dev.herald.config;

/** A configuration value that cannot be used; the message names the variable and is shown as is. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
