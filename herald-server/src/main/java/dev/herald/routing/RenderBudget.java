package dev.herald.routing;

/**
 * The characters one render may still produce. Templates are user input and a payload can be large, so
 * a body repeating {@code {{payload}}} a thousand times must fail instead of exhausting memory.
 */
final class RenderBudget {

    private final long limit;
    private long used;

    RenderBudget(long limit) {
        this.limit = limit;
    }

    void spend(long characters) {
        used += characters;
        if (used > limit) {
            throw new TransformationRenderException("rendered request exceeds " + limit + " characters");
        }
    }

    long limit() {
        return limit;
    }
}
