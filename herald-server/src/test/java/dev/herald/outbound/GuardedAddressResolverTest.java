package dev.herald.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;

/** Drives the resolver with a fake DNS and a promise: nothing here opens a socket. */
class GuardedAddressResolverTest {

    private final AddressGuard guard = new AddressGuard(List.of());
    private final List<String> lookedUp = new ArrayList<>();

    @Test
    void passesOnOnlyTheAllowedAddresses() throws Exception {
        HostResolver dns = fakeDns(List.of("10.0.0.5", "93.184.216.34", "fd00::1", "2606:4700::1111"));

        List<InetSocketAddress> addresses = resolve(dns, "mixed.example.test", 443).get();

        assertThat(addresses).containsExactly(
                new InetSocketAddress(InetAddress.getByName("93.184.216.34"), 443),
                new InetSocketAddress(InetAddress.getByName("2606:4700::1111"), 443));
    }

    @Test
    void failsWithTheFirstReasonWhenEveryAddressIsBlocked() {
        HostResolver dns = fakeDns(List.of("10.0.0.5", "169.254.169.254"));

        assertThatThrownBy(() -> resolve(dns, "internal.example.test", 80).get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(BlockedAddressException.class)
                .hasMessage("blocked address of internal.example.test (private range)");
    }

    /** A name's refusal goes into the attempt its tenant reads: the range, not the address (a literal is the URL's own). */
    @Test
    void tellsANamesRangeButNotItsAddress() {
        assertThatThrownBy(() -> resolve(fakeDns(List.of("10.20.30.40")), "db.corp.example.test", 5432).get())
                .cause()
                .isInstanceOf(BlockedAddressException.class)
                .hasMessage("blocked address of db.corp.example.test (private range)");
        assertThatThrownBy(() -> resolve(fakeDns(List.of("10.20.30.40")), "10.20.30.40", 5432).get())
                .cause()
                .hasMessage("blocked address 10.20.30.40 (private range)");
        assertThatThrownBy(() -> resolve(fakeDns(List.of("fd00:ec2::254")), "[fd00:ec2::254]", 80).get())
                .cause()
                .hasMessage("blocked address fd00:ec2::254 (cloud metadata)");
    }

    /** Names a DNS rebinding points at every kind of place a webhook must not reach: each refused, no socket opened. */
    @Test
    void refusesANameResolvingToAnySpecialAddress() {
        var targets = Map.of(
                "intranet.example.test", "10.0.0.5",
                "metadata.example.test", "169.254.169.254",
                "router.example.test", "192.168.1.1",
                "cgnat.example.test", "100.64.0.1",
                "v6-loopback.example.test", "::1",
                "v6-mapped.example.test", "::ffff:127.0.0.1",
                "v6-ula.example.test", "fd00::1",
                "nat64.example.test", "64:ff9b::a00:1",
                "ec2-v6-metadata.example.test", "fd00:ec2::254");
        targets.forEach((name, address) -> assertThatThrownBy(() -> resolve(fakeDns(List.of(address)), name, 80).get())
                .as(name + " -> " + address)
                .cause()
                .isInstanceOf(BlockedAddressException.class)
                .hasMessageStartingWith("blocked address of " + name + " (")
                .hasMessageNotContaining(address));
    }

    @Test
    void passesResolverFailuresThrough() {
        HostResolver dns = host -> {
            throw new UnknownHostException(host);
        };

        assertThatThrownBy(() -> resolve(dns, "nope.example.test", 80).get())
                .cause()
                .isInstanceOf(UnknownHostException.class)
                .hasMessage("nope.example.test");
    }

    @Test
    void treatsAnEmptyAnswerAsUnknownHost() {
        assertThatThrownBy(() -> resolve(host -> List.of(), "empty.example.test", 80).get())
                .cause()
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void stripsBracketsFromIpv6Literals() throws Exception {
        HostResolver dns = fakeDns(List.of("2606:4700::1111"));

        resolve(dns, "[2606:4700::1111]", 80).get();

        assertThat(lookedUp).containsExactly("2606:4700::1111");
    }

    private Promise.Completable<List<InetSocketAddress>> resolve(HostResolver dns, String host, int port) {
        Promise.Completable<List<InetSocketAddress>> promise = new Promise.Completable<>();
        new GuardedAddressResolver(dns, guard, Runnable::run).resolve(host, port, Map.of(), promise);
        return promise;
    }

    private HostResolver fakeDns(List<String> literals) {
        return host -> {
            lookedUp.add(host);
            List<InetAddress> addresses = new ArrayList<>();
            for (String literal : literals) {
                addresses.add(InetAddress.getByName(literal)); // literals are parsed, never looked up
            }
            return addresses;
        };
    }
}
