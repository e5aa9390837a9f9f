package dev.herald.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses environment values; every failure is a {@link ConfigException} naming the variable. */
final class EnvReader {
    /**
     * HERALD_ variables read by the launcher script, the benchmark and `herald poll --key`, not by the server: a node
     * started beside them must not call them misspelt settings. HERALD_TOKEN (`herald listen --token`) is not among
     * them: it is also what someone who meant HERALD_ADMIN_TOKEN would write (HeraldConfig says which it is).
     */
    static final Set<String> READ_ELSEWHERE = Set.of("HERALD_JAVA_OPTS", "HERALD_BENCH_PG", "HERALD_POLL_KEY");

    private final Map<String, String> env;
    private final Set<String> asked = new java.util.HashSet<>();

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> optional(String name) {
        asked.add(name);
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * As {@link #optional}, but set and empty is refused: for a setting whose absence means something else altogether
     * (no database URL runs a database of the node's own), a template that left it blank must not start that.
     */
    Optional<String> optionalNotBlank(String name) {
        String value = env.get(name);
        if (value != null && value.isBlank()) {
            throw new ConfigException(name + ": is set but empty; unset it for the default, or give it a value");
        }
        return optional(name);
    }

    /** The HERALD_ variables set that no setting read so far: a misspelt name, most often, whose value is not used. */
    List<String> unknownNames() {
        return env.keySet().stream().filter(n -> n.startsWith("HERALD_") && !asked.contains(n) && !READ_ELSEWHERE.contains(n))
                .sorted().toList();
    }

    String string(String name, String defaultValue) {
        return optional(name).orElse(defaultValue);
    }

    int positiveInt(String name, int defaultValue) {
        return intIn(name, defaultValue, 1, Integer.MAX_VALUE, "a positive integer");
    }

    int nonNegativeInt(String name, int defaultValue) {
        return intIn(name, defaultValue, 0, Integer.MAX_VALUE, "0 or a positive integer");
    }

    int intBetween(String name, int defaultValue, int min, int max) {
        return intIn(name, defaultValue, min, max, "an integer from " + min + " to " + max);
    }

    private int intIn(String name, int defaultValue, int min, int max, String what) {
        var value = optional(name);
        if (value.isEmpty()) return defaultValue;
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed >= min && parsed <= max) return parsed;
        } catch (NumberFormatException e) {
            // refused below, as a number out of range is
        }
        throw new ConfigException(name + ": must be " + what + ", got '" + value.get() + "'");
    }

    boolean bool(String name, boolean defaultValue) {
        var value = optional(name);
        if (value.isEmpty()) return defaultValue;
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name + ": must be true or false, got '" + value.get() + "'");
        };
    }

    /** Seconds as a plain number ("30"), or with a unit: "500ms", "30s", "5m", "2h", "5d". */
    Duration duration(String name, Duration defaultValue) {
        var value = optional(name);
        if (value.isEmpty()) return defaultValue;
        try {
            return parseDuration(value.get());
        } catch (RuntimeException e) {
            throw new ConfigException(name + ": must be a duration like 30s, 5m, 2h or 5d, got '" + value.get() + "'");
        }
    }

    /**
     * {@link #duration}, from {@code min} to {@code max}: zero or a huge value is refused where it would not mean
     * "never" but make Herald spin (a poll interval of 0s), fail at start (a janitor interval of 0s), or overflow a
     * date past PostgreSQL's range on every delivery (a disable-after of millions of days).
     */
    Duration durationBetween(String name, Duration defaultValue, Duration min, Duration max) {
        Duration value = duration(name, defaultValue);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(name + ": must be a duration from " + shown(min) + " to " + shown(max) + ", got '"
                    + optional(name).orElse("") + "'");
        }
        return value;
    }

    /** A duration as these settings are written: {@code 10ms}, {@code 1s}, {@code 365d}. */
    static String shown(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }

    static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("-")) throw new IllegalArgumentException("negative");
        if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        char unit = v.charAt(v.length() - 1);
        if (Character.isDigit(unit)) return Duration.ofSeconds(Long.parseLong(v));
        long amount = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (unit) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException("unit");
        };
    }

    InetSocketAddress address(String name, String defaultValue) {
        String value = string(name, defaultValue);
        int colon = value.lastIndexOf(':');
        try {
            if (colon <= 0) throw new IllegalArgumentException();
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) throw new IllegalArgumentException();
            return InetSocketAddress.createUnresolved(host, port);
        } catch (RuntimeException e) {
            throw new ConfigException(name + ": must be host:port, got '" + value + "'");
        }
    }

    List<String> list(String name) {
        return optional(name)
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    static final long MAX_RETRY_DELAY_SECONDS = 365L * 24 * 3600;

    List<Duration> retrySchedule(String name, String defaultValue) {
        String value = string(name, defaultValue);
        var schedule = new ArrayList<Duration>();
        for (String part : value.split(",")) {
            try {
                long seconds = Long.parseLong(part.trim());
                // a year at most: beyond some 9e12 s a due time leaves PostgreSQL's range, and every result failed
                if (seconds < 0 || seconds > MAX_RETRY_DELAY_SECONDS) throw new NumberFormatException();
                schedule.add(Duration.ofSeconds(seconds));
            } catch (NumberFormatException e) {
                throw new ConfigException(name + ": must be comma-separated seconds like 0,5,300 (each at most "
                        + MAX_RETRY_DELAY_SECONDS + ", a year), got '" + value + "'");
            }
        }
        return List.copyOf(schedule);
    }

    HeraldConfig.SignatureType signatureType(String name) {
        String value = string(name, "hmac256");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "hmac256" -> HeraldConfig.SignatureType.HMAC256;
            case "ed25519" -> HeraldConfig.SignatureType.ED25519;
            default -> throw new ConfigException(name + ": must be hmac256 or ed25519, got '" + value + "'");
        };
    }

    HeraldConfig.SignatureHeaders signatureHeaders(String name) {
        String value = string(name, "webhook");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "webhook" -> HeraldConfig.SignatureHeaders.WEBHOOK;
            case "svix" -> HeraldConfig.SignatureHeaders.SVIX;
            case "both" -> HeraldConfig.SignatureHeaders.BOTH;
            default -> throw new ConfigException(name + ": must be webhook, svix or both, got '" + value + "'");
        };
    }

    /**
     * The settings logback.xml reads itself, checked here: an unknown format named no appender (every log line lost)
     * and an unknown level read as DEBUG.
     */
    void logSettings(String formatName, String levelName) {
        asked.add(formatName);
        asked.add(levelName);
        // as written: logback takes the value as it is, blank or padded, not trimmed as the other settings are
        String format = env.getOrDefault(formatName, "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigException(formatName + ": must be text or json, got '" + format + "'");
        }
        String level = env.getOrDefault(levelName, "INFO");
        if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level.toUpperCase(Locale.ROOT))) {
            throw new ConfigException(levelName + ": must be TRACE, DEBUG, INFO, WARN, ERROR or OFF, got '" + level + "'");
        }
    }
}
