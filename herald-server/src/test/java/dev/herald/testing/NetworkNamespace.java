package dev.herald.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own, joined to this host by a veth pair: a second host on this machine. A process
 * started in it ({@link #command}) reaches this host at {@link #hostAddress()} and is reached at {@link #address()}.
 * {@link #cut()} takes the link down, so that neither side's packets arrive any more and nothing answers them: the
 * other end sees a host that vanished, which loopback cannot show (its kernel answers for a process that went silent).
 * Needs root (CAP_NET_ADMIN) and iproute2's {@code ip}.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;
    private final String hostSide;
    private final String namespaceSide;
    private final String subnet;

    private NetworkNamespace(String name, String hostSide, String namespaceSide, String subnet) {
        this.name = name;
        this.hostSide = hostSide;
        this.namespaceSide = namespaceSide;
        this.subnet = subnet;
    }

    /** Whether this machine lets the test make one (root and {@code ip}); the reason when it does not. */
    public static String unavailableReason() {
        try {
            var p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return "ip netns list failed: " + out;
        } catch (IOException e) {
            return "no ip command (iproute2): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        var user = System.getProperty("user.name");
        if (!"root".equals(user)) return "network namespaces need root; running as " + user;
        // root without the capability (a container's default): making one is the only proof
        String probe = "herald-probe" + ProcessHandle.current().pid();
        try {
            var add = new ProcessBuilder("ip", "netns", "add", probe).redirectErrorStream(true).start();
            String out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!add.waitFor(10, TimeUnit.SECONDS) || add.exitValue() != 0) return "cannot make a network namespace: " + out.trim();
            new ProcessBuilder("ip", "netns", "delete", probe).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return "cannot make a network namespace: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    /** A namespace named after this process, on 10.213.N.0/30 with N from the pid (two test runs do not collide). */
    public static NetworkNamespace create() {
        long pid = ProcessHandle.current().pid();
        int n = (int) (pid % 250) + 1;
        var ns = new NetworkNamespace("herald-t" + pid, "hva" + pid, "hvb" + pid, "10.213." + n);
        ns.removeLeftovers();
        try {
            ip("netns", "add", ns.name);
            ip("link", "add", ns.hostSide, "type", "veth", "peer", "name", ns.namespaceSide);
            ip("link", "set", ns.namespaceSide, "netns", ns.name);
            ip("addr", "add", ns.hostAddress() + "/30", "dev", ns.hostSide);
            ip("link", "set", ns.hostSide, "up");
            ns.inside("ip", "addr", "add", ns.address() + "/30", "dev", ns.namespaceSide);
            ns.inside("ip", "link", "set", ns.namespaceSide, "up");
            ns.inside("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** This host's end of the link. */
    public String hostAddress() {
        return subnet + ".1";
    }

    /** The namespace's end of the link. */
    public String address() {
        return subnet + ".2";
    }

    /** The link's subnet in CIDR form. */
    public String cidr() {
        return subnet + ".0/30";
    }

    /** {@code command} run inside the namespace (exec'd there: the process started is the command itself). */
    public List<String> command(List<String> command) {
        var all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(command);
        return all;
    }

    /** Both ends stop hearing each other: the namespace's side of the link goes down, and packets to it are dropped. */
    public void cut() {
        inside("ip", "link", "set", namespaceSide, "down");
    }

    /** Deletes the namespace; its end of the veth pair goes with it, and so does this host's. */
    @Override
    public void close() {
        Commands.run(List.of("ip", "netns", "delete", name), false);
        Commands.run(List.of("ip", "link", "delete", hostSide), false);
    }

    /** A run killed before its close may have left them. */
    private void removeLeftovers() {
        close();
    }

    private void inside(String... command) {
        Commands.run(command(List.of(command)), true);
    }

    private static void ip(String... args) {
        var command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Commands.run(command, true);
    }
}
