package dev.herald.domain;

/** The thing asked for does not exist (or is not the caller's to see: same answer, no existence leak). */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String what) {
        super(what + " not found");
    }
}
