package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.FerryConfiguration;
import dev.ferry.config.FerrySettings;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.DeadLetterStore;
import org.apache.camel.main.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Ferry's command line: {@code run} (the default) starts the Camel application with the routes folder;
 * the other commands are operator tools over the same database.
 */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1",
        description = "Integration hub: nothing lost, nothing duplicated, and proof of both.",
        subcommands = {FerryCli.Run.class, FerryCli.DeadLetters.class, FerryCli.Runs.class, SftpFilesCommand.class})
public final class FerryCli implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return new Run().call();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FerryCli()).execute(args));
    }

    @Command(name = "run", description = "Start Ferry: every route in the routes folder, every mapping in the mappings folder.")
    static final class Run implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            main.run();
            return main.getExitCode();
        }
    }

    @Command(name = "dead-letters", description = "List or replay records that failed mapping or validation.",
            subcommands = {DeadLetters.ListCommand.class, DeadLetters.Replay.class})
    static final class DeadLetters {

        @Command(name = "list", description = "List dead letters.")
        static final class ListCommand implements Callable<Integer> {
            @Option(names = "--integration", description = "Only this integration.")
            String integration;
            @Option(names = "--status", defaultValue = "NEW", description = "NEW or REPLAYED (default ${DEFAULT-VALUE}).")
            String status;
            @Option(names = "--limit", defaultValue = "50")
            int limit;
            @Option(names = "--payload", description = "Print each record's original payload too.")
            boolean payload;

            @Override
            public Integer call() {
                try (Ferry ferry = Ferry.start(settings())) {
                    List<DeadLetterStore.DeadLetter> letters = ferry.deadLetters().list(integration, status, limit);
                    for (DeadLetterStore.DeadLetter d : letters) {
                        System.out.printf("#%d %s run %s batch %s seen %dx field %s: %s%n", d.id(), d.integration(), d.runId(),
                                d.batchId(), d.timesSeen(), d.field(), d.reason());
                        if (payload) {
                            System.out.println("    " + d.payload());
                        }
                    }
                    System.out.println(letters.size() + " dead letter(s)");
                    return 0;
                }
            }
        }

        @Command(name = "replay", description = "Re-submit NEW dead letters of an integration through its pipeline.")
        static final class Replay implements Callable<Integer> {
            @Parameters(index = "0", description = "The integration.")
            String integration;
            @Option(names = "--id", description = "Only these dead letter ids (default: all NEW ones).")
            List<Long> ids = List.of();

            @Override
            public Integer call() {
                try (Ferry ferry = Ferry.start(settings())) {
                    BatchResult r = ferry.pipeline(integration).replayDeadLetters(ids);
                    System.out.printf("replayed %d: %d promoted (%d new, %d updated), %d rejected again%n",
                            r.received(), r.promoted(), r.inserted(), r.updated(), r.rejected());
                    return r.rejected() == 0 ? 0 : 1;
                }
            }
        }
    }

    @Command(name = "runs", description = "Show the ledger: the latest runs per integration with their counts and reconciliation.")
    static final class Runs implements Callable<Integer> {
        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public Integer call() throws Exception {
            try (Ferry ferry = Ferry.start(settings()); Connection c = ferry.dataSource().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(LedgerReport.SQL + " ORDER BY r.id DESC LIMIT " + limit)) {
                System.out.print(LedgerReport.table(rs));
            }
            return 0;
        }
    }

    /**
     * Settings from application.properties (classpath, then ./application.properties), then {@code -Dferry.*}
     * system properties, then the environment.
     */
    static FerrySettings settings() {
        Properties p = new Properties();
        try (InputStream in = FerryCli.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                p.load(in);
            }
            Path local = Path.of("application.properties");
            if (Files.exists(local)) {
                try (InputStream l = Files.newInputStream(local)) {
                    p.load(l);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not read application.properties: " + e.getMessage(), e);
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("ferry."))
                .forEach(k -> p.setProperty(k, System.getProperty(k)));
        return FerrySettings.fromProperties(p);
    }
}
