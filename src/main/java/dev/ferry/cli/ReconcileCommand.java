package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.reconcile.ReconcileDefinition;
import dev.ferry.reconcile.ReconcileException;
import dev.ferry.reconcile.ReconcileLoader;
import dev.ferry.reconcile.ReconcileStore;
import dev.ferry.reconcile.Reconciler;
import dev.ferry.reconcile.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;

/** Operator commands of the reconciliation engine: run one, list differences, review them, show the trend. */
@Command(name = "reconcile", description = "Reconcile an integration's source against its target; review differences.",
        subcommands = {ReconcileCommand.Run.class, ReconcileCommand.Diffs.class, ReconcileCommand.Ack.class,
                ReconcileCommand.Resolve.class, ReconcileCommand.Report.class, ReconcileCommand.Csv.class, ReconcileCommand.Trend.class})
final class ReconcileCommand {

    private ReconcileCommand() {
    }

    /** One reconcile subcommand's work, given a started Ferry and the result store. */
    @FunctionalInterface
    interface Work {
        int run(Ferry ferry, ReconcileStore store) throws Exception;
    }

    /**
     * Every subcommand runs through here: start Ferry, build the store, and a reconciliation that cannot run or an
     * unknown id ({@link ReconcileException}) prints its reason and exits 2 — an operator error, not a stack trace.
     */
    static int withStore(Work work) throws Exception {
        try (Ferry ferry = Ferry.start(FerryCli.settings())) {
            return work.run(ferry, new ReconcileStore(ferry.dataSource()));
        } catch (ReconcileException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }

    static ReconcileDefinition definition(Ferry ferry, String integration) {
        ReconcileDefinition def = ReconcileLoader.find(ferry.settings().mappingsDir(), integration, ferry.dataSource(),
                ferry.settings().groovyTrusted());
        if (def == null) {
            throw new ReconcileException("no " + integration + ".reconcile.yaml in " + ferry.settings().mappingsDir());
        }
        return def;
    }

    @Command(name = "run", description = {"Reconcile one integration for a business date or batch version, wait out the"
            + " re-check schedule (5 s / 30 s / 60 s by default) and print the outcome.",
            "Exit code 0 when balanced (or warn), 1 on a confirmed difference or failed totals."})
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", description = "Integration")
        String integration;

        @Option(names = "--date", description = "Business date, yyyy-MM-dd")
        LocalDate date;

        @Option(names = "--version", description = "Batch version, e.g. 20200101")
        String version;

        @Option(names = "--correct", description = "Replay confirmed missing/different keys through the integration, then re-check.")
        boolean correct;

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                ReconcileDefinition def = definition(ferry, integration);
                Scope scope = new Scope(integration, date, version);
                Reconciler reconciler = new Reconciler(store, Clock.systemDefaultZone(), ferry.integrations()::get);
                Reconciler.Result r = reconciler.run(def, scope, "cli");
                reconciler.settle(def, scope);
                if (correct) {
                    System.out.println("corrected: " + reconciler.correct(def, scope, r.runId()));
                }
                ReconcileStore.RunRow run = reconciler.store().run(r.runId());
                System.out.printf("run %d %s: %s, %d source rows, %d target rows, %d differences found, %d in flight%n", run.id(),
                        run.integration(), run.status(), run.sourceRows(), run.targetRows(), run.differences(), run.inFlight());
                r.totals().forEach(t -> System.out.printf("  total %-12s %-16s source %s target %s %s%n",
                        t.group().isEmpty() ? "-" : t.group(), t.measure(), t.source(), t.target(), t.level()));
                reconciler.store().ofRun(r.runId()).forEach(ReconcileCommand::print);
                return run.status().equals("MISMATCH") ? 1 : 0;
            });
        }
    }

    @Command(name = "diffs", description = "Differences still open (pending or confirmed, not resolved), newest first.")
    static final class Diffs implements Callable<Integer> {
        @Option(names = "--integration")
        String integration;

        @Option(names = "--run", description = "All differences of one run instead.")
        Long run;

        @Option(names = "--limit", defaultValue = "100")
        int limit;

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                List<ReconcileStore.StoredDifference> diffs = run != null ? store.ofRun(run) : store.open(integration, limit);
                diffs.forEach(ReconcileCommand::print);
                System.out.println(diffs.size() + " difference(s)");
                return 0;
            });
        }
    }

    /** ack and resolve: one difference moves to a review status, with a case note. */
    abstract static class ReviewCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "Difference id")
        long id;

        @Option(names = "--note", required = true)
        String note;

        abstract ReconcileStore.Review to();

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                store.review(id, to(), note, Clock.systemDefaultZone().instant());
                print(store.difference(id));
                store.notes(id).forEach(n -> System.out.println("  note " + n));
                return 0;
            });
        }
    }

    @Command(name = "ack", description = "Acknowledge a difference with a case note.")
    static final class Ack extends ReviewCommand {
        @Override
        ReconcileStore.Review to() {
            return ReconcileStore.Review.ACKNOWLEDGED;
        }
    }

    @Command(name = "resolve", description = "Mark a difference resolved with a case note.")
    static final class Resolve extends ReviewCommand {
        @Override
        ReconcileStore.Review to() {
            return ReconcileStore.Review.RESOLVED;
        }
    }

    @Command(name = "report", description = "Differences per integration, day and category, and how they settled (S4.5).")
    static final class Report implements Callable<Integer> {
        @Option(names = "--integration")
        String integration;

        @Option(names = "--days", defaultValue = "30")
        int days;

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                List<ReconcileStore.TrendRow> rows = store.trend(integration, days, Clock.systemDefaultZone().instant());
                System.out.printf("%-24s %-10s %-18s %6s %6s %9s %9s %8s%n", "integration", "day", "category", "found", "late",
                        "confirmed", "corrected", "resolved");
                rows.forEach(t -> System.out.printf("%-24s %-10s %-18s %6d %6d %9d %9d %8d%n", t.integration(), t.day(), t.category(),
                        t.found(), t.late(), t.confirmed(), t.corrected(), t.resolved()));
                return 0;
            });
        }
    }

    @Command(name = "csv", description = "A run's differences as CSV (both values, state, review), to stdout or a file.")
    static final class Csv implements Callable<Integer> {
        @Parameters(index = "0", description = "Reconciliation run id")
        long run;

        @Option(names = "--out", description = "Write to this file instead of stdout.")
        java.nio.file.Path out;

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                String csv = dev.ferry.reconcile.DifferencesCsv.of(store, run);
                if (out != null) {
                    java.nio.file.Files.writeString(out, csv);
                    System.out.println("wrote " + out);
                } else {
                    System.out.print(csv);
                }
                return 0;
            });
        }
    }

    @Command(name = "trend", description = "Rows checked, differences found, late, mismatched, auto-corrected and resolved per 5m, 1h or 1d bucket (S4.5).")
    static final class Trend implements Callable<Integer> {
        @Option(names = "--integration")
        String integration;

        @Option(names = "--bucket", defaultValue = "1h", description = "5m, 1h or 1d (default ${DEFAULT-VALUE}).")
        String bucket;

        @Option(names = "--last", defaultValue = "24", description = "How many buckets back from now (default ${DEFAULT-VALUE}).")
        int last;

        @Override
        public Integer call() throws Exception {
            return withStore((ferry, store) -> {
                List<dev.ferry.reconcile.ReconcileTrends.Row> rows = new dev.ferry.reconcile.ReconcileTrends(ferry.dataSource())
                        .buckets(integration, dev.ferry.reconcile.ReconcileTrends.Bucket.parse(bucket), last, Clock.systemDefaultZone().instant());
                System.out.printf("%-24s %-16s %5s %9s %6s %5s %10s %9s %8s%n", "integration", "bucket", "runs", "checked", "found", "late",
                        "mismatched", "corrected", "resolved");
                rows.forEach(r -> System.out.printf("%-24s %-16s %5d %9d %6d %5d %10d %9d %8d%n", r.integration(), r.bucket(), r.runs(),
                        r.checked(), r.found(), r.late(), r.mismatched(), r.corrected(), r.resolved()));
                return 0;
            });
        }
    }

    private static void print(ReconcileStore.StoredDifference d) {
        System.out.printf("#%d run %d %s %s key=%s %s/%s%s%n    source: %s%n    target: %s%n", d.id(), d.runId(), d.integration(),
                d.category(), d.key(), d.state(), d.review(), d.fields() == null || d.fields().isEmpty() ? "" : " fields=" + d.fields(),
                d.sourceValue(), d.targetValue());
    }
}
