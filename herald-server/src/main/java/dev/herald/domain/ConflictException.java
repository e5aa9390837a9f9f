package dev.herald.domain;

/** A uniqueness rule would be broken (uid, eventId, name taken) or a limit is reached. */
public final class ConflictException extends RuntimeException {
    private final String code;

    public ConflictException(String message) {
        this("conflict", message);
    }

    public ConflictException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
