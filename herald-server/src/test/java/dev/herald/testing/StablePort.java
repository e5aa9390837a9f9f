package dev.herald.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free port for a server that binds it later, or binds it again after a restart (a child JVM, a PostgreSQL stopped and
 * started): chosen below the kernel's ephemeral range, which a port asked of the kernel ({@code new ServerSocket(0)})
 * comes from, and so does every outgoing connection's local port. Between the check and the bind, only a process
 * choosing ports the same way could take it.
 */
public final class StablePort {
    private static final int LOWEST = 10_000;

    private StablePort() {}

    public static int pick() {
        int below = ephemeralRangeStart();
        for (int tries = 0; tries < 100; tries++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (isFree(port)) return port;
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + below + " in 100 tries");
    }

    private static boolean isFree(int port) {
        // every address: PostgreSQL may listen on all of them, and the bind fails if any one is taken
        try (var any = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** The first port of {@code net.ipv4.ip_local_port_range} (Linux's default 32768 where it cannot be read). */
    static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            int start = Integer.parseInt(range.split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }
}
