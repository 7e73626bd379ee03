package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.PauseStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Operator commands over the ledger: {@code status}, {@code batches}, and the progress of long commands. */
final class OperationsCommands {

    private OperationsCommands() {
    }

    static ProgressBar bar(String mode, String label) {
        return switch (mode) {
            case "always" -> ProgressBar.to(System.err, label);
            case "never" -> ProgressBar.to(null, label);
            default -> ProgressBar.onTerminal(label);
        };
    }

    @Command(name = "status", description = "Per integration: state (running | paused), last finished run and verdict, "
            + "when its position last moved, open dead letters.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (Ferry ferry = Ferry.start(FerryCli.settings()); Connection c = ferry.dataSource().getConnection()) {
                Map<String, PauseStore.Pause> paused = new PauseStore(ferry.dataSource()).all();
                TreeSet<String> integrations = new TreeSet<>();
                for (IntegrationPipeline p : ferry.integrations().all()) {
                    integrations.add(p.integration());
                }
                System.out.printf("%-28s %-8s %-34s %-24s %s%n", "INTEGRATION", "STATE", "LAST RUN", "POSITION MOVED", "DEAD LETTERS");
                for (String i : integrations) {
                    PauseStore.Pause p = paused.get(i);
                    String lastRun = one(c, "SELECT CONCAT('#', id, ' ', status, ' ', DATE_FORMAT(ended_at, '%Y-%m-%d %H:%i:%s')) FROM ferry_run "
                            + "WHERE integration = ? AND status NOT IN ('RUNNING') ORDER BY id DESC LIMIT 1", i);
                    String moved = one(c, "SELECT DATE_FORMAT(MAX(updated_at), '%Y-%m-%d %H:%i:%s') FROM ferry_source_position WHERE integration = ?", i);
                    String letters = one(c, "SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = ? AND status = 'NEW'", i);
                    System.out.printf("%-28s %-8s %-34s %-24s %s%n", i, p == null ? "running" : "paused", lastRun == null ? "-" : lastRun,
                            moved == null ? "-" : moved, letters);
                    if (p != null) {
                        System.out.printf("    paused by %s since %s%s%n", p.pausedBy(), p.pausedAt(), p.reason() == null ? "" : " (" + p.reason() + ")");
                    }
                }
                return 0;
            }
        }
    }

    @Command(name = "batches", description = "The batches of a run (the ledger): counts, segment, status.")
    static final class Batches implements Callable<Integer> {
        @Parameters(index = "0", description = "The run id (ferry runs).")
        long run;

        @Override
        public Integer call() throws Exception {
            try (Ferry ferry = Ferry.start(FerryCli.settings()); Connection c = ferry.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT id, status, received, rejected, duplicates, staged, inserted, updated, "
                         + "COALESCE(segment, source_ref, '') FROM ferry_batch WHERE run_id = ? ORDER BY id")) {
                s.setLong(1, run);
                int n = 0;
                System.out.printf("%-8s %-10s %9s %9s %9s %9s %9s %9s  %s%n", "BATCH", "STATUS", "RECEIVED", "REJECTED", "DUPS",
                        "STAGED", "INSERTED", "UPDATED", "SEGMENT");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        n++;
                        System.out.printf("%-8d %-10s %9d %9d %9d %9d %9d %9d  %s%n", rs.getLong(1), rs.getString(2), rs.getLong(3),
                                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9));
                    }
                }
                System.out.println(n + " batch(es) in run " + run);
                return n == 0 ? 1 : 0;
            }
        }
    }

    private static String one(Connection c, String sql, String integration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, integration);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * A backfill's progress read from the ledger while it runs (the pull itself reports only at the end): the
     * furthest window end of the batches of runs started since, against the requested window.
     */
    static final class BackfillProgress implements AutoCloseable {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        private final ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-backfill-progress");
            t.setDaemon(true);
            return t;
        });
        private final DataSource db;
        private final String integration;
        private final LocalDateTime from;
        private final LocalDateTime to;
        private final ProgressBar bar;
        private final long afterRun;

        private BackfillProgress(DataSource db, String integration, String from, String to, ProgressBar bar) throws SQLException {
            this.db = db;
            this.integration = integration;
            this.from = time(from);
            this.to = time(to);
            this.bar = bar;
            try (Connection c = db.getConnection()) {
                String last = one(c, "SELECT COALESCE(MAX(id), 0) FROM ferry_run WHERE integration = ?", integration);
                this.afterRun = Long.parseLong(last);
            }
        }

        static BackfillProgress watch(DataSource db, String integration, String from, String to, ProgressBar bar) throws SQLException {
            BackfillProgress p = new BackfillProgress(db, integration, from, to, bar);
            p.poll.scheduleWithFixedDelay(p::update, 0, 500, TimeUnit.MILLISECONDS);
            return p;
        }

        void update() {
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT MAX(b.window_to), COUNT(*), COALESCE(SUM(b.received), 0) FROM ferry_batch b JOIN ferry_run r ON r.id = b.run_id "
                            + "WHERE r.integration = ? AND r.id > ?")) {
                s.setString(1, integration);
                s.setLong(2, afterRun);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    LocalDateTime reached = time(rs.getString(1));
                    String detail = rs.getLong(2) + " batches, " + rs.getLong(3) + " records" + (rs.getString(1) == null ? "" : ", up to " + rs.getString(1));
                    bar.show(fraction(reached), detail);
                }
            } catch (Exception e) {
                bar.show(-1, "progress unknown: " + e.getMessage());
            }
        }

        /** How far {@code reached} is through [from, to); negative when the window is not in time format. */
        double fraction(LocalDateTime reached) {
            if (from == null || to == null || !to.isAfter(from)) {
                return -1;
            }
            if (reached == null) {
                return 0;
            }
            return Math.max(0, (double) Duration.between(from, reached).toSeconds() / Duration.between(from, to).toSeconds());
        }

        private static LocalDateTime time(String value) {
            if (value == null) {
                return null;
            }
            try {
                return LocalDateTime.parse(value.length() > 19 ? value.substring(0, 19) : value, TIME);
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        @Override
        public void close() {
            poll.shutdownNow();
            try {
                poll.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            update(); // the final state, once the pull returned
        }
    }
}
