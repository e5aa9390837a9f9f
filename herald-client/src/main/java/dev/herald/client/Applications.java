package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.ApplicationOut;
import dev.herald.client.model.ListResponse;
import java.util.Map;

/** {@code /api/v1/app}: applications, addressed by id ({@code app_…}) or by your uid. */
public final class Applications {
    private static final JavaType ONE = Types.of(ApplicationOut.class);
    private static final JavaType PAGE = Types.listOf(ApplicationOut.class);

    private final Transport transport;

    Applications(Transport transport) {
        this.transport = transport;
    }

    public ApplicationOut create(ApplicationIn in) {
        return transport.post("/api/v1/app", in, null, ONE);
    }

    /** The application holding {@code in.uid()} if there is one, else a new one. */
    public ApplicationOut getOrCreate(ApplicationIn in) {
        if (in.uid() == null) throw new IllegalArgumentException("getOrCreate needs a uid to look the application up by");
        return transport.post("/api/v1/app?get_if_exists=true", in, null, ONE);
    }

    public ApplicationOut get(String appIdOrUid) {
        return transport.get(Transport.path("/api/v1/app/{}", appIdOrUid), Map.of(), ONE);
    }

    /** Replaces the application's fields (PUT); creates it, with the path key as uid, when it does not exist. */
    public ApplicationOut update(String appIdOrUid, ApplicationIn in) {
        return transport.put(Transport.path("/api/v1/app/{}", appIdOrUid), in, ONE);
    }

    public void delete(String appIdOrUid) {
        transport.delete(Transport.path("/api/v1/app/{}", appIdOrUid));
    }

    public Paged<ApplicationOut> list(ListOptions options) {
        return new Paged<>(iterator -> transport.<ListResponse<ApplicationOut>>get("/api/v1/app", options.query(iterator), PAGE));
    }

    public Paged<ApplicationOut> list() {
        return list(ListOptions.defaults());
    }
}
