package dev.herald.app;

import dev.herald.cli.HeraldCli;
import dev.herald.config.ConfigException;
import picocli.CommandLine;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        var cli = new CommandLine(new HeraldCli());
        // a configuration mistake is one clear line naming the variable, not a stack trace
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                System.err.println("herald: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }
}
