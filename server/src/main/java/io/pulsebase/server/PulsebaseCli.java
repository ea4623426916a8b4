package io.pulsebase.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pulsebase} command line. {@code bin/pulsebase} finds a JDK, builds the jar on first use and runs
 * this class; later capabilities add subcommands here.
 */
@Command(name = "pulsebase", mixinStandardHelpOptions = true, versionProvider = PulsebaseCli.Version.class,
        description = "Pulsebase: a realtime backend on an embedded SQLite file.",
        subcommands = {StartCommand.class})
public final class PulsebaseCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PulsebaseCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Reports the version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PulsebaseCli.class.getPackage().getImplementationVersion();
            return new String[] {"pulsebase " + (v == null ? "dev" : v)};
        }
    }
}
