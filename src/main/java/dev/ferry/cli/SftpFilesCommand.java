package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.source.sftp.FileLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;

/** Operator commands on the SFTP file ledger: what was seen and done, which days are missing, take again. */
@Command(name = "files", description = "SFTP file ledger: list files and expected days, re-take a file, backfill days.",
        subcommands = {SftpFilesCommand.ListFiles.class, SftpFilesCommand.Days.class, SftpFilesCommand.Retake.class,
                SftpFilesCommand.Backfill.class})
final class SftpFilesCommand {

    @Command(name = "list", description = "Files of an integration, newest first, with status, counts and verdict.")
    static final class ListFiles implements Callable<Integer> {
        @Parameters(index = "0", description = "Integration")
        String integration;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Option(names = "--problems", description = "Also list the bad lines of each file.")
        boolean problems;

        @Override
        public Integer call() {
            try (Ferry ferry = Ferry.start(FerryCli.settings())) {
                FileLedger ledger = new FileLedger(ferry.dataSource());
                List<FileLedger.FileRow> files = ledger.files(integration, limit);
                System.out.printf("%-6s %-32s %-10s %-11s %8s %8s %8s %8s %8s %8s  %s%n", "id", "file", "day", "status", "lines",
                        "trailer", "received", "staged", "rejected", "dups", "verdict / detail");
                for (FileLedger.FileRow f : files) {
                    System.out.printf("%-6d %-32s %-10s %-11s %8s %8s %8s %8s %8s %8s  %s%n", f.id(), f.path(),
                            f.fileDate() == null ? "-" : f.fileDate(), f.status(), n(f.lines()), n(f.trailerCount()), n(f.received()),
                            n(f.staged()), n(f.rejected()), n(f.duplicates()),
                            (f.verdict() == null ? "" : f.verdict() + ": ") + (f.detail() == null ? "" : f.detail()));
                    if (problems) {
                        ledger.problems(f.id()).forEach(p -> System.out.printf("         line %d: %s%n", p.line(), p.reason()));
                    }
                }
                System.out.println(files.size() + " file(s)");
            }
            return 0;
        }

        private static String n(Long v) {
            return v == null ? "-" : v.toString();
        }
    }

    @Command(name = "days", description = "Expected days of an integration: LOADED, EXPECTED (asked N times), MISSING, REJECTED.")
    static final class Days implements Callable<Integer> {
        @Parameters(index = "0", description = "Integration")
        String integration;

        @Option(names = "--open", description = "Only days not loaded yet.")
        boolean open;

        @Override
        public Integer call() {
            try (Ferry ferry = Ferry.start(FerryCli.settings())) {
                List<FileLedger.DayRow> days = new FileLedger(ferry.dataSource()).days(integration, open);
                System.out.printf("%-10s %-9s %5s %s%n", "day", "status", "asked", "file");
                for (FileLedger.DayRow d : days) {
                    System.out.printf("%-10s %-9s %5d %s%n", d.day(), d.status(), d.asked(), d.fileId() == null ? "-" : d.fileId());
                }
                long missing = days.stream().filter(d -> "MISSING".equals(d.status())).count();
                System.out.println(days.size() + " day(s), " + missing + " missing");
            }
            return 0;
        }
    }

    @Command(name = "retake", description = "Load a file again on the next poll, even if its content is unchanged.")
    static final class Retake implements Callable<Integer> {
        @Parameters(index = "0", description = "Integration")
        String integration;

        @Parameters(index = "1", description = "File name as listed")
        String file;

        @Override
        public Integer call() {
            try (Ferry ferry = Ferry.start(FerryCli.settings())) {
                boolean found = new FileLedger(ferry.dataSource()).retake(integration, file);
                System.out.println(found ? file + " is taken again on the next poll of " + integration
                        : "no file " + file + " in the ledger of " + integration);
                return found ? 0 : 1;
            } catch (IllegalArgumentException e) {
                System.out.println(e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "backfill", description = "Ask for the days of a date range again on the next poll; loaded days are re-taken.")
    static final class Backfill implements Callable<Integer> {
        @Parameters(index = "0", description = "Integration")
        String integration;

        @Option(names = "--from", required = true, description = "First day, yyyy-MM-dd")
        LocalDate from;

        @Option(names = "--to", required = true, description = "Last day, yyyy-MM-dd")
        LocalDate to;

        @Override
        public Integer call() {
            if (to.isBefore(from)) {
                System.out.println("--to is before --from");
                return 2;
            }
            try (Ferry ferry = Ferry.start(FerryCli.settings())) {
                int days = new FileLedger(ferry.dataSource()).backfill(integration, from, to);
                System.out.println(days + " day(s) of " + integration + " from " + from + " to " + to + " are asked for on the next poll");
            }
            return 0;
        }
    }
}
