package dev.herald.cli;

import java.io.PrintStream;
import picocli.CommandLine;

/** Runs {@code herald poll} with its output captured (the command's printing stream is package-private). */
public final class PollCliCommandAccess {
    private PollCliCommandAccess() {}

    public static int run(PrintStream out, String... args) {
        return new CommandLine(new PollCliCommand(out)).execute(args);
    }
}
