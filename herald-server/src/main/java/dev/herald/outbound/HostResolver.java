package dev.herald.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. A seam so tests can map public-looking names to private
 * addresses without touching real DNS.
 */
@FunctionalInterface
public interface HostResolver {

    /** @return at least one address; never empty */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver (system DNS, /etc/hosts, and IP literals without any lookup). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
