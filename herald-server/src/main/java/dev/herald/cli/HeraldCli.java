package dev.herald.cli;

import picocli.CommandLine.Command;

@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald " + HeraldCli.VERSION,
        description = "Self-hosted webhook delivery, wire-compatible with the Svix v1 API.",
        subcommands = {ServeCommand.class, ListenCliCommand.class, PollCliCommand.class, ReencryptCommand.class,
                KeygenCommand.class, MigrateCommand.class, BackupCommand.class})
public final class HeraldCli {
    public static final String VERSION = "0.1.0";
}
