package dev.herald.testing;

import com.svix.Svix;
import com.svix.SvixOptions;
import java.util.concurrent.Callable;

/** The official Svix Java SDK, unchanged, pointed at a test server. */
public final class SvixSdk {
    private SvixSdk() {}

    /** A client of {@code herald} with its admin token. */
    public static Svix client(TestHerald herald) {
        return client(herald, TestHerald.ADMIN_TOKEN);
    }

    /** A client of {@code herald} with another token (an application's). */
    public static Svix client(TestHerald herald, String token) {
        var options = new SvixOptions();
        options.setServerUrl(herald.baseUrl());
        return new Svix(token, options);
    }

    /** An SDK call inside a polling condition (the SDK throws checked exceptions). */
    public static <T> T call(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
