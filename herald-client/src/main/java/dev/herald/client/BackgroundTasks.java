package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.BackgroundTaskOut;
import java.util.Map;

/** {@code /api/v1/background-task}: what recover, replay-missing and expunge-all-contents did. */
public final class BackgroundTasks {
    private static final JavaType ONE = Types.of(BackgroundTaskOut.class);

    private final Transport transport;

    BackgroundTasks(Transport transport) {
        this.transport = transport;
    }

    public BackgroundTaskOut get(String taskId) {
        return transport.get(Transport.path("/api/v1/background-task/{}", taskId), Map.of(), ONE);
    }
}
