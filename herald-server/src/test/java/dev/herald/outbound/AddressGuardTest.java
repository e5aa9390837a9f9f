package dev.herald.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import inet.ipaddr.IPAddressString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Only ever calls the guard; IP literals given to InetAddress.getByName are parsed, not looked up. */
class AddressGuardTest {

    private final AddressGuard strict = new AddressGuard(List.of());

    @ParameterizedTest(name = "{0} is blocked as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0.0.0.0                 | unspecified
            0.1.2.3                 | unspecified
            127.0.0.1               | loopback
            127.255.255.254         | loopback
            10.0.0.1                | private range
            172.16.0.1              | private range
            172.31.255.255          | private range
            192.168.1.1             | private range
            169.254.1.1             | link-local
            169.254.169.254         | cloud metadata
            100.100.100.200         | cloud metadata
            100.64.0.1              | carrier-grade NAT
            100.127.255.255         | carrier-grade NAT
            224.0.0.1               | multicast
            239.255.255.250         | multicast
            240.0.0.1               | reserved
            255.255.255.255         | broadcast
            192.0.2.1               | documentation
            198.51.100.7            | documentation
            203.0.113.9             | documentation
            198.18.0.1              | benchmarking
            198.19.255.255          | benchmarking
            192.0.0.8               | IETF protocol assignments
            192.88.99.1             | 6to4 relay anycast
            ::                      | unspecified
            ::1                     | loopback
            fe80::1                 | link-local
            febf:ffff::1            | link-local
            fc00::1                 | unique local
            fd12:3456::1            | unique local
            fd00:ec2::254           | cloud metadata
            fec0::1                 | site-local
            ff02::1                 | multicast
            ff0e::1                 | multicast
            2001:db8::1             | documentation
            3fff::1                 | documentation
            2001:2::1               | benchmarking
            2001:10::1              | IETF protocol assignments
            ::7f00:1                | IPv4-compatible IPv6
            ::808:808               | IPv4-compatible IPv6
            64:ff9b::a00:1          | NAT64 10.0.0.1: private range
            64:ff9b::7f00:1         | NAT64 127.0.0.1: loopback
            64:ff9b:1::808:808      | local-use NAT64
            2002:808:808::1         | 6to4
            2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo
            100::1                  | discard-only
            4000::1                 | not global unicast
            """)
    void blocksSpecialPurposeAddresses(String literal, String label) throws Exception {
        AddressVerdict verdict = strict.check(InetAddress.getByName(literal));

        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.reason()).startsWith("blocked address ").endsWith("(" + label + ")");
    }

    @Test
    void reasonNamesTheAddressAndRange() throws Exception {
        assertThat(strict.check(InetAddress.getByName("10.0.0.1")).reason())
                .isEqualTo("blocked address 10.0.0.1 (private range)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0"})
    void blocksIpv4MappedAddressesByTheirEmbeddedIpv4(String literal) {
        // the JDK turns these into Inet4Address, but the guard must also hold for raw IPv6 values
        AddressVerdict verdict = strict.check(new IPAddressString(literal).getAddress());

        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.reason()).contains("IPv4-mapped");
    }

    @Test
    void blocksScopedLinkLocalAddresses() throws Exception {
        byte[] fe80 = InetAddress.getByName("fe80::1").getAddress();

        assertThat(strict.check(Inet6Address.getByAddress(null, fe80, 1)).allowed()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2001:4860:4860::8888",
        "172.32.0.1", "100.128.0.1", "192.169.0.1", "11.0.0.1", "64:ff9b::808:808"})
    void allowsPublicAddresses(String literal) throws Exception {
        assertThat(strict.check(InetAddress.getByName(literal)).allowed()).isTrue();
    }

    @ParameterizedTest(name = "URL host {0} is refused: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1                   | (loopback)
            2130706433                  | (loopback)
            0x7f000001                  | (loopback)
            0X7F000001                  | (loopback)
            0177.0.0.1                  | (loopback)
            017700000001                | (loopback)
            127.1                       | (loopback)
            127.0.1                     | (loopback)
            0x7f.1                      | (loopback)
            0x7f.0.0.1                  | (loopback)
            0x7f.0x0.0x0.0x1            | (loopback)
            127.0.0.1.                  | (loopback)
            [::1]                       | (loopback)
            ::1                         | (loopback)
            [0:0:0:0:0:0:0:1]           | (loopback)
            [::ffff:127.0.0.1]          | loopback)
            [::ffff:7f00:1]             | loopback)
            [::127.0.0.1]               | (IPv4-compatible IPv6)
            [fe80::1%25eth0]            | (link-local)
            [fd00:ec2::254]             | (cloud metadata)
            [64:ff9b::169.254.169.254]  | cloud metadata)
            169.254.169.254             | (cloud metadata)
            0251.0376.0251.0376         | (cloud metadata)
            0xa9fea9fe                  | (cloud metadata)
            2852039166                  | (cloud metadata)
            0xa9.0xfe.0xa9fe            | (cloud metadata)
            10.1                        | (private range)
            010.0.0.1                   | (private range)
            0                           | (unspecified)
            0.0.0.0                     | (unspecified)
            localhost                   | blocked host name localhost (loopback)
            LOCALHOST                   | blocked host name localhost (loopback)
            localhost.                  | blocked host name localhost (loopback)
            api.localhost               | blocked host name api.localhost (loopback)
            localhost.localdomain       | blocked host name localhost.localdomain (loopback)
            metadata.google.internal    | (private-use name)
            printer.local               | (private-use name)
            256.1.1.1                   | invalid IPv4 literal
            1.2.3.4.5                   | invalid IPv4 literal
            08.1.1.1                    | invalid IPv4 literal
            [::1                        | invalid IPv6 literal
            [not-an-address]            | invalid IPv6 literal
            """)
    void refusesUrlHostsThatAreBlockedLiteralsOrLocalNames(String host, String reasonFragment) {
        assertThat(strict.refusalForUrlHost(host)).hasValueSatisfying(reason -> assertThat(reason).contains(reasonFragment));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "example.com", "hooks.slack.com", "8.8.8.8", "1.1.1.1", "[2606:4700::1111]",
        "0x8.0x8.0x8.0x8", "134744072", "my-localhost.com", "localhost.example.com", "internal.example.test"})
    void acceptsPublicLiteralsAndOrdinaryNames(String host) {
        assertThat(strict.refusalForUrlHost(host)).isEmpty();
    }

    @Test
    void refusesMissingHost() {
        assertThat(strict.refusalForUrlHost("")).contains("URL has no host");
        assertThat(strict.refusalForUrlHost(null)).contains("URL has no host");
    }

    @Test
    void whitelistedSubnetIsAllowedAndOthersStayBlocked() throws Exception {
        AddressGuard guard = new AddressGuard(List.of("127.0.0.0/8"));

        AddressVerdict loopback = guard.check(InetAddress.getByName("127.0.0.5"));
        assertThat(loopback.allowed()).isTrue();
        assertThat(loopback.reason()).contains("whitelisted by 127.0.0.0/8");
        assertThat(guard.check(InetAddress.getByName("10.0.0.1")).allowed()).isFalse();
        assertThat(guard.check(InetAddress.getByName("::1")).allowed()).isFalse();
        assertThat(guard.check(new IPAddressString("::ffff:127.0.0.1").getAddress()).allowed()).isTrue();
    }

    @Test
    void whitelistAppliesToUrlHostsInEveryNotation() {
        AddressGuard guard = new AddressGuard(List.of("127.0.0.0/8"));

        assertThat(guard.refusalForUrlHost("localhost")).isEmpty();
        assertThat(guard.refusalForUrlHost("0x7f.1")).isEmpty();
        assertThat(guard.refusalForUrlHost("2130706433")).isEmpty();
        assertThat(guard.refusalForUrlHost("10.0.0.1")).contains("blocked address 10.0.0.1 (private range)");
    }

    @Test
    void singleAddressWhitelistCoversOnlyThatAddress() throws Exception {
        AddressGuard guard = new AddressGuard(List.of("10.1.2.3"));

        assertThat(guard.check(InetAddress.getByName("10.1.2.3")).allowed()).isTrue();
        assertThat(guard.check(InetAddress.getByName("10.1.2.4")).allowed()).isFalse();
    }

    @Test
    void aWhitelistedRangeLeavesTheCloudMetadataAddressesInsideItBlockedUnlessNamedAlone() throws Exception {
        AddressGuard ranges = AddressGuard.fromCommaSeparated("100.64.0.0/10,fd00::/8,169.254.0.0/16,fd20::/16,::ffff:0:0/96");
        for (String metadata : List.of("100.100.100.200", "fd00:ec2::254", "fd00:ec2::23", "169.254.169.254", "169.254.170.2",
                "169.254.170.23", "fd20:ce::254")) {
            var verdict = ranges.check(InetAddress.getByName(metadata));
            assertThat(verdict.allowed()).as(metadata).isFalse();
            assertThat(verdict.reason()).as(metadata).endsWith("(cloud metadata)");
            assertThat(ranges.refusalForUrlHost(metadata.contains(":") ? "[" + metadata + "]" : metadata)).as(metadata).isPresent();
        }
        // wrapped in IPv6, the address inside is judged
        assertThat(ranges.check(new IPAddressString("::ffff:169.254.169.254").getAddress()).allowed()).isFalse();
        // the rest of each range is let through
        assertThat(ranges.check(InetAddress.getByName("100.100.100.201")).allowed()).isTrue();
        assertThat(ranges.check(InetAddress.getByName("fd00:ec2::255")).allowed()).isTrue();
        assertThat(ranges.check(InetAddress.getByName("169.254.1.1")).allowed()).isTrue();

        // an operator who means it names the address alone
        AddressGuard named = AddressGuard.fromCommaSeparated("100.64.0.0/10,100.100.100.200/32,fd00:ec2::254");
        assertThat(named.check(InetAddress.getByName("100.100.100.200")).allowed()).isTrue();
        assertThat(named.check(InetAddress.getByName("fd00:ec2::254")).allowed()).isTrue();
    }

    @Test
    void whitelistAcceptsIpv6AndCommaSeparatedListsWithBlanks() throws Exception {
        AddressGuard guard = AddressGuard.fromCommaSeparated(" 10.1.2.3/8, fd00::/8 ,");

        assertThat(guard.whitelist()).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThat(guard.check(InetAddress.getByName("fd12::1")).allowed()).isTrue();
        assertThat(guard.check(InetAddress.getByName("fc00::1")).allowed()).isFalse();
        assertThat(AddressGuard.fromCommaSeparated(null).whitelist()).isEmpty();
    }

    @Test
    void privateUseNamesAreLeftToTheConnectTimeCheckOnceSubnetsAreWhitelisted() {
        AddressGuard guard = new AddressGuard(List.of("10.0.0.0/8"));

        assertThat(guard.refusalForUrlHost("billing.internal")).isEmpty();
        assertThat(guard.refusalForUrlHost("localhost")).hasValueSatisfying(r -> assertThat(r).contains("(loopback)"));
    }

    @Test
    void rejectsInvalidWhitelistEntries() {
        assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> new AddressGuard(List.of("not-a-subnet")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
