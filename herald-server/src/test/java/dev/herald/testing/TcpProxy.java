package dev.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a server (here PostgreSQL), to cut the network between a client and it.
 * {@link #blackholeOpenConnections()} is a partition as a client sees it after a failover: the connections open at
 * that moment stay open and swallow every byte, in both directions, without an answer, a reset or a close, while
 * connections made afterwards are relayed as before. {@link #isolate()} cuts the client off for good: new connections
 * are accepted and swallow what they get too, until {@link #heal()}.
 */
public final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final ServerSocket listener;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;
    private volatile boolean isolated;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("tcp-proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Every connection open now swallows what it gets from then on; new ones are relayed. Returns how many. */
    public int blackholeOpenConnections() {
        int count = 0;
        for (Link link : links) {
            if (!link.blackholed) {
                link.blackholed = true;
                count++;
            }
        }
        return count;
    }

    /** New connections are relayed again; those open during the isolation stay silent. */
    public void heal() {
        isolated = false;
    }

    /** Every connection, open now or made later, swallows what it gets. Returns how many were open. */
    public int isolate() {
        isolated = true;
        return blackholeOpenConnections();
    }

    /**
     * The next request that carries {@code marker} (a statement's text: PostgreSQL's Parse message holds it on a
     * connection's first use of a statement) reaches the server, whose answer is then dropped and the connection
     * closed: the client cannot tell whether its statement ran, which it did. {@link #answersLost()} counts them.
     */
    public void loseAnswerTo(String marker) {
        loseAnswerMarker = marker;
    }

    public int answersLost() {
        return answersLost.get();
    }

    private volatile String loseAnswerMarker;
    private final java.util.concurrent.atomic.AtomicInteger answersLost = new java.util.concurrent.atomic.AtomicInteger();

    private void acceptLoop() {
        while (open) {
            try {
                Socket client = listener.accept();
                if (isolated) {
                    var link = new Link(client, null);
                    link.blackholed = true;
                    links.add(link);
                    Thread.ofVirtual().start(() -> pump(link, client, null));
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                var link = new Link(client, server);
                links.add(link);
                Thread.ofVirtual().start(() -> pump(link, client, server));
                Thread.ofVirtual().start(() -> pump(link, server, client));
            } catch (IOException e) {
                if (!open) return;
            }
        }
    }

    /** Copies {@code from} to {@code to}; once the link is blackholed, reads on and drops what it reads. */
    private void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to == null ? OutputStream.nullOutputStream() : to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (link.blackholed) continue;
                if (from == link.server && link.loseAnswer) {
                    // the server answered the marked request: the client never hears of it
                    answersLost.incrementAndGet();
                    link.close();
                    return;
                }
                String marker = loseAnswerMarker;
                if (from == link.client && marker != null
                        && new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).contains(marker)) {
                    loseAnswerMarker = null;
                    link.loseAnswer = true;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            if (!link.blackholed) link.close();
        } catch (IOException e) {
            if (!link.blackholed) link.close();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
        for (Link link : links) link.close();
    }

    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean blackholed;
        volatile boolean loseAnswer;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                if (server != null) server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
