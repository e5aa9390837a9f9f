package dev.herald.store;

import dev.herald.security.SecretBox;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The keys that sealed the secrets a database holds: endpoint secrets and headers, integration keys, AutoConfig secrets. */
public final class SealingKeys {
    private SealingKeys() {}

    /**
     * The ids of the keys that sealed secrets in the database and that {@code box} does not hold: a node started with
     * the wrong key (or a data directory's key file lost) could open none of those secrets, failing every delivery to
     * their endpoints and answering 500 where they are shown.
     */
    public static List<String> notOpenedBy(Jdbi jdbi, SecretBox box) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select key_id from endpoint_secret
                        union select key_id from integration
                        union select secret_key_id from autoconfig
                        union select headers_key_id from endpoint where headers_key_id is not null
                        order by 1
                        """).mapTo(String.class).list())
                .stream().filter(id -> !box.opens(id)).toList();
    }
}
