package dev.herald.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * A proxy on 127.0.0.1 for outbound tests: HTTP (CONNECT tunnels and absolute-form requests) or SOCKS5. Every
 * connection it makes goes to {@code upstream}, whatever the client asked for, so a test may name any receiver and no
 * packet leaves the machine. It records what each client asked for, and may require credentials.
 */
public final class TestProxy implements AutoCloseable {
    public enum Kind { HTTP, SOCKS5 }

    /** What one client connection asked the proxy for: the request line (HTTP) or host:port (SOCKS5), and its credentials. */
    public record Asked(String target, String credentials) {}

    private final Kind kind;
    private final InetSocketAddress upstream;
    private final String requiredCredentials;
    private final ServerSocket server;
    private final List<Asked> asked = Collections.synchronizedList(new ArrayList<>());

    /** @param requiredCredentials {@code user:password} the client must present, or null */
    public TestProxy(Kind kind, InetSocketAddress upstream, String requiredCredentials) throws IOException {
        this.kind = kind;
        this.upstream = upstream;
        this.requiredCredentials = requiredCredentials;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public String url() {
        return kind.name().toLowerCase() + "://127.0.0.1:" + server.getLocalPort();
    }

    public String url(String credentials) {
        return kind.name().toLowerCase() + "://" + credentials + "@127.0.0.1:" + server.getLocalPort();
    }

    public List<Asked> asked() {
        return List.copyOf(asked);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            if (kind == Kind.HTTP) serveHttp(client);
            else serveSocks5(client);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private void serveHttp(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        String head = readHead(in);
        String requestLine = head.substring(0, head.indexOf("\r\n"));
        String credentials = null;
        StringBuilder forwarded = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Proxy-Authorization: Basic ", 0, 27)) {
                credentials = new String(Base64.getDecoder().decode(line.substring(27).strip()), StandardCharsets.UTF_8);
            } else if (!line.regionMatches(true, 0, "Proxy-", 0, 6) && !line.isEmpty()) {
                forwarded.append(line).append("\r\n");
            }
        }
        asked.add(new Asked(requestLine, credentials));
        if (requiredCredentials != null && !requiredCredentials.equals(credentials)) {
            out.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return;
        }
        try (Socket target = new Socket(upstream.getAddress(), upstream.getPort())) {
            if (requestLine.startsWith("CONNECT ")) {
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                target.getOutputStream().write((forwarded + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            pipe(client, target);
        }
    }

    private void serveSocks5(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        int methods = in.read() == 5 ? in.read() : -1;
        byte[] offered = in.readNBytes(Math.max(methods, 0));
        boolean wantsPassword = requiredCredentials != null;
        byte chosen = wantsPassword ? (byte) 2 : (byte) 0;
        if (!contains(offered, chosen)) {
            out.write(new byte[] {5, (byte) 0xFF});
            asked.add(new Asked("no acceptable method", null));
            return;
        }
        out.write(new byte[] {5, chosen});
        String credentials = null;
        if (wantsPassword) {
            in.read(); // sub-negotiation version
            String user = new String(in.readNBytes(in.read()), StandardCharsets.UTF_8);
            String password = new String(in.readNBytes(in.read()), StandardCharsets.UTF_8);
            credentials = user + ":" + password;
            boolean ok = requiredCredentials.equals(credentials);
            out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
            if (!ok) {
                asked.add(new Asked("refused credentials", credentials));
                return;
            }
        }
        in.readNBytes(3); // version, CONNECT, reserved
        int type = in.read();
        String host = switch (type) {
            case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            default -> new String(in.readNBytes(in.read()), StandardCharsets.US_ASCII);
        };
        int port = (in.read() << 8) | in.read();
        asked.add(new Asked(host + ":" + port, credentials));
        try (Socket target = new Socket(upstream.getAddress(), upstream.getPort())) {
            out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
            pipe(client, target);
        }
    }

    private static boolean contains(byte[] values, byte wanted) {
        for (byte value : values) if (value == wanted) return true;
        return false;
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed before the end of the head");
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Copies both ways until either side closes. */
    private static void pipe(Socket a, Socket b) throws IOException {
        Thread back = Thread.ofVirtual().start(() -> copy(b, a));
        copy(a, b);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ignored) {
            // one side closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
