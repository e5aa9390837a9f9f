package dev.herald.client.outbox;

import dev.herald.client.HeraldClient;
import dev.herald.client.Retries;
import org.postgresql.ds.PGSimpleDataSource;

/** An application JVM that only runs an outbox relay, so a test can SIGKILL it mid-send. */
public final class RelayProcess {
    private RelayProcess() {}

    /** Arguments: JDBC URL, Herald URL, token. Runs until killed. */
    public static void main(String[] args) throws InterruptedException {
        var dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        var herald = HeraldClient.builder(args[1], args[2]).retries(Retries.NONE).build();
        OutboxRelay.builder(dataSource, herald).build().start();
        System.out.println("relay started");
        Thread.currentThread().join();
    }
}
