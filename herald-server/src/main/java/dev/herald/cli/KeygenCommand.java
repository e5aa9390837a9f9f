package dev.herald.cli;

import dev.herald.client.webhook.Ed25519Keys;
import dev.herald.security.WebhookSecrets;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Makes an endpoint secret offline: an Ed25519 key pair for asymmetric ({@code v1a}) signatures, which an endpoint takes
 * as its {@code secret} or rotation {@code key}, with the public key its receiver verifies with; or an HMAC secret.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Print a new endpoint signing secret: an Ed25519 key pair (whsk_…) and its public key (whpk_…), or an HMAC secret (whsec_…).")
public final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--type", defaultValue = "ed25519", description = "ed25519 (default) or hmac256")
    String type;

    @Override
    public Integer call() {
        return run(type, System.out, System.err);
    }

    static int run(String type, PrintStream out, PrintStream err) {
        switch (type) {
            case "ed25519" -> {
                String pair = WebhookSecrets.generateEd25519();
                out.println("secret:     " + pair + "    (the endpoint's secret, or a rotation's key; keep it private)");
                out.println("public key: " + Ed25519Keys.readSigningKey(pair).publicKeyText() + "    (the receiver verifies v1a signatures with it)");
            }
            case "hmac256" -> out.println("secret: " + WebhookSecrets.generate() + "    (the endpoint's secret; the receiver verifies v1 signatures with it)");
            default -> {
                err.println("keygen: --type must be ed25519 or hmac256, got '" + type + "'");
                return 2;
            }
        }
        return 0;
    }
}
