package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.FerryConfiguration;
import dev.ferry.authoring.devmode.DevMode;
import dev.ferry.config.FerrySettings;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.PauseStore;
import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import dev.ferry.pipeline.ParkedRows;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.SourcePositions;
import dev.ferry.source.http.FerryHttpEndpoint;
import dev.ferry.source.http.FerryHttpProducer;
import dev.ferry.source.http.WindowMode;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
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
        subcommands = {FerryCli.Run.class, FerryCli.Backfill.class, FerryCli.PositionCommand.class, FerryCli.DeadLetters.class,
                FerryCli.Parked.class, FerryCli.Runs.class, SftpFilesCommand.class, ReconcileCommand.class, FerryCli.Pause.class,
                FerryCli.Resume.class, OperationsCommands.Status.class, OperationsCommands.Batches.class,
                TryCommand.class, MappingTestCommand.class, // authoring: ferry try, ferry test
                ValidateCommand.class}) // authoring: ferry validate
public final class FerryCli implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return new Run().call();
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FerryCli()).execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = {"Start Ferry: every route in the routes folder, every mapping in the mappings folder.",
            "With an integration: run its pull once now and exit (0 = succeeded, 1 = mismatch, 2 = failed)."})
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", description = "Pull this integration once instead of running the schedules.")
        String integration;
        @Option(names = "--once", description = {"One pull of the integration, then exit with the run's status (0 = SUCCEEDED, "
                + "1 = mismatch or skipped, 2 = failed): for cron and Kubernetes Jobs. No HTTP or management server, no schedules."})
        boolean once;
        @Option(names = "--dev", description = "Dev mode, NOT for production: reload routes/ and mappings/ when they change.")
        boolean devMode;

        @Override
        public Integer call() throws Exception {
            if (once && integration == null) {
                System.err.println("run --once needs an integration: ferry run <integration> --once");
                return 2;
            }
            if (integration != null) {
                try (OnePull pull = OnePull.start()) {
                    return pull.run(integration, Map.of());
                }
            }
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            if (devMode) {
                DevMode.properties(settings().routesDir()).forEach(main::addOverrideProperty);
            }
            main.run();
            return main.getExitCode();
        }
    }

    @Command(name = "backfill", description = {"Re-pull a window of an integration's source, in slices of its maxWindow; "
            + "the position is left untouched.", "Exit 0 = every slice balanced or unverified, 1 = a slice fell short, 2 = failed."})
    static final class Backfill implements Callable<Integer> {
        @Parameters(index = "0", description = "The integration.")
        String integration;
        @Option(names = "--from", required = true, description = "Window start, in the route's positionPattern (e.g. '2026-11-01 00:00:00').")
        String from;
        @Option(names = "--to", required = true, description = "Window end (exclusive).")
        String to;
        @Option(names = "--progress", defaultValue = "auto", description = "auto (a bar on stderr on a terminal), always, never.")
        String progress;

        @Override
        public Integer call() throws Exception {
            try (OnePull pull = OnePull.start(); ProgressBar bar = OperationsCommands.bar(progress, "backfill " + integration);
                 OperationsCommands.BackfillProgress watch = OperationsCommands.BackfillProgress.watch(pull.dataSource(), integration, from, to, bar)) {
                return pull.run(integration, Map.of(FerryHttpProducer.HEADER_BACKFILL_FROM, from, FerryHttpProducer.HEADER_BACKFILL_TO, to));
            }
        }
    }

    @Command(name = "position", description = "Show an integration's source positions, or move one (--set) after a confirmation.")
    static final class PositionCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "The integration.")
        String integration;
        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Move a position, e.g. --set 'watermark=2026-11-20 00:00:00'.")
        String set;
        @Option(names = "--yes", description = "Do not ask for confirmation.")
        boolean yes;
        @Option(names = "--pattern", defaultValue = "yyyy-MM-dd HH:mm:ss", description = "Format of a time position (default ${DEFAULT-VALUE}).")
        String pattern;

        @Override
        public Integer call() throws Exception {
            try (Ferry ferry = Ferry.start(settings())) {
                JdbcIntegrationPipeline pipeline = ferry.pipeline(integration);
                if (pipeline == null) {
                    System.err.println("no integration " + integration);
                    return 2;
                }
                if (set == null) {
                    Map<String, Position> all = pipeline.positions();
                    all.values().forEach(p -> System.out.printf("%s %s = %s%n", integration, p.name(), p.value()));
                    if (all.isEmpty()) {
                        System.out.println(integration + ": no position committed yet");
                    }
                    return 0;
                }
                int eq = set.indexOf('=');
                if (eq <= 0) {
                    System.err.println("--set needs NAME=VALUE");
                    return 2;
                }
                String name = set.substring(0, eq).trim();
                String value = set.substring(eq + 1).trim();
                Optional<Position> current = pipeline.position(name);
                Position next = position(name, value, current.orElse(null));
                if (!yes) {
                    System.out.printf("Move position '%s' of %s from %s to %s? Records between the two are %s. [y/N] ", name,
                            integration, current.map(Position::value).orElse("(none)"), value,
                            current.isPresent() && next.isBefore(current.get()) ? "read again (dedupe drops what landed)" : "skipped");
                    System.out.flush();
                    String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                        System.out.println("Not changed.");
                        return 1;
                    }
                }
                pipeline.setPosition(next, true); // confirmed: an operator may move a position backwards
                System.out.printf("%s %s = %s%n", integration, name, value);
                return 0;
            }
        }

        /** A watermark and any position that is a time now are time positions; numbers are sequences; else latest wins. */
        private Position position(String name, String value, Position current) {
            boolean time = name.equals(SourcePositions.WATERMARK) || current != null && current.order() != null
                    && current.order().startsWith("T");
            if (time) {
                try {
                    return Position.time(name, value, LocalDateTime.parse(value, DateTimeFormatter.ofPattern(pattern)));
                } catch (DateTimeParseException e) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "'" + value + "' is not a time in the pattern "
                            + pattern + ": " + e.getMessage());
                }
            }
            if (current != null && current.order() != null && current.order().startsWith("N") && value.matches("\\d+")) {
                return Position.sequence(name, Long.parseLong(value));
            }
            return Position.latest(name, value);
        }
    }

    /**
     * Camel-main with the routes folder, schedules off, for one pull of one integration: through its
     * {@code direct:<integration>-pull} route when there is one, else straight to its incremental ferry-http endpoint.
     */
    static final class OnePull implements AutoCloseable {
        private final Main main;

        private OnePull(Main main) {
            this.main = main;
        }

        static OnePull start() throws Exception {
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
            // a one-shot run beside a serving Ferry: no HTTP or management server of its own
            main.addOverrideProperty("camel.server.enabled", "false");
            main.addOverrideProperty("camel.management.enabled", "false");
            System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("ferry."))
                    .forEach(k -> main.addOverrideProperty(k, System.getProperty(k)));
            main.start();
            return new OnePull(main);
        }

        int run(String integration, Map<String, Object> headers) {
            CamelContext camel = main.getCamelContext();
            Endpoint target = camel.hasEndpoint("direct:" + integration + "-pull");
            if (target == null) {
                target = camel.getEndpoints().stream().filter(e -> e instanceof FerryHttpEndpoint f
                        && f.getIntegration().equals(integration) && f.getWindow() == WindowMode.incremental).findFirst().orElse(null);
            }
            if (target == null) {
                System.err.println("no route pulls " + integration + " (expected direct:" + integration + "-pull or a ferry-http:"
                        + integration + " step)");
                return 2;
            }
            ProducerTemplate template = camel.createProducerTemplate();
            Exchange done = template.send(target, ex -> ex.getMessage().setHeaders(new java.util.HashMap<>(headers)));
            if (done.getException() != null) {
                System.err.println(done.getException().getMessage());
                return 2;
            }
            if (Boolean.TRUE.equals(done.getMessage().getHeader(FerryHttpProducer.HEADER_SKIPPED))) {
                System.out.println(done.getMessage().getBody());
                return 1;
            }
            System.out.println(done.getMessage().getBody());
            Object status = done.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS);
            if (status == null && done.getMessage().getBody() instanceof Map<?, ?> summary) {
                status = summary.get("status"); // ferry-sftp answers with its poll's summary
            }
            return "SUCCEEDED".equals(String.valueOf(status)) ? 0 : 1;
        }

        javax.sql.DataSource dataSource() {
            return main.getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class).dataSource();
        }

        @Override
        public void close() {
            main.stop();
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
            @Option(names = "--chunk", defaultValue = "500", description = "Dead letters per batch (default ${DEFAULT-VALUE}).")
            int chunk;
            @Option(names = "--progress", defaultValue = "auto", description = "auto (a bar on stderr on a terminal), always, never.")
            String progress;

            @Override
            public Integer call() {
                try (Ferry ferry = Ferry.start(settings()); ProgressBar bar = OperationsCommands.bar(progress, "replay " + integration)) {
                    // replayed in chunks, one batch each, so a long replay shows progress and commits as it goes
                    List<Long> todo = !ids.isEmpty() ? ids : ferry.deadLetters().list(integration, "NEW", 100_000).stream()
                            .map(DeadLetterStore.DeadLetter::id).toList();
                    long received = 0, promoted = 0, inserted = 0, updated = 0, rejected = 0;
                    for (int i = 0; i < todo.size(); i += Math.max(1, chunk)) {
                        BatchResult r = ferry.pipeline(integration).replayDeadLetters(todo.subList(i, Math.min(todo.size(), i + Math.max(1, chunk))));
                        received += r.received();
                        promoted += r.promoted();
                        inserted += r.inserted();
                        updated += r.updated();
                        rejected += r.rejected();
                        int done = Math.min(todo.size(), i + Math.max(1, chunk));
                        bar.show((double) done / todo.size(), done + "/" + todo.size() + " dead letters, " + rejected + " rejected again");
                    }
                    bar.close();
                    System.out.printf("replayed %d: %d promoted (%d new, %d updated), %d rejected again%n",
                            received, promoted, inserted, updated, rejected);
                    return rejected == 0 ? 0 : 1;
                }
            }
        }
    }

    @Command(name = "pause", description = {"Pause an integration on every replica until resumed (stored in ferry_pause; "
            + "its triggers become SKIPPED runs).", "Without an integration: list the paused ones."})
    static final class Pause implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", description = "The integration.")
        String integration;
        @Option(names = "--reason", description = "Why (shown in the SKIPPED runs, Hawtio and the status page).")
        String reason;

        @Override
        public Integer call() {
            try (Ferry ferry = Ferry.start(settings())) {
                PauseStore pauses = new PauseStore(ferry.dataSource());
                if (integration == null) {
                    pauses.all().values().forEach(p -> System.out.printf("%s paused by %s since %s%s%n", p.integration(), p.pausedBy(),
                            p.pausedAt(), p.reason() == null ? "" : " (" + p.reason() + ")"));
                    return 0;
                }
                ferry.integrations().get(integration); // fails naming the known integrations
                pauses.pause(integration, "cli:" + System.getProperty("user.name", "?"), reason);
                System.out.println(integration + " paused");
                return 0;
            }
        }
    }

    @Command(name = "resume", description = "Resume a paused integration.")
    static final class Resume implements Callable<Integer> {
        @Parameters(index = "0", description = "The integration.")
        String integration;

        @Override
        public Integer call() {
            try (Ferry ferry = Ferry.start(settings())) {
                boolean was = new PauseStore(ferry.dataSource()).resume(integration);
                System.out.println(integration + (was ? " resumed" : " was not paused"));
                return 0;
            }
        }
    }

    @Command(name = "parked", description = "Update-only rows waiting for their target row.",
            subcommands = {Parked.ListCommand.class})
    static final class Parked {

        @Command(name = "list", description = "List parked rows of an integration (applied once their target row appears).")
        static final class ListCommand implements Callable<Integer> {
            @Parameters(index = "0", description = "The integration.")
            String integration;
            @Option(names = "--status", defaultValue = "PARKED", description = "PARKED, APPLIED or SUPERSEDED (default ${DEFAULT-VALUE}).")
            String status;
            @Option(names = "--limit", defaultValue = "50")
            int limit;

            @Override
            public Integer call() {
                try (Ferry ferry = Ferry.start(settings())) {
                    List<ParkedRows.Parked> rows = ParkedRows.list(ferry.dataSource(), integration, status, limit);
                    for (ParkedRows.Parked p : rows) {
                        System.out.printf("%s key %s %s since %s (batch %d row %d)%s%n", p.integration(), p.businessKey(), p.status(),
                                p.parkedAt(), p.batchId(), p.row(), p.appliedAt() == null ? "" : ", applied " + p.appliedAt());
                    }
                    System.out.println(rows.size() + " parked row(s)");
                    return 0;
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
